/** A postgres:// URL for the server listening on `<dir>/.s.PGSQL.5432` (as `pg` reads it). */
export function socketUrl(dir: string, database = "postgres"): string {
  return `postgres://postgres@/${database}?host=${encodeURIComponent(dir)}`;
}

/** The socket directory a URL names, or null for a TCP address. */
export function socketDirOf(url: string): string | null {
  const host = /[?&]host=([^&]+)/.exec(url)?.[1];
  const dir = host ? decodeURIComponent(host) : null;
  return dir?.startsWith("/") ? dir : null;
}
