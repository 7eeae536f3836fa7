import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientRegistry } from "../../src/clients/client-registry";
import { seedDemoConsents } from "../../src/seed/demo-consents";
import { DEMO_CALLS } from "../../src/seed/demo-calls";
import { issueDemoKeys } from "../../src/seed/demo-clients";
import { seedDemoData } from "../../src/seed/demo-data";
import { seedDemoRecipients } from "../../src/seed/demo-recipients";
import { seedDemoStatistics } from "../../src/seed/demo-statistics";
import { codes, startTestGateway, type TestGateway } from "../support/test-gateway";

/**
 * Every example call `npm run demo` prints works on the demo data as `main.ts --demo` seeds
 * it (same order: data and keys, then the gateway, then recipients and consents): the
 * permitted ones return data without errors, the one meant to be refused is refused.
 */
let t: TestGateway;
let keys: Record<string, string>;

beforeAll(async () => {
  t = await startTestGateway();
  await seedDemoData(t.db, { customers: 2000 }); // the demo's default size (SEED_CUSTOMERS)
  keys = Object.fromEntries((await issueDemoKeys(new ClientRegistry(t.db))).map((k) => [k.name, k.key]));
  await seedDemoRecipients(t.db);
  await seedDemoConsents(t.db);
  await seedDemoStatistics(t.db);
  await seedDemoStatistics(t.db); // a second demo start changes nothing
});
afterAll(() => t?.stop());

describe("the demo's printed calls", () => {
  it.each(DEMO_CALLS.map((call) => [call.say, call] as const))("%s", async (_say, call) => {
    expect(keys[call.client], `no demo client ${call.client}`).toEqual(expect.any(String));
    const res = await t.gql(call.query, { key: keys[call.client] });
    if (call.refused) {
      expect(res.status).toBe(403);
      expect(res.body.data).toBeUndefined();
      expect(new Set(codes(res))).toEqual(new Set([call.refused]));
      return;
    }
    expect(res.body.errors).toBeUndefined();
    expect(res.status).toBe(200);
    // every call returns something: a non-empty list somewhere in its answer
    const lists = JSON.stringify(res.body.data).match(/\[\{/g) ?? [];
    expect(lists.length, JSON.stringify(res.body.data).slice(0, 300)).toBeGreaterThan(0);
  });

  it("the survey team reaches exactly the consenting customers", async () => {
    const call = DEMO_CALLS.find((c) => c.client === "demo-survey-team")!;
    const res = await t.gql(call.query.replace("first: 3", "first: 100"), { key: keys["demo-survey-team"] });
    const emails = res.body.data.customers.map((c: any) => c.email);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM customer c JOIN consent cn ON cn.customer_id = c.id
        WHERE cn.agreement_key = 'survey-2026' AND cn.withdrawn_at IS NULL AND c.deleted_at IS NULL AND c.email = ANY($1)`,
      [emails],
    );
    expect(emails.length).toBeGreaterThan(0);
    expect(n).toBe(emails.length);
  });

  it("the partner's consents are recorded under the policy version in force", async () => {
    const rows = await t.db.query(`SELECT DISTINCT policy_version FROM consent`);
    const [{ version }] = await t.db.query(
      `SELECT version FROM policy_version WHERE effective_at <= now() ORDER BY effective_at DESC LIMIT 1`,
    );
    expect(rows.map((r: any) => r.policy_version)).toEqual([version]);
  });
});
