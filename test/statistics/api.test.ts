import type { Logger, QueryRunner } from "typeorm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { analystOf, ask, bucket, customersQuery, errorCodes, META, spentBy, usageQuery } from "./helpers";
import { plantTarget, seedCrowds } from "./population";

let t: TestGateway;
let analyst: string;

beforeAll(async () => {
  t = await startTestGateway();
  await seedCrowds(t.db);
  await plantTarget(t.db);
  analyst = await analystOf(t, 100); // room for every query of this file (budget rules: budget.test.ts)
});
afterAll(() => t?.stop());

describe("customer statistics", () => {
  it("counts distinct customers per prefecture, withholding small and deleted groups", async () => {
    const answer = await ask(t, analyst, customersQuery("groupBy: [PREFECTURE]"));
    const byPrefecture = Object.fromEntries(answer.buckets.map((b: any) => [b.key.prefecture, b.customers]));
    expect(Object.keys(byPrefecture)).toEqual(["Tokyo", "Kanagawa", "Osaka"]); // in the prefectures' own order
    // noisy, but close: ε = 1 on a count of sensitivity 1 has a standard deviation of about 1.4
    expect(Math.abs(byPrefecture.Tokyo - 300)).toBeLessThan(25);
    expect(Math.abs(byPrefecture.Osaka - 200)).toBeLessThan(25);
    expect(Math.abs(byPrefecture.Kanagawa - 150)).toBeLessThan(25);
    expect(answer.possibleBuckets).toBe(47);
    expect(answer.suppressedBuckets).toBe(44); // Hokkaido (deleted / erased only) and Tottori (the target alone) among them
    expect(answer.minGroupSize).toBe(10);
    expect(answer.releaseThreshold).toBeGreaterThan(10);
    expect(answer.epsilonSpent).toBe(1);
    expect(answer.repeated).toBe(false);
    for (const b of answer.buckets) {
      expect(Number.isInteger(b.customers)).toBe(true);
      expect(b.key).toEqual({
        ageBand: null,
        gender: null,
        prefecture: b.key.prefecture,
        region: null,
        signupMonth: null,
        signupYear: null,
        service: null,
        usageMonth: null,
      });
    }
  });

  it("groups by several generalised dimensions with a typed key", async () => {
    const answer = await ask(t, analyst, customersQuery('groupBy: [REGION, GENDER], filter: { regions: ["Kanto"] }'));
    expect(answer.possibleBuckets).toBe(4); // Kanto × 4 genders
    const female = bucket(answer, { region: "Kanto", gender: "FEMALE" });
    expect(female).toBeDefined(); // Tokyo 100 + Kanagawa 50
    expect(Math.abs(female.customers - 150)).toBeLessThan(25);
    expect(female.key.prefecture).toBeNull();
  });

  it("groups by signup year within a signup range", async () => {
    const answer = await ask(
      t,
      analyst,
      customersQuery('groupBy: [SIGNUP_YEAR], filter: { signupMonth: { from: "2024-01", to: "2026-12" } }'),
    );
    expect(answer.possibleBuckets).toBe(3);
    expect(answer.buckets.map((b: any) => b.key.signupYear)).toEqual([2025]);
  });
});

