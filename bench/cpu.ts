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
  /** seconds of CPU of each postgres backend on the database, by pid; null without /proc */
  store: Map<string, number> | null;
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
  let store: Map<string, number> | null = null;
  try {
    store = new Map();
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = read(`/proc/${entry}/stat`);
      if (!stat || !stat.includes("(postgres)")) continue;
      // a backend's title: "postgres: [<cluster>: ]<user> <database> <client> <state>"
      const title = read(`/proc/${entry}/cmdline`)?.replace(/\0/g, " ") ?? "";
      if (!title.includes(` ${database} `)) continue;
      store.set(entry, ticksOf(stat) / TICKS_PER_SECOND);
    }
  } catch {
    store = null;
  }
  return { server: own ? ticksOf(own) / TICKS_PER_SECOND : null, store };
}

/**
 * Microseconds of CPU per request between two snapshots, or null when not measurable. A
 * backend started in between counts from zero; one that ended in between is not counted
 * (its last seconds are lost, never subtracted).
 */
export function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number) {
  if (requests === 0) return { serverCpuUs: null, storeCpuUs: null };
  const server = before.server === null || after.server === null ? null : after.server - before.server;
  let store: number | null = null;
  if (before.store && after.store) {
    store = 0;
    for (const [pid, seconds] of after.store) store += seconds - (before.store.get(pid) ?? 0);
  }
  const per = (seconds: number | null) => (seconds === null ? null : (seconds * 1e6) / requests);
  return { serverCpuUs: per(server), storeCpuUs: per(store) };
}
