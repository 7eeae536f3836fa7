import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import autocannon from "autocannon";
import type { DataSource } from "typeorm";
import { cpuPerRequest, cpuSnapshot } from "./cpu";
import { openDatabase, startEmbeddedPostgres } from "./from-src";

export interface BenchDatabase {
  url: string;
  db: DataSource;
  description: string;
  close(): Promise<void>;
}

/** DATABASE_URL if set (use a dedicated database: benchmarks seed it), else in-memory PGlite. */
export async function benchDatabase(): Promise<BenchDatabase> {
  const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres();
  const url = process.env.DATABASE_URL ?? embedded!.url;
  const db = await openDatabase({ url, poolSize: 4 });
  return {
    url,
    db,
    description: embedded ? "embedded PGlite (in memory)" : "DATABASE_URL",
    async close() {
      await db.destroy();
      await embedded?.stop();
    },
  };
}

export interface ServedGateway {
  url: string;
  /** the server's process id (its CPU time is read from /proc during a load round) */
  pid: number | undefined;
  /** the gateway process's memory (bytes) */
  memory(): Promise<{ rss: number; heapUsed: number; external: number }>;
  stop(): Promise<void>;
}

/** Forks bench/serve.js: the gateway runs in its own process. */
export function serveGateway(
  databaseUrl: string,
  options: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Promise<ServedGateway> {
  // request logging on, as in production (one line per request; the output goes to /dev/null)
  return forkServer("serve.js", [databaseUrl, JSON.stringify(options)], { LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info", ...env });
}

/** The peers the gateway is compared with (bench/peers/*), each forked in its own process. */
export type Peer = "handwritten" | "postgraphile";

export function servePeer(peer: Peer, databaseUrl: string): Promise<ServedGateway> {
  return forkServer(path.join("peers", `${peer}-server.js`), [databaseUrl]);
}

/**
 * Forks a server script (relative to dist/bench) that reports `{ url }` over IPC once it
 * listens and exits on the message "stop". Its logs are silenced (LOG_LEVEL=silent).
 */
export function forkServer(script: string, args: string[], env: Record<string, string> = {}): Promise<ServedGateway> {
  const child: ChildProcess = fork(path.join(__dirname, script), args, {
    // as `npm start` runs it: graphql-js without its development checks
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "silent", ...env },
    // lets a memory sample collect garbage first (soak.ts); unused otherwise
    execArgv: [...process.execArgv, "--expose-gc"],
    // stdout (the servers' logs) to /dev/null, stderr shown
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
    child.once("message", (message: any) =>
      resolve({
        url: message.url,
        pid: child.pid,
        memory: () =>
          new Promise((answered) => {
            const listen = (reply: any) => {
              if (!reply?.memory) return;
              child.off("message", listen);
              answered(reply.memory);
            };
            child.on("message", listen);
            child.send("memory");
          }),
        stop: () =>
          new Promise<void>((done) => {
            child.removeAllListeners("exit");
            child.once("exit", () => done());
            child.send("stop");
          }),
      }),
    );
  });
}

export interface LoadResult {
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** CPU per request of the server process and of PostgreSQL's backends (µs; null if not measured) */
  serverCpuUs: number | null;
  storeCpuUs: number | null;
}

/**
 * Drives one server with autocannon (POST of a GraphQL body), bounded in time, loopback only,
 * and reads what the round cost in CPU: the server's process (given a ServedGateway) and the
 * PostgreSQL backends on the benchmark's database.
 */
export async function load(
  target: string | ServedGateway,
  body: unknown,
  headers: Record<string, string>,
  seconds: number,
  connections = 20,
): Promise<LoadResult> {
  const url = typeof target === "string" ? target : target.url;
  const database = benchDatabaseName();
  const before = cpuSnapshot(typeof target === "string" ? undefined : target.pid, database);
  const result = await autocannon({
    url,
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    connections,
    duration: seconds,
  });
  const cpu = cpuPerRequest(before, cpuSnapshot(typeof target === "string" ? undefined : target.pid, database), result.requests.total);
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    ...cpu,
  };
}

/** The database the servers under load use (DATABASE_URL's; none for embedded PGlite). */
function benchDatabaseName(): string {
  const url = process.env.DATABASE_URL;
  return url ? decodeURIComponent(new URL(url).pathname.slice(1)) : "";
}

/** Two contenders' rounds, averaged, and the ratio of each pair of adjacent rounds (A / B). */
export interface Compared {
  a: LoadResult;
  b: LoadResult;
  /** A's throughput over B's in each round (A and B ran one after the other) */
  ratios: number[];
}

/** Runs A and B alternately (A B A B …) and averages, so drift hurts neither side. */
export async function compare(rounds: number, a: () => Promise<LoadResult>, b: () => Promise<LoadResult>): Promise<Compared> {
  const { means, rounds: each } = await compareAll(rounds, [a, b]);
  return { a: means[0], b: means[1], ratios: roundRatios(each[0], each[1]) };
}

/**
 * Runs any number of contenders in turn, round after round (A B C A B C …): each one's
 * rounds averaged, and the rounds themselves (for paired ratios), so drift on a shared
 * machine favours none of them.
 */
export async function compareAll(
  rounds: number,
  runs: ReadonlyArray<() => Promise<LoadResult>>,
): Promise<{ means: LoadResult[]; rounds: LoadResult[][] }> {
  const results: LoadResult[][] = runs.map(() => []);
  for (let i = 0; i < rounds; i++) {
    for (const [j, run] of runs.entries()) results[j].push(await run());
  }
  return { means: results.map(mean), rounds: results };
}

/** A's throughput over B's, round by round. */
export function roundRatios(a: readonly LoadResult[], b: readonly LoadResult[]): number[] {
  return a.map((x, i) => x.requestsPerSecond / b[i].requestsPerSecond);
}

/**
 * The ratio a benchmark reports: the median of the per-round ratios. Each pair of rounds ran
 * back to back, so a slow spell of this shared machine (another tenant, a checkpoint) hits
 * both sides of one pair; the median then ignores the pair a spell split. The ratio of the
 * mean throughputs is printed beside it.
 */
export function pairedRatio(ratios: readonly number[]): number {
  const sorted = [...ratios].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const mean = (xs: LoadResult[]): LoadResult => ({
  requestsPerSecond: avg(xs.map((x) => x.requestsPerSecond)),
  p99Ms: avg(xs.map((x) => x.p99Ms)),
  serverCpuUs: nullableAvg(xs.map((x) => x.serverCpuUs)),
  storeCpuUs: nullableAvg(xs.map((x) => x.storeCpuUs)),
  non2xx: xs.reduce((s, x) => s + x.non2xx, 0),
  errors: xs.reduce((s, x) => s + x.errors, 0),
});

const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const nullableAvg = (xs: Array<number | null>) => (xs.some((x) => x === null) ? null : avg(xs as number[]));

/** "  cpu/request: server 512 µs, PostgreSQL 180 µs" (or nothing when not measured) */
export function cpuColumns(r: LoadResult): string {
  const us = (x: number | null) => (x === null ? "     -" : x.toFixed(0).padStart(6));
  return r.serverCpuUs === null && r.storeCpuUs === null
    ? ""
    : `   cpu/req server ${us(r.serverCpuUs)} µs  PostgreSQL ${us(r.storeCpuUs)} µs`;
}

export function printComparison(title: string, labels: [string, string], { a, b, ratios }: Compared, target: string): number {
  const ratio = pairedRatio(ratios);
  const row = (label: string, r: LoadResult) =>
    `  ${label.padEnd(14)} ${r.requestsPerSecond.toFixed(0).padStart(8)} req/s   p99 ${r.p99Ms.toFixed(1).padStart(6)} ms   non-2xx ${r.non2xx}  errors ${r.errors}${cpuColumns(r)}`;
  console.log(`\n${title}`);
  console.log(row(labels[0], a));
  console.log(row(labels[1], b));
  console.log(
    `  ratio ${labels[0]}/${labels[1]} = ${ratio.toFixed(3)}   (target ${target}; median of ${ratios.length} paired rounds: ${ratios.map((r) => r.toFixed(3)).join(" ")}; ratio of the means ${(a.requestsPerSecond / b.requestsPerSecond).toFixed(3)})`,
  );
  // a refused or failed request is cheap: counted as throughput it would flatter either side
  if (a.non2xx + a.errors + b.non2xx + b.errors > 0) throw new Error(`${title}: some requests failed, so the ratio measures nothing`);
  return ratio;
}