describe("service-usage statistics", () => {
  it("reports customers, uses, sums and averages per service, as integers", async () => {
    const answer = await ask(
      t,
      analyst,
      usageQuery(
        'groupBy: [SERVICE], filter: { usageMonth: { from: "2026-01", to: "2026-06" } }',
        "customers usageCount amountSum amountAvg amountPerCustomer",
        "noise { measure standardDeviation }",
      ),
    );
    const sd = Object.fromEntries(answer.noise.map((n: any) => [n.measure, n.standardDeviation]));
    expect(answer.possibleBuckets).toBe(6); // five catalogue services and Other
    const services = answer.buckets.map((b: any) => b.key.service);
    expect(services).toEqual(["Mobile", "Broadband", "Streaming", "Cloud Storage", "Travel Booking"]); // catalogue order
    const [{ uses, amount }] = await t.db.query(
      `SELECT count(*)::int AS uses, sum(amount)::int AS amount FROM service_usage su JOIN customer c ON c.id = su.customer_id
        WHERE c.deleted_at IS NULL AND c.erased_at IS NULL AND su.service = 'Mobile'`,
    );
    const mobile = bucket(answer, { service: "Mobile" });
    for (const value of [mobile.customers, mobile.usageCount, mobile.amountSum, mobile.amountPerCustomer]) {
      expect(Number.isInteger(value)).toBe(true);
    }
    // amountAvg is null when the noisy usageCount was clipped to 0: about 7% of runs here, since
    // the count (~230 uses) has Laplace noise of scale Δ/ε = 30/0.25 = 120
    if (mobile.usageCount === 0) expect(mobile.amountAvg).toBeNull();
    else expect(Number.isInteger(mobile.amountAvg)).toBe(true);
    // within 12 standard deviations of the truth (noise is scaled to one customer touching up to B = 3 services;
    // a noisy sum below 0 is reported as 0)
    expect(Math.abs(mobile.usageCount - uses)).toBeLessThan(12 * sd.usageCount);
    expect(Math.abs(mobile.amountSum - amount)).toBeLessThan(12 * sd.amountSum);
    expect(mobile.amountSum).toBeGreaterThanOrEqual(0);
  });

  it("pays ε only for the measures it reads", async () => {
    const res = await t.gql(
      `query Q @purpose(name: USAGE_STATISTICS) { statistics {
         a: serviceUsage(groupBy: [REGION]) { buckets { customers } noise { measure epsilon sensitivity standardDeviation } }
         b: serviceUsage(groupBy: [REGION]) { buckets { amountSum } noise { measure epsilon sensitivity } }
         c: serviceUsage(groupBy: [REGION]) { buckets { ...avg } noise { measure epsilon sensitivity } }
       } } fragment avg on UsageBucket { amountAvg }`,
      { key: analyst },
    );
    expect(res.body.errors).toBeUndefined();
    const { a, b, c } = res.body.data.statistics;
    expect(a.noise).toEqual([{ measure: "customers", epsilon: 1, sensitivity: 1, standardDeviation: expect.any(Number) }]);
    expect(a.noise[0].standardDeviation).toBeCloseTo(Math.sqrt(2 * Math.exp(-1)) / (1 - Math.exp(-1)), 6);
    expect(b.noise).toEqual([
      { measure: "customers", epsilon: 0.5, sensitivity: 1 },
      { measure: "amountSum", epsilon: 0.5, sensitivity: 30_000 },
    ]);
    expect(c.noise).toEqual([
      { measure: "customers", epsilon: 0.5, sensitivity: 1 },
      { measure: "usageCount", epsilon: 0.25, sensitivity: 10 },
      { measure: "amountSum", epsilon: 0.25, sensitivity: 30_000 },
    ]);
  });

  it("bounds how many buckets one customer can touch, and scales the noise to it", async () => {
    const answer = await t.gql(
      `query Q @purpose(name: USAGE_STATISTICS) { statistics { serviceUsage(groupBy: [SERVICE, USAGE_MONTH], filter: { usageMonth: { from: "2026-01", to: "2026-06" } }) {
         possibleBuckets releaseThreshold noise { measure sensitivity } } } }`,
      { key: analyst },
    );
    const result = answer.body.data.statistics.serviceUsage;
    expect(result.possibleBuckets).toBe(36);
    expect(result.noise).toEqual([{ measure: "customers", sensitivity: 3 }]); // min(36, STATS_MAX_BUCKETS_PER_CUSTOMER = 3)
  });
});

