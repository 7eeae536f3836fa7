import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import { readOwner, tryLockStore } from "../../src/db/store-lock";
import { post, runCli, spawnGateway, type GatewayProcess } from "../support/processes";

/**
 * The embedded store has one owner (issue 11), tried with real processes as an operator
 * would: gateways and CLI commands started against one PGW_DATA_DIR, in races, killed -9,
 * and pointed at a stale address.
 */
const base = mkdtempSync(path.join(os.tmpdir(), "pgw-embedded-"));
const dataDir = path.join(base, "store");
const runDir = `${dataDir}.run`;
const env = { PGW_DATA_DIR: dataDir, STARTUP_WAIT_MS: "60000", SHUTDOWN_GRACE_MS: "5000" };
const viewer = `{ viewer { name } }`;
const running: GatewayProcess[] = [];
const gateway = (extra: Record<string, string> = {}) => {
  const g = spawnGateway({ ...env, ...extra });
  running.push(g);
  return g;
};

afterAll(async () => {
  for (const g of running) if (g.child.exitCode === null && g.child.signalCode === null) g.child.kill("SIGKILL");
  rmSync(base, { recursive: true, force: true });
});

let served: GatewayProcess;
let url: string;
let key: string;
let shortLived: string;

describe("one owner per embedded store", { timeout: 180_000 }, () => {
  it("two gateways and a CLI command started together: one gateway serves, the other refuses, the CLI's write is kept", async () => {
    const first = gateway();
    const early = runCli("clients", ["create", "durable", "--purposes", "SERVICE_PROVISION", "--key-only"], env);
    await new Promise((r) => setTimeout(r, 150));
    const second = gateway();
    const outcome = await Promise.race([
      first.exited.then(() => ({ refused: first, serving: second })),
      second.exited.then(() => ({ refused: second, serving: first })),
    ]);
    expect((await outcome.refused.exited).code).toBe(1);
    expect(outcome.refused.stderr()).toMatch(/already served by another gateway \(pid \d+\)/);
    served = outcome.serving;
    url = await served.ready;
    expect((await fetch(url.replace("/graphql", "/healthz"))).status).toBe(200);
    const created = await early; // ran during the start-up: either before the gateway (holding the store) or through it
    expect(created).toMatchObject({ code: 0 });
    key = created.stdout.trim();
    expect((await post(url, viewer, key)).body.data.viewer.name).toBe("durable");
  });

  it("a CLI command while the gateway runs goes through it; its writes are the gateway's at once", async () => {
    const created = await runCli("clients", ["create", "short-lived", "--purposes", "SERVICE_PROVISION", "--key-only"], env);
    expect(created).toMatchObject({ code: 0 });
    shortLived = created.stdout.trim();
    expect((await post(url, viewer, shortLived)).status).toBe(200);
  });

  it("is reachable only by its owner's user: private directories, socket, no TCP port", async () => {
    expect(statSync(runDir).mode & 0o777).toBe(0o700);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const owner = readOwner(runDir)!;
    expect(owner).toMatchObject({ role: "gateway", pid: served.child.pid, storeId: expect.any(String) });
    expect(owner.url).toMatch(/^postgres:\/\/postgres@\/postgres\?host=/);
    expect(existsSync(`${dataDir}.address`)).toBe(false);
    if (process.getuid?.() === 0) {
      // another local user: cannot enter the directories, so cannot connect or read a file
      const socket = path.join(decodeURIComponent(/host=([^&]+)/.exec(owner.url!)![1]), ".s.PGSQL.5432");
      const probe = `require("net").connect(${JSON.stringify(socket)}).on("connect",()=>{console.log("CONNECTED");process.exit(0)}).on("error",e=>{console.log(e.code);process.exit(0)})`;
      const { stdout } = await promisify(execFile)("setpriv", [
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        process.execPath,
        "-e",
        probe,
      ]);
      expect(stdout.trim()).toBe("EACCES");
      const read = await promisify(execFile)("setpriv", [
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        "cat",
        path.join(dataDir, "PG_VERSION"),
      ]).catch((e) => e);
      expect(read.stderr).toContain("Permission denied");
    }
  });

  it("a recorded address that answers as another store is never used", async () => {
    const storeId = readOwner(runDir)!.storeId!;
    const other = inject("databaseUrl"); // the test database: another store
    const otherDir = path.join(base, "other");
    const otherRun = `${otherDir}.run`;
    // otherDir's lock is held (by this test) and its lock file names the wrong store's socket
    const lock = tryLockStore(otherRun)!;
    lock.record({ pid: process.pid, role: "gateway", startedAt: new Date().toISOString(), url: other, storeId });
    try {
      const result = await runCli("clients", ["list"], { PGW_DATA_DIR: otherDir, STARTUP_WAIT_MS: "1500" });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/answers as another store/);
    } finally {
      lock.release();
    }
  });

  it("survives kill -9: every answered request's event is kept, the chain verifies, a CLI opens the store again", async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => post(url, viewer, key)));
    const ok = answers.filter((a) => a.status === 200).length;
    expect(ok).toBe(40);
    served.child.kill("SIGKILL");
    await served.exited;
    expect(existsSync(path.join(runDir, "lock"))).toBe(true); // left behind, but no longer locked

    const verify = await runCli("audit", ["verify", "--json"], env);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
    const events = JSON.parse((await runCli("audit", ["events", "--json", "--limit", "10000"], env)).stdout) as Array<{
      clientName: string | null;
      httpStatus: number;
    }>;
    expect(events.filter((e) => e.clientName === "durable" && e.httpStatus === 200).length).toBeGreaterThanOrEqual(ok + 1);
    expect(existsSync(runDir)).toBe(false); // the CLI, owner for its run, left nothing behind
  });

  it("a gateway waits while a CLI command holds the store; a revocation during its start-up holds", async () => {
    const lock = tryLockStore(runDir)!;
    lock.record({ pid: process.pid, role: "cli", startedAt: new Date().toISOString() });
    const waiting = gateway();
    await new Promise((r) => setTimeout(r, 1500));
    expect(waiting.child.exitCode).toBeNull();
    expect(waiting.lines.some((l) => l.msg === "Purpose Gateway ready")).toBe(false);
    lock.release();
    const revoked = runCli("clients", ["revoke", "short-lived"], env);
    served = waiting;
    url = await waiting.ready;
    expect(await revoked).toMatchObject({ code: 0, stdout: expect.stringContaining("revoked short-lived") });
    expect((await post(url, viewer, shortLived)).status).toBe(401);
    expect((await post(url, viewer, key)).body.data.viewer.name).toBe("durable");
  });
});

