import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer, insertUsage } from "../support/fixtures";
import { createPrivateCluster, type PrivateCluster } from "../support/private-cluster";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/**
 * Minimisation in SQL, seen where it happens: the server's own statement log (a private
 * cluster with log_statement = all) shows what the gateway asked PostgreSQL for. A purpose's
 * read selects only the columns the operation reads, so a column the purpose may not read is
 * never even loaded into the process.
 */
let cluster: PrivateCluster;
let t: TestGateway;
let analyst: string;

const PERSONAL = /\b(full_name|email|phone|postal_code|street_address|birth_date)\b/;

/** The statements logged after `mark` (each `LOG:  statement:` / `execute` line). */
function statementsAfter(mark: string): string[] {
  const log = cluster.log();
  const tail = log.slice(log.lastIndexOf(mark));
  return tail.split(/\n(?=\S)/).filter((entry) => /LOG: {2}(statement|execute [^:]*):/.test(entry));
}

async function mark(): Promise<string> {
  const label = `mark-${Math.random().toString(36).slice(2)}`;
  await t.db.query(`SELECT '${label}'`);
  return label;
}

beforeAll(async () => {
  cluster = await createPrivateCluster({ settings: { log_statement: "all" } });
  await cluster.start();
  t = await startTestGateway({ databaseUrl: cluster.url() });
  analyst = await t.client("researcher", [Purpose.PRODUCT_IMPROVEMENT]);
  const customer = await insertCustomer(t.db, { fullName: "Minimal Person", prefecture: "Osaka", birthDate: "1980-06-01" });
  await insertUsage(t.db, customer.id, "Streaming", 1200, "2026-02-02T00:00:00Z");
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await cluster?.destroy();
});

describe("a PRODUCT_IMPROVEMENT customer list", () => {
  it("asks PostgreSQL for no name, e-mail, phone, postal code, street address or birth date column", async () => {
    const label = await mark();
    const res = await t.gql(
      `query Improve @purpose(name: PRODUCT_IMPROVEMENT) { customers(first: 50) { prefecture gender serviceUsage { service amount } } }`,
      {
        key: analyst,
      },
    );
    expect(res.body.data.customers).toEqual([
      { prefecture: "Osaka", gender: "FEMALE", serviceUsage: [{ service: "Streaming", amount: 1200 }] },
    ]);
    const reads = statementsAfter(label).filter((s) => /FROM customer c/.test(s));
    expect(reads).toHaveLength(1); // the customers and their usage: one statement
    expect(reads[0]).not.toMatch(PERSONAL);
    expect(reads[0]).toMatch(/c\.prefecture/);
  });

  it("reads an age band without loading the birth date: it is computed inside the statement", async () => {
    const label = await mark();
    const res = await t.gql(`query Improve @purpose(name: PRODUCT_IMPROVEMENT) { customers(first: 50) { ageBand region } }`, {
      key: analyst,
    });
    expect(res.body.data.customers).toEqual([{ ageBand: "AGE_40_49", region: "Kansai" }]);
    const [read] = statementsAfter(label).filter((s) => /FROM customer c/.test(s));
    // the birth date appears only inside the CASE that computes the band; no column returns it
    const selected = read.slice(read.indexOf("SELECT"), read.indexOf("FROM customer c"));
    for (const column of selected.split(/,(?![^()]*\))/)) {
      if (/birth_date/.test(column)) expect(column).toMatch(/^\s*\(CASE WHEN c\.birth_date IS NULL/);
    }
    expect(read).not.toMatch(/\b(full_name|email|phone|postal_code|street_address)\b/);
  });
});