describe("one SQL statement per statistics field", () => {
  /**
   * Every statement the gateway sends through its DataSource, seen where TypeORM runs it:
   * PostgresQueryRunner.query (and .stream) call `dataSource.logger.logQuery(sql, params)`
   * before executing, whatever the `logging` option (typeorm 1.1.1). `t.db` is the gateway's
   * own DataSource, so swapping its logger for a counting wrapper sees real statements, not a
   * counter the store bumps itself.
   */
  async function statementsDuring(action: () => Promise<void>): Promise<string[]> {
    const original = t.db.logger;
    const seen: string[] = [];
    const counting: Logger = Object.create(original, {
      logQuery: {
        value(query: string, parameters?: unknown[], queryRunner?: QueryRunner) {
          seen.push(query);
          return original.logQuery(query, parameters, queryRunner);
        },
      },
    });
    t.db.logger = counting;
    try {
      await action();
    } finally {
      t.db.logger = original;
    }
    return seen;
  }
  /** Statements that read personal data (the customer and service_usage tables), not the ledger's statistics_* tables. */
  // usage is read from the per-customer facts PostgreSQL keeps of it (or from the usage rows)
  const readsPersonalData = (sql: string) => /\b(from|join)\s+"?(customer|service_usage|statistics_usage_fact)"?(\s|$)/i.test(sql);
  const readsUsage = (sql: string) => /\b(service_usage|statistics_usage_fact)\b/.test(sql);

  it("runs exactly one statement reading personal data per field, and none for a repeat", async () => {
    const query = `query Two @purpose(name: USAGE_STATISTICS) { statistics {
      customers(groupBy: [GENDER]) { buckets { customers } }
      serviceUsage(groupBy: [GENDER]) { buckets { customers amountSum } } } }`;
    const logger = t.db.logger;
    let first: any;
    const firstStatements = await statementsDuring(async () => {
      first = await t.gql(query, { key: analyst });
    });
    expect(first.body.errors).toBeUndefined();
    const data = firstStatements.filter(readsPersonalData);
    expect(data, firstStatements.join("\n---\n")).toHaveLength(2);
    expect(data.filter(readsUsage)).toHaveLength(1); // serviceUsage
    expect(data.filter((sql) => !readsUsage(sql))).toHaveLength(1); // customers
    for (const sql of data) expect(sql).toMatch(/HAVING count\(\*\) >= \$1/); // each an aggregate, k enforced in SQL
    // the wrapper did see the other statements (budget spent, answers kept): it is not blind
    expect(firstStatements.filter((sql) => /INSERT INTO statistics_spending\b/.test(sql))).toHaveLength(2);
    expect(firstStatements.filter((sql) => /UPDATE statistics_answer SET result\b/.test(sql))).toHaveLength(2);

    let again: any;
    const repeatStatements = await statementsDuring(async () => {
      again = await t.gql(query, { key: analyst });
    });
    expect(again.body.data).toEqual(first.body.data);
    expect(repeatStatements.filter(readsPersonalData), repeatStatements.join("\n---\n")).toEqual([]);
    expect(repeatStatements.some((sql) => /\bstatistics_answer\b/.test(sql))).toBe(true); // answered from the stored answers
    expect(t.db.logger).toBe(logger); // restored
  });
});