describe("clean shutdown", { timeout: 180_000 }, () => {
  it("SIGTERM with requests in flight: each answered one is audited, exit 0, no lock or socket left", async () => {
    const inFlight = Array.from({ length: 30 }, () => post(url, viewer, key).catch(() => ({ status: 0, body: null })));
    await Promise.race(inFlight); // the gateway is busy with the others now
    served.child.kill("SIGTERM");
    const answers = await Promise.all(inFlight);
    expect(await served.exited).toEqual({ code: 0, signal: null });
    expect(served.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(["shutting down", "stopped"]));
    expect(existsSync(runDir)).toBe(false);
    const answered = answers.filter((a) => a.status === 200).length;
    expect(answered).toBeGreaterThan(1);
    // the rest were refused at the door once the listener closed: no response, nothing to audit
    expect(answers.every((a) => a.status === 200 || a.status === 0)).toBe(true);

    const events = JSON.parse((await runCli("audit", ["events", "--json", "--limit", "10000"], env)).stdout) as Array<{
      clientName: string | null;
    }>;
    // 1 + 40 + 1 requests before, then this test's answered ones
    expect(events.filter((e) => e.clientName === "durable").length).toBeGreaterThanOrEqual(42 + answered);
    expect(readFileSync(path.join(dataDir, "PG_VERSION"), "utf8").trim()).toMatch(/^\d+$/);
  });
});
