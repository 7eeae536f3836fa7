import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataSource } from "typeorm";
import { ClientRegistry } from "../../src/clients/client-registry";
import { openDatabase } from "../../src/db/data-source";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { logger } from "../../src/observability/logger";
import { insertCustomer } from "../support/fixtures";
import { createPrivateCluster, type PrivateCluster } from "../support/private-cluster";
import { post, spawnGateway, type GatewayProcess } from "../support/processes";
import { eventually } from "../support/test-gateway";

/**
 * Outages as an operator sees them (issue 11), on a PostgreSQL cluster of this file's own:
 * a gateway started before its database, a database that hangs (SIGSTOP), one that restarts.
 * Every answer during an outage is a 503 with a code and no data, within the configured
 * bounds; the gateway recovers by itself, its authentication cache included; the log stays short.
 */
let cluster: PrivateCluster;
let gateway: GatewayProcess;
let url: string;
let db: DataSource;
let key: string;
let query: string;
const secret = { fullName: "Outage Secret-Person", email: "outage.secret@example.jp" };

const metric = async (name: string) => {
  const text = await (await fetch(url.replace("/graphql", "/metrics"))).text();
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
};
const timed = async <T>(work: () => Promise<T>) => {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
};

beforeAll(async () => {
  logger.level = "silent"; // this process's own connections to the cluster break too
  cluster = await createPrivateCluster();
}, 120_000);
afterAll(async () => {
  if (gateway?.child.exitCode === null) gateway.child.kill("SIGKILL");
  await db?.destroy().catch(() => {});
  await cluster?.destroy();
});

describe("outages", { timeout: 120_000 }, () => {
  it("a gateway started before its database waits for it with back-off, then serves", async () => {
    gateway = spawnGateway({
      DATABASE_URL: cluster.url(),
      STARTUP_WAIT_MS: "60000",
      DB_STATEMENT_TIMEOUT_MS: "1000",
      DB_CONNECT_TIMEOUT_MS: "1000",
      REQUEST_TIMEOUT_MS: "3000",
      AUTH_CACHE_TTL_MS: "60000",
      LOG_THROTTLE_MS: "60000",
    });
    await eventually(async () => expect(gateway.lines.some((l) => l.msg === "database not reachable yet: waiting")).toBe(true), 60_000);
    expect(gateway.child.exitCode).toBeNull();
    await cluster.start();
    url = await gateway.ready;
    db = await openDatabase({ url: cluster.url(), poolSize: 2, migrate: false });
    key = (await new ClientRegistry(db).create("outage-shop", [Purpose.SERVICE_PROVISION])).key;
    const { id } = await insertCustomer(db, secret);
    query = `query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${id}") { fullName email } }`;
    expect((await post(url, query, key)).body.data.customer.fullName).toBe(secret.fullName);
    expect((await fetch(url.replace("/graphql", "/readyz"))).status).toBe(200);
  });

  it("a hung database: every request is answered 503 with a code and no data within the bound; readiness says so", async () => {
    await cluster.pause();
    try {
      const answers = await Promise.all(Array.from({ length: 12 }, () => timed(() => post(url, query, key))));
      for (const { value, ms } of answers) {
        expect(value.status).toBe(503);
        expect(["STORE_UNAVAILABLE", "REQUEST_TIMEOUT", "AUDIT_UNAVAILABLE"]).toContain(value.body.errors?.[0]?.extensions?.code);
        expect(JSON.stringify(value.body)).not.toContain(secret.fullName);
        expect(ms).toBeLessThan(3000 + 1500); // REQUEST_TIMEOUT_MS and scheduling slack
      }
      const ready = await timed(() => fetch(url.replace("/graphql", "/readyz")));
      expect(ready.value.status).toBe(503);
      expect(await ready.value.json()).toMatchObject({
        status: "unavailable",
        checks: { database: expect.stringMatching(/timeout|unavailable/) },
      });
      expect((await fetch(url.replace("/graphql", "/healthz"))).status).toBe(200); // alive: do not restart it
    } finally {
      await cluster.resume();
    }
    await eventually(async () => expect((await post(url, query, key)).status).toBe(200), 20_000);
  });

  it("a restarted database: 503 (never 500) while it is down, then served again, the authentication cache on again", async () => {
    expect(await metric("pgw_auth_cache_active")).toBe(1);
    await cluster.stop();
    const down = await Promise.all(Array.from({ length: 40 }, () => post(url, query, key)));
    for (const answer of down) {
      expect(answer.status).toBe(503);
      expect(["STORE_UNAVAILABLE", "AUDIT_UNAVAILABLE"]).toContain(answer.body.errors?.[0]?.extensions?.code);
      expect(JSON.stringify(answer.body)).not.toContain(secret.fullName);
    }
    // a key the cache has never seen must be looked up: that is a 503 too, not a 500
    const unknown = await post(url, query, "pgw_" + "z".repeat(43));
    expect(unknown.status).toBe(503);
    expect((await fetch(url.replace("/graphql", "/readyz"))).status).toBe(503);
    await cluster.start();

    await eventually(async () => expect((await post(url, query, key)).body.data?.customer?.fullName).toBe(secret.fullName), 20_000);
    await eventually(async () => expect(await metric("pgw_auth_cache_active")).toBe(1), 20_000);
    const lookups = await metric("pgw_key_lookups_total");
    for (let i = 0; i < 30; i++) expect((await post(url, query, key)).status).toBe(200);
    expect((await metric("pgw_key_lookups_total")) - lookups).toBeLessThanOrEqual(1); // cached again, not one lookup per request
    expect((await fetch(url.replace("/graphql", "/readyz"))).status).toBe(200);
  });

  it("logged the outages in a few lines, with counts, and without a personal value or statement parameter", () => {
    const problems = gateway.lines.filter((l) => l.level >= 40);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.length).toBeLessThan(25); // over 60 failed requests, each of which used to log several lines
    const text = JSON.stringify(gateway.lines);
    expect(text).not.toContain(secret.email);
    expect(text).not.toContain(secret.fullName);
    expect(text).not.toMatch(/"parameters"/);
  });
});
