import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time from /proc (Linux): what a load round cost the server process and PostgreSQL
 * (the backends connected to the benchmark's database: another database's load, a helper's
 * benchmark say, is not counted; the shared WAL writer and checkpointer are not either). On a shared 2-core
 * machine throughput moves with whatever else runs; CPU time per request moves much less,
 * so the benchmark prints both. Elsewhere (no /proc) it reports nothing.
 */
const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node supports

export interface CpuSnapshot {
  /** seconds of CPU of the server process (user + system), null without /proc */
  server: number | null;
  /** seconds of CPU of the postgres backends on the database, null without /proc */
  store: number | null;
}

function ticksOf(stat: string): number {
  // the command name (field 2) may hold spaces: fields are counted after its closing ')'
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
}

function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

export function cpuSnapshot(serverPid: number | undefined, database: string): CpuSnapshot {
  const own = serverPid === undefined ? null : read(`/proc/${serverPid}/stat`);
  let store: number | null = null;
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = read(`/proc/${entry}/stat`);
      if (!stat || !stat.includes("(postgres)")) continue;
      // a backend's title: "postgres: [<cluster>: ]<user> <database> <client> <state>"
      const title = read(`/proc/${entry}/cmdline`)?.replace(/\0/g, " ") ?? "";
      if (!title.includes(` ${database} `)) continue;
      store = (store ?? 0) + ticksOf(stat) / TICKS_PER_SECOND;
    }
  } catch {
    store = null;
  }
  return { server: own ? ticksOf(own) / TICKS_PER_SECOND : null, store };
}

/** Microseconds of CPU per request between two snapshots, or null when not measurable. */
export function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number) {
  const per = (a: number | null, b: number | null) => (a === null || b === null || requests === 0 ? null : ((b - a) * 1e6) / requests);
  return { serverCpuUs: per(before.server, after.server), storeCpuUs: per(before.store, after.store) };
}
