import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { cli } from "../support/cli";
import { codes, eventually, startTestGateway, type TestGateway } from "../support/test-gateway";

/** Everyday friction, as a developer meets it on the command line and in the demo. */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "../..");
const clients = cli("clients");
const policy = cli("policy");

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t?.stop());

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: 0, stdout: "", stderr: "" }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe("clients CLI", () => {
  it("changes a client's purposes: the next request sees the new grant", async () => {
    const key = await t.client("regrant-me", [Purpose.SERVICE_PROVISION]);
    const { stdout } = await clients("set-purposes", "regrant-me", "NOTIFICATION,PRODUCT_IMPROVEMENT");
    expect(stdout).toContain("regrant-me is now granted NOTIFICATION, PRODUCT_IMPROVEMENT");
    await eventually(async () =>
      expect((await t.gql(`{ viewer { grantedPurposes } }`, { key })).body.data.viewer.grantedPurposes).toEqual([
        "NOTIFICATION",
        "PRODUCT_IMPROVEMENT",
      ]),
    );
    expect(await failure(clients("set-purposes", "regrant-me", "MARKETING"))).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("unknown purpose(s): MARKETING"),
    });
  });

  it("names a duplicate client clearly, not by its constraint", async () => {
    await clients("create", "twice", "--purposes", "SERVICE_PROVISION");
    const e = await failure(clients("create", "twice", "--purposes", "SERVICE_PROVISION"));
    expect(e.code).toBe(1);
    expect(e.stderr).toBe(
      'error: a client named "twice" already exists (rotate its key with `clients rotate twice`, or choose another name)\n',
    );
  });

  it("survives being piped into head", async () => {
    // enough clients that `list` outlives the reader
    await t.db.query(
      `INSERT INTO api_client (name, key_hash, key_prefix, purposes) SELECT 'bulk-' || i, md5(i::text) || md5((i * 7)::text), 'pgw_bulk', '{SERVICE_PROVISION}' FROM generate_series(1, 3000) i`,
    );
    const script = `set -o pipefail; "${process.execPath}" "${clients.script}" list | head -n 1`;
    const { stdout, stderr } = await run("bash", ["-c", script], {
      env: { ...process.env, DATABASE_URL: inject("databaseUrl"), LOG_LEVEL: "silent" },
    });
    expect(stdout.split("\n").filter(Boolean)).toHaveLength(1);
    expect(stderr).toBe("");
    await t.db.query(`DELETE FROM api_client WHERE name LIKE 'bulk-%'`);
  });
});

