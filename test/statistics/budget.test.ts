import { inject, afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/data-source";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { startGateway } from "../../src/server/create-gateway";
import { PrivacyLedger } from "../../src/features/statistics/ledger";
import { currentMonth, monthIndex, monthOf } from "../../src/features/statistics/months";
import { GRAPHQL_RESPONSE, startTestGateway, testSettings, type TestGateway } from "../support/test-gateway";
import { ask, customersQuery, errorCodes, spentBy } from "./helpers";
import { seedCrowds } from "./population";

let t: TestGateway;

beforeAll(async () => {
  process.env.STATS_EPSILON = "1";
  process.env.STATS_BUDGET = "3"; // three queries a month
  t = await startTestGateway();
  await seedCrowds(t.db);
});
afterAll(async () => {
  delete process.env.STATS_BUDGET;
  await t?.stop();
});

/** Distinct queries (each a different grouping, so none is a repeat of another). */
const DISTINCT = ["groupBy: [GENDER]", "groupBy: [PREFECTURE]", "groupBy: [AGE_BAND]", "groupBy: [REGION]", "groupBy: [GENDER, REGION]", "groupBy: [AGE_BAND, GENDER]"];

describe("the privacy budget", () => {
  it("spends ε per query, refuses the query that would exceed it with PRIVACY_BUDGET_EXHAUSTED, and spends nothing then", async () => {
    const key = await t.client("analyst-a", [Purpose.USAGE_STATISTICS]);
    const remaining = [];
    for (const args of DISTINCT.slice(0, 3)) {
      const answer = await ask(t, key, customersQuery(args));
      expect(answer.epsilonSpent).toBe(1);
      remaining.push(answer.budgetRemaining);
    }
    expect(remaining).toEqual([2, 1, 0]);
    expect(await spentBy(t, "analyst-a")).toBe(3);

    const before = await t.dataQueries();
    const refused = await t.gql(customersQuery(DISTINCT[3]), { key });
    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(["PRIVACY_BUDGET_EXHAUSTED"]);
    expect(refused.body.errors![0].extensions).toMatchObject({ budgetRemaining: 0, epsilonRequired: 1, budgetPeriod: expect.stringMatching(/^\d{4}-\d{2}$/) });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.body.data).toBeNull();
    expect(JSON.stringify(refused.body)).not.toMatch(/stack|SELECT|statistics_budget/);
    // nothing spent, nothing computed
    expect(await spentBy(t, "analyst-a")).toBe(3);
    expect(await t.dataQueries()).toBe(before);
  });

  it("still answers a repeat of an earlier query for free once the budget is gone", async () => {
    const key = await t.client("analyst-b", [Purpose.USAGE_STATISTICS]);
    const first = await ask(t, key, customersQuery(DISTINCT[0]));
    await ask(t, key, customersQuery(DISTINCT[1]));
    await ask(t, key, customersQuery(DISTINCT[2]));
    const repeat = await ask(t, key, customersQuery(DISTINCT[0]));
    expect(repeat.repeated).toBe(true);
    expect(repeat.epsilonSpent).toBe(0);
    expect(repeat.budgetRemaining).toBe(0);
    expect(repeat.buckets).toEqual(first.buckets);
    expect(await spentBy(t, "analyst-b")).toBe(3);
  });

  it("keeps a budget per client", async () => {
    const key = await t.client("analyst-c", [Purpose.USAGE_STATISTICS]);
    const answer = await ask(t, key, customersQuery(DISTINCT[3]));
    expect(answer.budgetRemaining).toBe(2);
  });

  it("lets concurrent queries spend no more than the budget (one atomic UPDATE each)", async () => {
    const key = await t.client("analyst-d", [Purpose.USAGE_STATISTICS]);
    const results = await Promise.all(DISTINCT.map((args) => t.gql(customersQuery(args), { key })));
    const ok = results.filter((r) => r.status === 200 && !r.body.errors);
    const refused = results.filter((r) => errorCodes(r).includes("PRIVACY_BUDGET_EXHAUSTED"));
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(DISTINCT.length - 3);
    expect(await spentBy(t, "analyst-d")).toBe(3);
  });

  it("refuses an operation's second field when the budget covers only the first", async () => {
    const key = await t.client("analyst-e", [Purpose.USAGE_STATISTICS]);
    await ask(t, key, customersQuery(DISTINCT[0]));
    await ask(t, key, customersQuery(DISTINCT[1]));
    const res = await t.gql(
      `query Two @purpose(name: USAGE_STATISTICS) { statistics {
         a: customers(groupBy: [AGE_BAND]) { buckets { customers } }
         b: customers(groupBy: [REGION]) { buckets { customers } } } }`,
      { key },
    );
    expect(errorCodes(res)).toEqual(["PRIVACY_BUDGET_EXHAUSTED"]);
    expect(await spentBy(t, "analyst-e")).toBe(3);
  });

  it("persists the budget: a restarted gateway still refuses", async () => {
    const key = await t.client("analyst-f", [Purpose.USAGE_STATISTICS]);
    for (const args of DISTINCT.slice(0, 3)) await ask(t, key, customersQuery(args));
    const db = await openDatabase({ url: inject("databaseUrl"), poolSize: 2 });
    const restarted = await startGateway({ db, settings: testSettings() });
    try {
      const res = await fetch(restarted.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: GRAPHQL_RESPONSE, authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: customersQuery(DISTINCT[4]) }),
      });
      expect(res.status).toBe(429);
      expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe("PRIVACY_BUDGET_EXHAUSTED");
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      // the same rule as every refusal: with application/json, 200 and the error in the body (Retry-After kept)
      const json = await fetch(restarted.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: customersQuery(DISTINCT[4]) }),
      });
      expect(json.status).toBe(200);
      expect(Number(json.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await json.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe("PRIVACY_BUDGET_EXHAUSTED");
    } finally {
      await restarted.stop();
      await db.destroy();
    }
  });

  it("through the gateway: last period's spending does not count in this one", async () => {
    const key = await t.client("analyst-h", [Purpose.USAGE_STATISTICS]);
    const [{ id }] = await t.db.query(`SELECT id FROM api_client WHERE name = 'analyst-h'`);
    await t.db.query(`INSERT INTO statistics_budget (client_id, period, spent_micro) VALUES ($1, $2, 3000000)`, [id, previousPeriod()]);
    const answer = await ask(t, key, customersQuery(DISTINCT[0]));
    expect(answer.budgetPeriod).toBe(currentPeriod());
    expect(answer.epsilonSpent).toBe(1);
    expect(answer.budgetRemaining).toBe(2);
  });

  it("opens a fresh budget each period", async () => {
    const key = await t.client("analyst-g", [Purpose.USAGE_STATISTICS]);
    for (const args of DISTINCT.slice(0, 3)) await ask(t, key, customersQuery(args));
    const [{ id }] = await t.db.query(`SELECT id FROM api_client WHERE name = 'analyst-g'`);
    const ledger = new PrivacyLedger(t.db);
    expect(await ledger.spend(id, "2099-01", 1_000_000, 3_000_000)).toBe(1_000_000);
    expect(await ledger.spend(id, currentPeriod(), 1_000_000, 3_000_000)).toBeNull();
  });
});

const currentPeriod = () => currentMonth("Asia/Tokyo");
const previousPeriod = () => monthOf(monthIndex(currentPeriod())! - 1);