describe("strict input validation (BAD_USER_INPUT, nothing spent, nothing run)", () => {
  const cases: Array<[string, string]> = [
    ["an unknown prefecture", usageQuery('filter: { prefectures: ["Atlantis"] }')],
    ["an unknown region", customersQuery('filter: { regions: ["Kanto ", "Mars"] }')],
    ["an unknown service", usageQuery('filter: { services: ["Mobile\' OR 1=1 --"] }')],
    ["a malformed month", usageQuery('filter: { usageMonth: { from: "2026-13", to: "2026-14" } }')],
    ["an exact date", usageQuery('filter: { usageMonth: { from: "2026-01-15", to: "2026-02" } }')],
    ["a reversed range", usageQuery('filter: { usageMonth: { from: "2026-06", to: "2026-01" } }')],
    ["USAGE_MONTH without a range", usageQuery("groupBy: [USAGE_MONTH]")],
    ["SIGNUP_MONTH without a range", customersQuery("groupBy: [SIGNUP_MONTH]")],
    ["customers by SERVICE", customersQuery("groupBy: [SERVICE]")],
    ["a dimension twice", customersQuery("groupBy: [GENDER, GENDER]")],
    ["an empty list", customersQuery("filter: { genders: [] }")],
    [
      "too many buckets",
      usageQuery('groupBy: [PREFECTURE, AGE_BAND, SERVICE, USAGE_MONTH], filter: { usageMonth: { from: "2020-01", to: "2026-12" } }'),
    ],
  ];
  it.each(cases)("refuses %s", async (_name, query) => {
    const spent = await spentBy(t, "analysts");
    const before = await t.dataQueries();
    const res = await t.gql(query, { key: analyst });
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(await spentBy(t, "analysts")).toBe(spent);
    expect(await t.dataQueries()).toBe(before);
  });

  it("has no way to group or filter by an identifier, a name, an e-mail or a date", async () => {
    for (const query of [
      customersQuery("groupBy: [ID]"),
      customersQuery('filter: { email: "person1@example.jp" }'),
      customersQuery('filter: { fullName: "Target Person" }'),
      customersQuery('filter: { birthDate: "1939-03-03" }'),
      customersQuery('filter: { customerId: "00000000-0000-0000-0000-000000000000" }'),
    ]) {
      const res = await t.gql(query, { key: analyst });
      expect(res.status).toBe(400);
      expect(errorCodes(res)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    }
  });
});

describe("USAGE_STATISTICS reaches statistics and nothing else", () => {
  it.each([
    ["campaigns", "query Q @purpose(name: USAGE_STATISTICS) { campaigns { name } }"],
    ["viewer", "query Q @purpose(name: USAGE_STATISTICS) { viewer { name } }"],
    ["a customer", 'query Q @purpose(name: USAGE_STATISTICS) { customer(id: "00000000-0000-0000-0000-000000000000") { prefecture } }'],
    [
      "statistics beside campaigns",
      "query Q @purpose(name: USAGE_STATISTICS) { statistics { customers { buckets { customers } } } campaigns { name } }",
    ],
  ])("refuses %s under USAGE_STATISTICS", async (_name, query) => {
    const before = await t.dataQueries();
    const res = await t.gql(query, { key: analyst });
    expect(res.status).toBe(403);
    expect(errorCodes(res)).toContain("PURPOSE_NOT_PERMITTED");
    expect(res.body.data).toBeUndefined();
    expect(await t.dataQueries()).toBe(before);
  });

  it("refuses statistics under any other purpose, without a purpose, and without the grant", async () => {
    const shop = await t.client("shop", [Purpose.SERVICE_PROVISION, Purpose.PRODUCT_IMPROVEMENT]);
    const body = "{ statistics { customers { buckets { customers } } } }";
    const other = await t.gql(`query Q @purpose(name: PRODUCT_IMPROVEMENT) ${body}`, { key: shop });
    expect(other.status).toBe(403);
    expect(errorCodes(other)).toEqual(["PURPOSE_NOT_PERMITTED"]);
    const none = await t.gql(`query Q ${body}`, { key: analyst });
    expect(errorCodes(none)).toEqual(["PURPOSE_REQUIRED"]);
    const notGranted = await t.gql(`query Q @purpose(name: USAGE_STATISTICS) ${body}`, { key: shop });
    expect(errorCodes(notGranted)).toEqual(["PURPOSE_NOT_GRANTED"]);
    const anonymous = await t.gql(`query Q @purpose(name: USAGE_STATISTICS) ${body}`);
    expect(errorCodes(anonymous)).toEqual(["UNAUTHENTICATED"]);
  });

  it("answers the README example", async () => {
    const res = await t.gql(
      `query Trends @purpose(name: USAGE_STATISTICS) {
        statistics {
          serviceUsage(groupBy: [AGE_BAND, PREFECTURE], filter: { usageMonth: { from: "2026-01", to: "2026-06" } }) {
            buckets { key { ageBand prefecture } customers amountSum amountAvg }
            ${META}
          }
        }
      }`,
      { key: analyst },
    );
    expect(res.body.errors).toBeUndefined();
    const answer = res.body.data.statistics.serviceUsage;
    expect(answer.possibleBuckets).toBe(8 * 47);
    expect(answer.buckets.length + answer.suppressedBuckets).toBe(8 * 47);
    for (const b of answer.buckets) expect(["Tokyo", "Osaka", "Kanagawa"]).toContain(b.key.prefecture);
  });
});
