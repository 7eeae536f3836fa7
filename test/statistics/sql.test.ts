import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStatisticsConfig, type StatisticsConfig } from "../../src/config/settings";
import { StatisticsDimension as D } from "../../src/features/statistics/dimensions";
import { planMechanism, type MechanismPlan } from "../../src/features/statistics/mechanism";
import { currentMonth } from "../../src/features/statistics/months";
import { normaliseRequest, type StatisticsRequest } from "../../src/features/statistics/query";
import { buildAggregateSql, type Measure } from "../../src/features/statistics/sql";
import { aggregatePlan } from "../../src/features/statistics/statistics-store";
import { insertCustomer, insertUsage } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { seedCrowds } from "./population";

/**
 * The aggregate statement itself, run directly: it must do the privacy-critical work in
 * PostgreSQL (k-threshold, per-customer clamping, bucket bounding, active customers only)
 * and return nothing but bucket keys and totals.
 */
let t: TestGateway;
const config: StatisticsConfig = loadStatisticsConfig({});
const period = currentMonth(config.timeZone);

beforeAll(async () => {
  t = await startTestGateway();
  await seedCrowds(t.db);
});
afterAll(() => t?.stop());

async function run(request: StatisticsRequest, measures: Measure[], overrides: Partial<MechanismPlan> = {}, k = config.minGroupSize) {
  const query = normaliseRequest(request, config);
  const plan = { ...planMechanism(query, measures, config), ...overrides };
  const built = buildAggregateSql({ ...aggregatePlan(query, plan, config, period), minGroupSize: k });
  const rows: Array<Record<string, any>> = await t.db.query(built.sql, built.params);
  return { rows, built, query };
}

const sum = (rows: Array<Record<string, any>>, column: string) => rows.reduce((s, r) => s + Number(r[column]), 0);

