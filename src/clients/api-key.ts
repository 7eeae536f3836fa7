import { hash, randomBytes } from "node:crypto";

const PREFIX = "pgw_";

/** A new random API key: 256 bits from the OS CSPRNG, shown once and never stored. */
export function generateApiKey(): string {
  return PREFIX + randomBytes(32).toString("base64url");
}

/**
 * Keys are stored as SHA-256 hashes. A key has 256 bits of entropy, so a fast hash is
 * enough (no password-style stretching needed) and lookups stay one indexed read.
 */
export function hashApiKey(key: string): string {
  // one-shot (no Hash object per request): every authenticated request hashes its key
  return hash("sha256", key, "hex");
}

/** The visible start of a key, to tell keys apart in listings. */
export function keyPrefix(key: string): string {
  return key.slice(0, PREFIX.length + 6);
}

export function looksLikeApiKey(key: string): boolean {
  return key.startsWith(PREFIX) && key.length === PREFIX.length + 43 && /^[A-Za-z0-9_-]+$/.test(key.slice(PREFIX.length));
}
