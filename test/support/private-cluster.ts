import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const BIN = "/usr/lib/postgresql/15/bin";

export interface PrivateCluster {
  url: string;
  port: number;
  dir: string;
  /** everything the server logged so far (with log_statement = all: every statement) */
  log(): string;
  stop(): void;
}

/**
 * A PostgreSQL cluster of a test's own (initdb in a temporary directory, another port), for
 * tests that need the server's configuration changed, its log, or to stop it: the shared
 * server is never touched. Runs as the `postgres` system user (initdb refuses root).
 */
export function startPrivateCluster(settings: Record<string, string> = {}): PrivateCluster {
  const dir = mkdtempSync(path.join(tmpdir(), "pgw-cluster-"));
  chmodSync(dir, 0o700);
  const { uid, gid } = userIds("postgres");
  chownSync(dir, uid, gid);
  const data = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  const port = 20000 + Math.floor(Math.random() * 20000);
  const as = (args: string[]) => execFileSync("runuser", ["-u", "postgres", "--", ...args], { stdio: "pipe" });
  as([`${BIN}/initdb`, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const options = [`-p ${port}`, `-k ${dir}`, "-c listen_addresses=127.0.0.1", "-c fsync=off", ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(" ");
  as([`${BIN}/pg_ctl`, "-D", data, "-l", logFile, "-o", options, "-w", "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    log: () => readFileSync(logFile, "utf8"),
    stop() {
      try {
        as([`${BIN}/pg_ctl`, "-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function userIds(name: string): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no system user ${name}`);
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}