describe("the aggregate statement", () => {
  it("is one statement that returns only keys and totals of buckets with at least k customers", async () => {
    const { rows, built, query } = await run({ field: "serviceUsage", groupBy: [D.PREFECTURE, D.GENDER] }, [
      "customers",
      "usageCount",
      "amountSum",
    ]);
    expect(built.sql).toMatch(/HAVING count\(\*\) >= \$\d+/);
    expect(built.sql.split(";").length).toBe(1);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(query.possibleBuckets);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(["amount_sum", "customers", "gender", "prefecture", "usage_count"]);
      expect(row.customers).toBeGreaterThanOrEqual(config.minGroupSize);
    }
  });

  it("never counts soft-deleted or erased customers", async () => {
    const { rows } = await run({ field: "customers", groupBy: [D.PREFECTURE] }, ["customers"], {}, 1);
    expect(rows.map((r) => r.prefecture).sort()).toEqual(["Kanagawa", "Osaka", "Tokyo"]); // not Hokkaido
    expect(sum(rows, "customers")).toBe(650);
  });

  it("clamps each customer's uses and amount per bucket, so one whale moves a total by at most the caps", async () => {
    const request: StatisticsRequest = { field: "serviceUsage", groupBy: [D.PREFECTURE] };
    const before = (await run(request, ["customers", "usageCount", "amountSum"])).rows.find((r) => r.prefecture === "Tokyo")!;
    const whale = await insertCustomer(t.db, { prefecture: "Tokyo" });
    await t.db.query(
      `INSERT INTO service_usage (customer_id, service, amount, occurred_at) SELECT $1, 'Mobile', 1000000, '2026-02-01T00:00:00Z' FROM generate_series(1, 500)`,
      [whale.id],
    );
    const after = (await run(request, ["customers", "usageCount", "amountSum"])).rows.find((r) => r.prefecture === "Tokyo")!;
    expect(after.customers - before.customers).toBe(1);
    expect(Number(after.usage_count) - Number(before.usage_count)).toBe(config.usageCap);
    expect(Number(after.amount_sum) - Number(before.amount_sum)).toBe(config.amountCap);
    await t.db.query(`DELETE FROM service_usage WHERE customer_id = $1`, [whale.id]);
    await t.db.query(`DELETE FROM customer WHERE id = $1`, [whale.id]);
  });

  it("keeps a customer in at most B buckets, whatever they used, ranked on each row or by a window", async () => {
    const usageMonth = { from: "2026-01", to: "2026-06" };
    const catalogue = ["Mobile", "Broadband", "Streaming", "Cloud Storage", "Travel Booking"]; // not Other
    // every service counted: each fact's earlier months bound it on its own row (parallel
    // workers can run it); a filter on services: a window ranks the customer's facts
    const ways: Array<[StatisticsRequest, number, RegExp, RegExp]> = [
      [{ field: "serviceUsage", groupBy: [D.SERVICE, D.USAGE_MONTH], filter: { usageMonth } }, 36, /width_bucket\(/, /row_number\(\)/],
      [
        { field: "serviceUsage", groupBy: [D.SERVICE, D.USAGE_MONTH], filter: { usageMonth, services: catalogue } },
        30,
        /row_number\(\) OVER \(PARTITION BY f\.cid/,
        /width_bucket\(/,
      ],
    ];
    const bounded = { bucketsPerCustomer: 2 };
    const busy = await insertCustomer(t.db, { prefecture: "Osaka" });
    const befores = await Promise.all(ways.map(([request]) => run(request, ["customers", "usageCount"], bounded, 1)));
    for (const service of ["Mobile", "Broadband", "Streaming", "Cloud Storage", "Travel Booking", "Karaoke"]) {
      for (const month of ["01", "02", "03", "04", "05", "06"])
        await insertUsage(t.db, busy.id, service, 5000, `2026-${month}-10T03:00:00Z`);
    }
    for (const [i, [request, natural, bounding, notThere]] of ways.entries()) {
      const before = befores[i];
      const after = await run(request, ["customers", "usageCount"], bounded, 1);
      expect(before.query.naturalBucketsPerCustomer).toBe(natural);
      expect(after.built.sql).toMatch(bounding);
      expect(after.built.sql).not.toMatch(notThere);
      expect(sum(after.rows, "customers") - sum(before.rows, "customers")).toBe(2);
      expect(sum(after.rows, "usage_count") - sum(before.rows, "usage_count")).toBe(2);
    }
    await t.db.query(`DELETE FROM service_usage WHERE customer_id = $1`, [busy.id]);
    await t.db.query(`DELETE FROM customer WHERE id = $1`, [busy.id]);
  });

  it("bounds service × month without a window, so PostgreSQL may run it in parallel workers", async () => {
    // PostgreSQL never runs a window function in a worker, so ranking each customer's facts
    // at question time kept the whole statement in one process (3.4–5 s at 1M customers)
    const request: StatisticsRequest = {
      field: "serviceUsage",
      groupBy: [D.SERVICE, D.USAGE_MONTH],
      filter: { usageMonth: { from: "2026-01", to: "2026-06" } },
    };
    const query = normaliseRequest(request, config);
    const plan = { ...planMechanism(query, ["customers", "usageCount"], config), bucketsPerCustomer: 2 };
    const built = buildAggregateSql({ ...aggregatePlan(query, plan, config, period), minGroupSize: 1 });
    const explained = await t.db.transaction(async (tx) => {
      // a plan that is parallel safe as a whole runs under a Gather when this is on (renamed in PostgreSQL 16)
      const [{ version }] = await tx.query(`SELECT current_setting('server_version_num')::int AS version`);
      await tx.query(`SELECT set_config($1, 'on', true)`, [version >= 160000 ? "debug_parallel_query" : "force_parallel_mode"]);
      const rows: Array<Record<string, string>> = await tx.query(`EXPLAIN (COSTS OFF) ${built.sql}`, built.params);
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    expect(explained).toMatch(/^Gather/);
    expect(explained).not.toMatch(/WindowAgg/);
  });

  it("pools services outside the catalogue as Other", async () => {
    const extra = await insertCustomer(t.db, { prefecture: "Osaka" });
    await insertUsage(t.db, extra.id, "Karaoke", 800, "2026-03-01T03:00:00Z");
    const { rows } = await run({ field: "serviceUsage", groupBy: [D.SERVICE] }, ["customers"], {}, 1);
    expect(rows.map((r) => r.service)).toContain("Other");
    expect(rows.map((r) => r.service)).not.toContain("Karaoke");
  });

  it("reckons ages on the first day of the month and months in Japan time", async () => {
    const [year, month] = period.split("-").map(Number);
    const mm = String(month).padStart(2, "0");
    const twenty = await insertCustomer(t.db, { prefecture: "Tottori", birthDate: `${year - 20}-${mm}-01` }); // 20 on the 1st
    const nineteen = await insertCustomer(t.db, { prefecture: "Tottori", birthDate: `${year - 20}-${mm}-02` }); // 20 on the 2nd
    await insertUsage(t.db, twenty.id, "Mobile", 1000, "2026-01-31T20:00:00Z"); // 1 February, 05:00 in Tokyo
    const ages = await run({ field: "customers", groupBy: [D.AGE_BAND], filter: { prefectures: ["Tottori"] } }, ["customers"], {}, 1);
    expect(ages.rows).toEqual(
      expect.arrayContaining([
        { age_band: "AGE_UNDER_20", customers: 1 },
        { age_band: "AGE_20_29", customers: 1 },
      ]),
    );
    expect(ages.rows).toHaveLength(2);
    const months = await run(
      {
        field: "serviceUsage",
        groupBy: [D.USAGE_MONTH],
        filter: { prefectures: ["Tottori"], usageMonth: { from: "2026-01", to: "2026-02" } },
      },
      ["customers"],
      {},
      1,
    );
    expect(months.rows).toEqual([{ usage_month: "2026-02", customers: 1 }]);
    void nineteen;
  });
});
