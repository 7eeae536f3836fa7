import { inject, afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/data-source";
import { CompanyBudget } from "../../src/features/statistics/budget/company-budget";
import { monthIndex, monthOf } from "../../src/features/statistics/months";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { startGateway } from "../../src/server/create-gateway";
import { GRAPHQL_RESPONSE, startTestGateway, testSettings, type TestGateway } from "../support/test-gateway";
import { ask, companySpent, customersQuery, errorCodes, organisation, setCompanyBudget, spentBy, statisticsClient } from "./helpers";
import { seedCrowds } from "./population";

/**
 * One privacy budget for the company (issue 9): a period budget and a lifetime cap set by the
 * privacy officer, shared out among organisations; every client of an organisation draws on
 * the same allocation; an answer released this period is everyone's, free.
 */
let t: TestGateway;
let budget: CompanyBudget;

beforeAll(async () => {
  process.env.STATS_EPSILON = "1";
  t = await startTestGateway();
  await seedCrowds(t.db);
  budget = new CompanyBudget(t.db);
  await setCompanyBudget(t, 100, 1000);
});
afterAll(async () => {
  await t?.stop();
});

/** Distinct queries (each a different grouping, so none is a repeat of another). */
const DISTINCT = [
  "groupBy: [GENDER]",
  "groupBy: [PREFECTURE]",
  "groupBy: [AGE_BAND]",
  "groupBy: [REGION]",
  "groupBy: [GENDER, REGION]",
  "groupBy: [AGE_BAND, GENDER]",
];
/** A question of its own per test (so no test is answered from another's stored answer). */
const own = (n: number, args: string) => `${args}, filter: { signupMonth: { from: "2000-01", to: "${2000 + n}-12" } }`;

describe("the company privacy budget", () => {
  it("charges an organisation ε per question, refuses beyond its allocation with exact extensions, and spends and computes nothing then", async () => {
    await organisation(t, "org-a", 2.5);
    const key = await statisticsClient(t, "analyst-a", "org-a");
    const remaining = [];
    for (const args of DISTINCT.slice(0, 2)) {
      const answer = await ask(t, key, customersQuery(own(1, args)));
      expect(answer.epsilonSpent).toBe(1);
      remaining.push(answer.budgetRemaining);
    }
    expect(remaining).toEqual([1.5, 0.5]);
    expect(await spentBy(t, "org-a")).toBe(2);

    const before = await t.dataQueries();
    const refused = await t.gql(customersQuery(own(1, DISTINCT[2])), { key });
    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(["PRIVACY_BUDGET_EXHAUSTED"]);
    const period = await budget.currentPeriod();
    const extensions = refused.body.errors![0].extensions!;
    // exact: 0.5 of the allocation is left, which is less than the 1 this question needs
    expect(extensions).toEqual({
      code: "PRIVACY_BUDGET_EXHAUSTED",
      budgetPeriod: period,
      budgetRemaining: 0.5,
      epsilonRequired: 1,
      budgetLimit: "ORGANISATION_ALLOCATION",
      retryAfterSeconds: Number(refused.headers.get("retry-after")),
    });
    expect(extensions.retryAfterSeconds).toBeGreaterThan(0);
    expect(extensions.retryAfterSeconds).toBeLessThanOrEqual(31 * 86400);
    expect(refused.body.errors![0].message).toContain("has 0.5 left");
    expect(refused.body.errors![0].path).toEqual(["statistics", "customers"]);
    expect(JSON.stringify(refused.body)).not.toMatch(/stack|SELECT|statistics_spending/);
    expect(await spentBy(t, "org-a")).toBe(2);
    expect(await t.dataQueries()).toBe(before);
  });

  it("never says budget remains when none does", async () => {
    await organisation(t, "org-zero", 2);
    const key = await statisticsClient(t, "analyst-zero", "org-zero");
    await ask(t, key, customersQuery(own(2, DISTINCT[0])));
    const last = await ask(t, key, customersQuery(own(2, DISTINCT[1])));
    expect(last.budgetRemaining).toBe(0);
    const refused = await t.gql(customersQuery(own(2, DISTINCT[2])), { key });
    expect(refused.body.errors![0].extensions).toMatchObject({ budgetRemaining: 0, epsilonRequired: 1 });
    expect(refused.body.errors![0].message).toContain("has 0 left");
  });

  it("twenty clients of one organisation get identical answers and share one allocation", async () => {
    await organisation(t, "org-twenty", 3);
    const keys = [];
    for (let i = 0; i < 20; i++) keys.push(await statisticsClient(t, `twenty-${i}`, "org-twenty"));
    const first = await ask(t, keys[0], customersQuery(own(3, DISTINCT[1])));
    expect(first.epsilonSpent).toBe(1);
    for (const key of keys.slice(1)) {
      const again = await ask(t, key, customersQuery(own(3, DISTINCT[1])));
      expect(again).toMatchObject({ repeated: true, epsilonSpent: 0, buckets: first.buckets });
    }
    // averaging across clients gains nothing; and a new client brings no new budget
    await ask(t, keys[5], customersQuery(own(3, DISTINCT[2])));
    await ask(t, keys[9], customersQuery(own(3, DISTINCT[3])));
    const newcomer = await statisticsClient(t, "twenty-new", "org-twenty");
    for (const key of [...keys, newcomer]) {
      const refused = await t.gql(customersQuery(own(3, DISTINCT[4])), { key });
      expect(errorCodes(refused)).toEqual(["PRIVACY_BUDGET_EXHAUSTED"]);
    }
    expect(await spentBy(t, "org-twenty")).toBe(3);
  });

  it("an answer is public within the period: another organisation gets it free, and cannot exceed its own allocation", async () => {
    await organisation(t, "org-first", 5);
    await organisation(t, "org-second", 1);
    const first = await statisticsClient(t, "first-1", "org-first");
    const second = await statisticsClient(t, "second-1", "org-second");
    const a = await ask(t, first, customersQuery(own(4, DISTINCT[0])));
    const b = await ask(t, second, customersQuery(own(4, DISTINCT[0])));
    expect(b).toMatchObject({ repeated: true, epsilonSpent: 0, buckets: a.buckets, budgetRemaining: 1 });
    await ask(t, second, customersQuery(own(4, DISTINCT[1])));
    const refused = await t.gql(customersQuery(own(4, DISTINCT[2])), { key: second });
    expect(refused.body.errors![0].extensions).toMatchObject({
      code: "PRIVACY_BUDGET_EXHAUSTED",
      budgetRemaining: 0,
      budgetLimit: "ORGANISATION_ALLOCATION",
    });
    expect(await spentBy(t, "org-second")).toBe(1);
    // the first organisation's own allocation is untouched by the second's spending
    expect((await ask(t, first, customersQuery(own(4, DISTINCT[2])))).budgetRemaining).toBe(3);
  });

  it("computes and charges concurrent identical questions once, from clients of different organisations", async () => {
    await organisation(t, "org-concurrent-a", 2);
    await organisation(t, "org-concurrent-b", 2);
    const keys = [];
    for (let i = 0; i < 20; i++) keys.push(await statisticsClient(t, `concurrent-${i}`, i % 2 ? "org-concurrent-a" : "org-concurrent-b"));
    const before = await t.dataQueries();
    const spentBefore = await companySpent(t);
    const results = await Promise.all(keys.map((key) => t.gql(customersQuery(own(5, DISTINCT[3])), { key })));
    for (const r of results) expect(r.body.errors).toBeUndefined();
    const answers = results.map((r) => r.body.data.statistics.customers);
    expect(answers.filter((a) => !a.repeated)).toHaveLength(1);
    expect(answers.filter((a) => a.epsilonSpent === 1)).toHaveLength(1);
    for (const answer of answers) expect(answer.buckets).toEqual(answers[0].buckets);
    expect(await companySpent(t)).toBe(spentBefore + 1);
    expect(await t.dataQueries()).toBe(before + 1);
  });

  it("answers a question whose first asker died mid-answer once the claim is abandoned, and waits for a live one", async () => {
    const id = await organisation(t, "org-abandoned", 4);
    const key = await statisticsClient(t, "analyst-abandoned", "org-abandoned");
    const period = await budget.currentPeriod();
    // a pending claim of this very question, left three minutes ago by a gateway that died
    const question = customersQuery(own(11, DISTINCT[0]));
    const pending = async (age: string) => {
      await t.db.query(`DELETE FROM statistics_answer WHERE organisation_id = $1`, [id]);
      await ask(t, key, question); // store it once, to learn its hash
      const [{ query_hash }] = await t.db.query(`SELECT query_hash FROM statistics_answer WHERE organisation_id = $1`, [id]);
      await t.db.query(
        `UPDATE statistics_answer SET result = NULL, released_at = NULL, asked_at = now() - $2::interval WHERE period = $1 AND query_hash = $3`,
        [period, age, query_hash],
      );
      return query_hash as string;
    };
    await pending("3 minutes");
    const answer = await ask(t, key, question);
    expect(answer).toMatchObject({ repeated: false, epsilonSpent: 1 });
    // a live claim (just made) is waited for, not taken over: the waiter returns its answer
    const hash = await pending("0 seconds");
    const waiting = t.gql(question, { key });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await t.db.query(`UPDATE statistics_answer SET result = $2::jsonb, released_at = now() WHERE query_hash = $1`, [
      hash,
      JSON.stringify({ buckets: [], possibleBuckets: 4, minGroupSize: 10, releaseThreshold: 24, noise: [], epsilonMicro: 1_000_000 }),
    ]);
    const waited = await waiting;
    expect(waited.body.data.statistics.customers).toMatchObject({ repeated: true, epsilonSpent: 0, buckets: [] });
  });

  it("lets concurrent distinct questions spend no more than the allocation", async () => {
    await organisation(t, "org-d", 3);
    const key = await statisticsClient(t, "analyst-d", "org-d");
    const results = await Promise.all(DISTINCT.map((args) => t.gql(customersQuery(own(6, args)), { key })));
    const ok = results.filter((r) => r.status === 200 && !r.body.errors);
    const refused = results.filter((r) => errorCodes(r).includes("PRIVACY_BUDGET_EXHAUSTED"));
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(DISTINCT.length - 3);
    expect(await spentBy(t, "org-d")).toBe(3);
  });

  it("answers the other fields of a request when one is refused: the refused field is null with its error", async () => {
    await organisation(t, "org-e", 2);
    const key = await statisticsClient(t, "analyst-e", "org-e");
    await ask(t, key, customersQuery(own(7, DISTINCT[0])));
    const res = await t.gql(
      `query Three @purpose(name: USAGE_STATISTICS) { statistics {
         a: customers(${own(7, DISTINCT[0])}) { buckets { customers } repeated }
         b: customers(${own(7, DISTINCT[1])}) { buckets { customers } epsilonSpent }
         c: customers(${own(7, DISTINCT[2])}) { buckets { customers } epsilonSpent } } }`,
      { key },
    );
    expect(res.status).toBe(200); // data present: a partial answer, not a refusal
    const { a, b, c } = res.body.data.statistics;
    expect(a.repeated).toBe(true);
    // fields resolve concurrently: exactly one of b and c got the last ε
    const answered = [b, c].filter(Boolean);
    expect(answered).toHaveLength(1);
    expect(answered[0].epsilonSpent).toBe(1);
    expect(res.body.errors).toHaveLength(1);
    const error = res.body.errors![0];
    expect(error.extensions).toMatchObject({ code: "PRIVACY_BUDGET_EXHAUSTED", budgetRemaining: 0, epsilonRequired: 1 });
    expect(error.path).toEqual(["statistics", b ? "c" : "b"]);
    expect(await spentBy(t, "org-e")).toBe(2);
  });

  it("refuses a statistics client of no organisation (it has no budget), computing nothing", async () => {
    const key = await t.client("orphan-analyst", [Purpose.USAGE_STATISTICS]);
    const before = await t.dataQueries();
    const res = await t.gql(customersQuery(DISTINCT[0]), { key });
    expect(res.status).toBe(403);
    expect(errorCodes(res)).toEqual(["STATISTICS_NO_ORGANISATION"]);
    expect(res.body.data ?? null).toBeNull();
    expect(await t.dataQueries()).toBe(before);
  });

  it("keeps allocations plus release spending within the company's period budget", async () => {
    const state = await budget.state();
    const room = state.periodBudgetMicro - state.committedMicro - state.releaseSpentMicro;
    const id = await organisation(t, "org-greedy", 0);
    await expect(budget.allocate(id, room + 1)).rejects.toThrow(/exceed the company's period budget/);
    await budget.allocate(id, room); // exactly the rest: allowed
    // now nothing is left for releases
    await expect(budget.spendForRelease(t.db, "release-too-much", 1)).rejects.toMatchObject({
      extensions: { code: "PRIVACY_BUDGET_EXHAUSTED", budgetRemaining: 0, budgetLimit: "COMPANY_PERIOD_BUDGET" },
    });
    await budget.allocate(id, room - 2_000_000);
    expect(await budget.spendForRelease(t.db, "release-1", 2_000_000)).toEqual({ period: await budget.currentPeriod() });
    await expect(budget.spendForRelease(t.db, "release-2", 1)).rejects.toMatchObject({ extensions: { budgetRemaining: 0 } });
    // lowering the budget below what is allocated or spent is refused
    await expect(setCompanyBudget(t, 99, 1000)).rejects.toThrow(/below what is allocated/);
    await budget.allocate(id, 0);
  });

  it("a release charged in the caller's transaction rolls back with it", async () => {
    const before = await companySpent(t);
    await expect(
      t.db.transaction(async (tx) => {
        await budget.spendForRelease(tx, "release-rolled-back", 1_000_000);
        throw new Error("the release failed after charging");
      }),
    ).rejects.toThrow(/release failed/);
    expect(await companySpent(t)).toBe(before);
  });

  it("counts an organisation's spending in the store's current period only", async () => {
    const id = await organisation(t, "org-h", 2);
    const key = await statisticsClient(t, "analyst-h", "org-h");
    const period = await budget.currentPeriod();
    await t.db.query(`INSERT INTO statistics_spending (period, organisation_id, epsilon_micro) VALUES ($1, $2, 2000000)`, [
      monthOf(monthIndex(period)! - 1),
      id,
    ]);
    const answer = await ask(t, key, customersQuery(own(9, DISTINCT[0])));
    expect(answer.budgetPeriod).toBe(period);
    expect(answer.budgetRemaining).toBe(1);
  });

  it("persists the budget: a restarted gateway still refuses", async () => {
    await organisation(t, "org-f", 1);
    const key = await statisticsClient(t, "analyst-f", "org-f");
    await ask(t, key, customersQuery(own(10, DISTINCT[0])));
    const db = await openDatabase({ url: inject("databaseUrl"), poolSize: 2 });
    const restarted = await startGateway({ db, settings: testSettings() });
    try {
      const res = await fetch(restarted.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: GRAPHQL_RESPONSE, authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: customersQuery(own(10, DISTINCT[4])) }),
      });
      expect(res.status).toBe(429);
      expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe(
        "PRIVACY_BUDGET_EXHAUSTED",
      );
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      // the same rule as every refusal: with application/json, 200 and the error in the body (Retry-After kept)
      const json = await fetch(restarted.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: customersQuery(own(10, DISTINCT[4])) }),
      });
      expect(json.status).toBe(200);
      expect(Number(json.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await json.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe(
        "PRIVACY_BUDGET_EXHAUSTED",
      );
    } finally {
      await restarted.stop();
      await db.destroy();
    }
  });

  it("refuses to start a gateway whose STATS_TIME_ZONE differs from the store's", async () => {
    const db = await openDatabase({ url: inject("databaseUrl"), poolSize: 2 });
    try {
      await expect(startGateway({ db, settings: testSettings({ STATS_TIME_ZONE: "America/New_York" }) })).rejects.toThrow(
        /STATS_TIME_ZONE is "America\/New_York" but the store reckons statistics periods in "Asia\/Tokyo".*STATS_TIME_ZONE=Asia\/Tokyo/,
      );
    } finally {
      await db.destroy();
    }
  });
  it("holds the lifetime cap over the rolling window, across organisations and periods", async () => {
    const orgA = await organisation(t, "org-life-a", 3);
    const orgB = await organisation(t, "org-life-b", 3);
    const period = await budget.currentPeriod();
    const ago = (n: number) => monthOf(monthIndex(period)! - n);
    const spentNow = await companySpent(t);
    // earlier periods: 11 months ago counts (window of 12), 12 months ago does not
    const inWindow = 1000 - spentNow - 2; // leaves ε = 2 for the whole company
    await t.db.query(`INSERT INTO statistics_spending (period, organisation_id, epsilon_micro) VALUES ($1, $2, $3), ($4, $5, $6)`, [
      ago(11),
      orgA,
      Math.round(inWindow * 1e6),
      ago(12),
      orgB,
      500_000_000,
    ]);
    const a = await statisticsClient(t, "life-a", "org-life-a");
    const b = await statisticsClient(t, "life-b", "org-life-b");
    expect((await ask(t, a, customersQuery(own(8, DISTINCT[0])))).budgetRemaining).toBe(1); // min(2 of 3, lifetime 1)
    expect((await ask(t, b, customersQuery(own(8, DISTINCT[1])))).budgetRemaining).toBe(0);
    for (const key of [a, b]) {
      const refused = await t.gql(customersQuery(own(8, DISTINCT[2])), { key });
      expect(refused.body.errors![0].extensions).toMatchObject({
        code: "PRIVACY_BUDGET_EXHAUSTED",
        budgetRemaining: 0,
        budgetLimit: "LIFETIME_CAP",
        budgetPeriod: period,
      });
    }
    const state = await budget.state();
    expect(state).toMatchObject({ windowStart: ago(11), windowSpentMicro: 1_000_000_000, lifetimeRemainingMicro: 0 });
    // a wider window is refused: it would already hold more than the cap
    await expect(setCompanyBudget(t, 100, 1000, 13)).rejects.toThrow(/below what the window has already spent/);
    // a larger cap opens room again
    await setCompanyBudget(t, 100, 1001);
    expect((await ask(t, a, customersQuery(own(8, DISTINCT[2])))).epsilonSpent).toBe(1);
  });
});