describe("policy CLI", () => {
  it("prints the text in force as a template, and publishes it with --dry-run without recording anything", async () => {
    const { stdout: template } = await policy("template");
    expect(template).toContain("Section 1: Purpose of Use");
    const dir = mkdtempSync(path.join(tmpdir(), "pgw-policy-"));
    try {
      const file = path.join(dir, "next.txt");
      writeFileSync(file, template);
      const before = await t.db.query(`SELECT count(*)::int AS n FROM policy_version`);
      const effective = new Date(Date.now() + 40 * 86_400_000).toISOString();
      const { stdout } = await policy("publish", "2027.1", "--text", file, "--summary", "Dry run.", "--effective", effective, "--dry-run");
      expect(stdout).toMatch(/^dry run: 2027\.1 could be published, effective /);
      expect(stdout).toContain("nothing was recorded");
      expect(await t.db.query(`SELECT count(*)::int AS n FROM policy_version`)).toEqual(before);
      // the dry run makes the checks a publication makes
      const complete = path.join(dir, "complete.txt");
      writeFileSync(complete, template);
      writeFileSync(file, template.replace(/^.*7\. 7\..*$/m, ""));
      const bad = await failure(policy("publish", "2027.1", "--text", file, "--summary", "x", "--effective", effective, "--dry-run"));
      expect(bad).toMatchObject({
        code: 1,
        stderr: expect.stringContaining("purpose INDIVIDUAL_AGREEMENT (clause 1.7) is missing from Section 1"),
      });
      const taken = await failure(policy("publish", "2026.1", "--text", complete, "--summary", "x", "--effective", effective, "--dry-run"));
      expect(taken).toMatchObject({ code: 1, stderr: expect.stringContaining("2026.1 already exists") });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("npm start / npm run demo", () => {
  it("do not recompile an up-to-date build, and notice a changed source", async () => {
    const build = path.join(ROOT, "scripts/build.mjs");
    const stamp = path.join(ROOT, "dist/.build-stamp");
    const original = statSync(stamp);
    const main = statSync(path.join(ROOT, "dist/src/main.js")).mtimeMs;
    try {
      utimesSync(stamp, new Date(), new Date()); // as just after a build
      await run(process.execPath, [build, "--if-stale"]);
      expect(statSync(path.join(ROOT, "dist/src/main.js")).mtimeMs).toBe(main); // nothing compiled
      expect(await failure(run(process.execPath, [build, "--check"]))).toMatchObject({ code: 0 });
      utimesSync(stamp, new Date("2000-01-01"), new Date("2000-01-01")); // as if a source changed since
      expect(await failure(run(process.execPath, [build, "--check"]))).toMatchObject({ code: 3 });
    } finally {
      utimesSync(stamp, original.atime, original.mtime);
    }
  });
});

describe("a second demo", () => {
  const main = path.join(ROOT, "dist/src/main.js");

  function startDemo(env: Record<string, string | undefined>): {
    child: ChildProcess;
    ready: Promise<{ url: string; shopKey: string; output: string }>;
  } {
    const child = spawn(process.execPath, [main, "--demo"], {
      env: { ...process.env, PORT: "0", SEED_CUSTOMERS: "60", LOG_LEVEL: "info", ERASURE_OUTBOX_INTERVAL_MS: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const ready = new Promise<{ url: string; shopKey: string; output: string }>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`demo exited with ${code}: ${output}`)));
      createInterface({ input: child.stdout! }).on("line", (line) => {
        output += line + "\n";
        const endpoint = /^GraphQL endpoint: (\S+)/m.exec(output);
        if (endpoint && line.startsWith("The published policy"))
          resolve({ url: endpoint[1], shopKey: /demo-shop-frontend\s+\S+\s+(pgw_\S+)/.exec(output)![1], output });
      });
    });
    return { child, ready };
  }

  /** SIGTERM (the demo's clean shutdown), SIGKILL if it has not ended within 15 s */
  async function stop(child: ChildProcess) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }

  async function secondDemo(env: Record<string, string | undefined>) {
    return failure(
      run(process.execPath, [main, "--demo"], { env: { ...process.env, PORT: "0", LOG_LEVEL: "silent", ...env }, timeout: 60_000 }),
    );
  }

  async function keyWorks(url: string, key: string) {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: "{ viewer { name } }" }),
    });
    return res.status === 200 && ((await res.json()) as any).data.viewer.name === "demo-shop-frontend";
  }

  it.each([
    // on a server, the demo lock; on the embedded store, the store's own lock (one gateway per store)
    [
      "on a PostgreSQL server",
      () => ({ DATABASE_URL: inject("databaseUrl") }),
      /^Another Purpose Gateway demo is running: .*\nIts keys were left alone/,
    ],
    [
      "on the embedded store",
      () => ({ DATABASE_URL: undefined, PGW_DATA_DIR: path.join(mkdtempSync(path.join(tmpdir(), "pgw-demo-")), "pglite") }),
      /^the embedded store in .* is already served by another gateway \(pid \d+\); stop that one first/,
    ],
  ])(
    "refuses clearly %s and leaves the running demo's keys alone",
    async (_where, envOf, message) => {
      const env: Record<string, string | undefined> = envOf();
      const first = startDemo(env);
      try {
        const { url, shopKey, output } = await first.ready;
        expect(output).toMatch(/seeding demo data: customers 60\/60/);
        expect(output).toContain(`GraphiQL (open it in a browser, paste a key above): ${url}`);
        expect(await keyWorks(url, shopKey)).toBe(true);
        const second = await secondDemo(env);
        expect(second.code).toBe(1);
        expect(second.stderr).toMatch(message);
        expect(await keyWorks(url, shopKey)).toBe(true);
      } finally {
        await stop(first.child);
        if (env.PGW_DATA_DIR) rmSync(path.dirname(env.PGW_DATA_DIR), { recursive: true, force: true });
      }
    },
    120_000,
  );
});

describe("an unknown purpose", () => {
  it("is BAD_USER_INPUT (400), as documented, naming the purposes there are", async () => {
    const key = await t.client("typo", [Purpose.SERVICE_PROVISION]);
    const res = await t.gql(`query Q @purpose(name: SERVICE_PROVISON) { customers(first: 1) { id } }`, { key });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.body.errors![0].message).toBe(
      '"SERVICE_PROVISON" is not a purpose of the Personal Information Handling Agreement; the purposes are SERVICE_PROVISION, PRIZE_DELIVERY, PRODUCT_IMPROVEMENT, NOTIFICATION, DATA_SUBJECT_REQUEST, USAGE_STATISTICS, INDIVIDUAL_AGREEMENT.',
    );
    const [event] = await t.db.query(`SELECT error_codes FROM audit_event ORDER BY seq DESC LIMIT 1`);
    expect(event.error_codes).toEqual(["BAD_USER_INPUT"]);
  });
});
