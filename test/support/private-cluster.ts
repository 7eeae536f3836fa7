import { execFile } from "node:child_process";
import { chownSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of a test's own (initdb into a temporary directory, its own port and
 * socket directory), for tests that stop, hang or restart a database, or replicate one. The
 * shared server is never touched. As root, the server runs as the `postgres` user (initdb
 * refuses root).
 */
export interface PrivateCluster {
  port: number;
  dir: string;
  /** a postgres:// URL on 127.0.0.1 */
  url(database?: string): string;
  start(): Promise<void>;
  /** pg_ctl stop -m fast (a restart is stop + start) */
  stop(): Promise<void>;
  /**
   * pg_ctl stop -m immediate: PostgreSQL dies as in a crash (no checkpoint, WAL still in its
   * buffers is lost; what it wrote to the OS survives, the machine does not go down)
   */
  crash(): Promise<void>;
  /** SIGSTOP to the postmaster and every backend: the database hangs, connections stay open */
  pause(): Promise<void>;
  resume(): Promise<void>;
  psql(sql: string, database?: string): Promise<string>;
  /** what the server logged so far (with log_statement = all: every statement it was sent) */
  log(): string;
  destroy(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;
const as = (command: string, args: string[]) => (asRoot ? run("runuser", ["-u", "postgres", "--", command, ...args]) : run(command, args));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A new cluster (initdb), or with `replicaOf` a streaming replica of one (pg_basebackup -R); not started. */
export async function createPrivateCluster(
  options: { replicaOf?: PrivateCluster; settings?: Record<string, string> } = {},
): Promise<PrivateCluster> {
  const base = mkdtempSync(path.join(os.tmpdir(), "pgw-cluster-"));
  if (asRoot) chownSync(base, uidOf("postgres"), gidOf("postgres"));
  const dir = path.join(base, "data");
  const port = await freePort();
  if (options.replicaOf) {
    await as("pg_basebackup", [
      "-h",
      "127.0.0.1",
      "-p",
      String(options.replicaOf.port),
      "-U",
      "postgres",
      "-D",
      dir,
      "-R",
      "-X",
      "stream",
      "--no-sync",
    ]);
  } else {
    await as("initdb", ["-D", dir, "-U", "postgres", "-A", "trust", "--no-sync", "--no-instructions"]);
  }
  const pids = () => {
    const postmaster = Number(readFileSync(path.join(dir, "postmaster.pid"), "utf8").split("\n")[0]);
    return run("pgrep", ["-P", String(postmaster)]).then(
      ({ stdout }) => [postmaster, ...stdout.split("\n").filter(Boolean).map(Number)],
      () => [postmaster],
    );
  };
  const cluster: PrivateCluster = {
    port,
    dir,
    url: (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      const extra = Object.entries(options.settings ?? {})
        .map(([name, value]) => ` -c ${name}=${value}`)
        .join("");
      const settings = `-p ${port} -k ${base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60${extra}`;
      await as("pg_ctl", ["-D", dir, "-o", settings, "-l", path.join(base, "log"), "-w", "-t", "60", "start"]);
    },
    async stop() {
      await as("pg_ctl", ["-D", dir, "-m", "fast", "-w", "stop"]);
    },
    async crash() {
      await as("pg_ctl", ["-D", dir, "-m", "immediate", "-w", "stop"]);
    },
    async pause() {
      for (const pid of await pids()) process.kill(pid, "SIGSTOP");
    },
    async resume() {
      for (const pid of await pids()) process.kill(pid, "SIGCONT");
    },
    async psql(sql, database = "postgres") {
      const { stdout } = await run("psql", [
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-U",
        "postgres",
        "-d",
        database,
        "-At",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        sql,
      ]);
      return stdout.trim();
    },
    log: () => readFileSync(path.join(base, "log"), "utf8"),
    async destroy() {
      await cluster.resume().catch(() => {});
      await as("pg_ctl", ["-D", dir, "-m", "immediate", "-w", "stop"]).catch(() => {});
      rmSync(base, { recursive: true, force: true });
    },
  };
  return cluster;
}

function uidOf(user: string): number {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no user ${user}`);
  return Number(line.split(":")[2]);
}

function gidOf(user: string): number {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${user}:`));
  return Number(line!.split(":")[3]);
}
