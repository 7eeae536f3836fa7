import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStatisticsConfig, type StatisticsConfig } from "../../src/config/settings";
import { StatisticsDimension as D } from "../../src/features/statistics/dimensions";
import { planMechanism } from "../../src/features/statistics/mechanism";
import { currentMonth } from "../../src/features/statistics/months";
import { normaliseRequest, type StatisticsRequest } from "../../src/features/statistics/query";
import { methodOf, validatePlan, type PlanGrouping } from "../../src/features/statistics/releases/plan";
import { publishSql } from "../../src/features/statistics/releases/publish-sql";
import { buildAggregateSql } from "../../src/features/statistics/sql";
import { aggregatePlan } from "../../src/features/statistics/statistics-store";
import { ensureUsageFacts } from "../../src/features/statistics/usage-facts";
import { Gender } from "../../src/kernel/model/gender";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { startGateway } from "../../src/server/create-gateway";
import { complete, receive } from "../requests/requests-support";
import { insertCustomer, insertUsage } from "../support/fixtures";
import { startTestGateway, testSettings, type TestGateway } from "../support/test-gateway";
import { analystOf, ask, usageQuery } from "./helpers";
import { seedCrowds } from "./population";

/**
 * The per-customer usage facts statistics read (statistics/usage-facts.ts, migration
 * 1764670000000): PostgreSQL keeps them equal to the usage rows through every kind of write,
 * an answer over them is the answer over the usage rows to the row, a gateway reckoning
 * another catalogue rebuilds them, no answer reads facts of another basis, and erasing a
 * customer removes theirs.
 */
let t: TestGateway;
const config: StatisticsConfig = loadStatisticsConfig({});
const period = currentMonth(config.timeZone);
let busy: string; // a customer in more buckets than B, with several uses per bucket

beforeAll(async () => {
  t = await startTestGateway();
  await seedCrowds(t.db);
  busy = (await insertCustomer(t.db, { prefecture: "Osaka", gender: "MALE" })).id;
  await t.db.query(
    `INSERT INTO service_usage (customer_id, service, amount, occurred_at)
     SELECT $1, s, 700 * m, make_timestamptz(2026, m, 10, 3, 0, 0, 'UTC')
       FROM unnest(ARRAY['Mobile', 'Streaming', 'Karaoke', 'Travel Booking']) s, generate_series(1, 6) m, generate_series(1, 2) twice`,
    [busy],
  );
});
afterAll(() => t?.stop());

/** The facts as the definition says, computed here from the usage rows: per customer, catalogue position (0 = other) and month in the zone. */
async function expected(services: readonly string[] = config.services, zone = config.timeZone): Promise<string[]> {
  const rows: Array<Record<string, unknown>> = await t.db.query(
    `SELECT customer_id, coalesce(array_position($1::text[], service), 0) AS service,
            to_char(occurred_at AT TIME ZONE $2, 'YYYY-MM') AS month, count(*)::int AS uses, sum(amount)::bigint AS amount
       FROM service_usage GROUP BY 1, 2, 3`,
    [[...services], zone],
  );
  return rows.map((r) => JSON.stringify([r.customer_id, Number(r.service), r.month, r.uses, Number(r.amount)])).sort();
}

async function stored(): Promise<string[]> {
  const rows: Array<Record<string, unknown>> = await t.db.query(
    `SELECT customer_id, service, to_char(month, 'YYYY-MM') AS month, uses, amount FROM statistics_usage_fact`,
  );
  return rows.map((r) => JSON.stringify([r.customer_id, Number(r.service), r.month, r.uses, Number(r.amount)])).sort();
}

/**
 * Facts whose earlier months (migration 1764700000000) are not what they are defined to be:
 * the months of the same customer's facts ranked before it (by pick, service, month), sorted.
 */
async function misranked(): Promise<number> {
  const [{ wrong, ranked }] = await t.db.query(
    `SELECT count(*) FILTER (WHERE f.earlier_months IS DISTINCT FROM (
              SELECT array_agg(e.month ORDER BY e.month) FROM statistics_usage_fact e
               WHERE e.customer_id = f.customer_id AND (e.pick, e.service, e.month) < (f.pick, f.service, f.month)))::int AS wrong,
            count(f.earlier_months)::int AS ranked
       FROM statistics_usage_fact f`,
  );
  expect(ranked).toBeGreaterThan(100); // the check has something to check
  return wrong;
}

async function aggregate(request: StatisticsRequest, usageFacts: boolean, bucketsPerCustomer?: number) {
  const query = normaliseRequest(request, config);
  const mechanism = planMechanism(query, ["customers", "usageCount", "amountSum"], config);
  const plan = bucketsPerCustomer ? { ...mechanism, bucketsPerCustomer } : mechanism;
  const built = buildAggregateSql({ ...aggregatePlan(query, plan, config, period, usageFacts), minGroupSize: 1 });
  const rows: Array<Record<string, unknown>> = await t.db.query(built.sql, built.params);
  return rows.map((r) => JSON.stringify(r)).sort();
}

describe("usage facts", () => {
  it("are what the usage rows say, through inserts, updates and deletes of one row or many", async () => {
    expect((await stored()).length).toBeGreaterThan(1000);
    expect(await stored()).toEqual(await expected());
    expect(await misranked()).toBe(0);

    const customer = await insertCustomer(t.db, { prefecture: "Kyoto" });
    // one statement, several rows of one bucket and of new ones
    await t.db.query(
      `INSERT INTO service_usage (customer_id, service, amount, occurred_at)
       VALUES ($1, 'Mobile', 1000, '2026-04-01T00:00:00Z'), ($1, 'Mobile', 2000, '2026-04-20T00:00:00Z'), ($1, 'Karaoke', 500, '2026-04-02T00:00:00Z')`,
      [customer.id],
    );
    const single = await insertUsage(t.db, customer.id, "Broadband", 4400, "2026-03-31T16:00:00Z"); // 1 April, 01:00 in Tokyo
    expect(await stored()).toEqual(await expected());
    expect(await misranked()).toBe(0);

    await t.db.query(`UPDATE service_usage SET amount = amount + 1 WHERE customer_id = $1 AND service = 'Mobile'`, [customer.id]);
    await t.db.query(`UPDATE service_usage SET service = 'Streaming', occurred_at = '2026-05-05T00:00:00Z' WHERE id = $1`, [single]);
    await t.db.query(`UPDATE service_usage SET customer_id = $1 WHERE customer_id = $2 AND service = 'Karaoke'`, [busy, customer.id]);
    expect(await stored()).toEqual(await expected());
    expect(await misranked()).toBe(0);

    await t.db.query(`DELETE FROM service_usage WHERE customer_id = $1 AND amount > 1500`, [customer.id]); // part of a bucket
    await t.db.query(`DELETE FROM service_usage WHERE id = $1`, [single]); // a whole one
    expect(await stored()).toEqual(await expected());
    expect(await misranked()).toBe(0);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM statistics_usage_fact WHERE uses <= 0`);
    expect(n).toBe(0);
  });

  it.skipIf(!process.env.DATABASE_URL)("rank a customer's facts right when two writers give them new facts at once", async () => {
    const customer = await insertCustomer(t.db, { prefecture: "Kochi" });
    await insertUsage(t.db, customer.id, "Mobile", 100, "2026-01-10T00:00:00Z");
    const first = t.db.createQueryRunner();
    await first.connect();
    try {
      await first.startTransaction();
      await first.query(
        `INSERT INTO service_usage (customer_id, service, amount, occurred_at) VALUES ($1, 'Streaming', 200, '2026-02-10T00:00:00Z')`,
        [customer.id],
      );
      // the second writer of this customer's facts waits for the first to commit …
      const second = t.db.query(
        `INSERT INTO service_usage (customer_id, service, amount, occurred_at) VALUES ($1, 'Broadband', 300, '2026-03-10T00:00:00Z')`,
        [customer.id],
      );
      await expect
        .poll(async () => {
          const waiting = await t.db.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'advisory' AND query LIKE '%''Broadband'', 300%' AND pid <> pg_backend_pid()`,
          );
          return waiting[0].n;
        })
        .toBe(1);
      await first.commitTransaction();
      await second;
    } finally {
      await first.release();
    }
    // … and then ranks with its facts, which it would otherwise not have seen
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM statistics_usage_fact WHERE customer_id = $1`, [customer.id]);
    expect(n).toBe(3);
    expect(await misranked()).toBe(0);
    // a REPEATABLE READ writer would rank from before another's commit: refused, to be retried
    const reader = t.db.createQueryRunner();
    await reader.connect();
    try {
      await reader.startTransaction("REPEATABLE READ");
      await expect(
        reader.query(`INSERT INTO service_usage (customer_id, service, amount, occurred_at) VALUES ($1, 'Mobile', 1, now())`, [
          customer.id,
        ]),
      ).rejects.toMatchObject({ code: "40001" });
      await reader.rollbackTransaction();
    } finally {
      await reader.release();
    }
  });

  it("give every grouping the very buckets the usage rows give, bounding included", async () => {
    const months = { usageMonth: { from: "2026-01", to: "2026-06" } };
    const requests: Array<[StatisticsRequest, number?]> = [
      [{ field: "serviceUsage", groupBy: [D.SERVICE, D.USAGE_MONTH], filter: months }],
      [{ field: "serviceUsage", groupBy: [D.SERVICE, D.USAGE_MONTH], filter: months }, 1],
      [{ field: "serviceUsage", groupBy: [D.SERVICE, D.USAGE_MONTH], filter: { usageMonth: { from: "2026-02", to: "2026-04" } } }, 2],
      [{ field: "serviceUsage", groupBy: [D.SERVICE, D.USAGE_MONTH], filter: { usageMonth: { from: "2026-04", to: "2026-04" } } }, 1],
      [{ field: "serviceUsage", groupBy: [D.SERVICE, D.USAGE_MONTH], filter: { usageMonth: { from: "2025-01", to: "2026-12" } } }, 1],
      [{ field: "serviceUsage", groupBy: [D.SERVICE, D.USAGE_MONTH], filter: { ...months, services: ["Mobile", "Streaming"] } }, 2],
      [{ field: "serviceUsage", groupBy: [D.GENDER, D.SERVICE, D.USAGE_MONTH], filter: { ...months, services: ["Mobile", "Other"] } }],
      [{ field: "serviceUsage", groupBy: [D.SERVICE] }],
      [{ field: "serviceUsage", groupBy: [D.SERVICE] }, 1],
      [{ field: "serviceUsage", groupBy: [D.USAGE_MONTH], filter: { ...months, genders: [Gender.MALE] } }],
      [{ field: "serviceUsage", groupBy: [D.AGE_BAND, D.REGION] }],
      [{ field: "serviceUsage", groupBy: [D.PREFECTURE], filter: { services: ["Other"], prefectures: ["Osaka", "Tokyo"] } }],
      [{ field: "serviceUsage", groupBy: [] }],
    ];
    for (const [request, bucketsPerCustomer] of requests) {
      const fromFacts = await aggregate(request, true, bucketsPerCustomer);
      expect(fromFacts.length, JSON.stringify(request)).toBeGreaterThan(0);
      expect(fromFacts, JSON.stringify(request)).toEqual(await aggregate(request, false, bucketsPerCustomer));
    }
  });

  it("give a released table's groupings the very cells the usage rows give, most-used bounding included", async () => {
    const months = { from: "2026-01", to: "2026-06" };
    const groupings: PlanGrouping[] = [
      { field: "serviceUsage", dimensions: [D.GENDER, D.SERVICE, D.USAGE_MONTH], usageMonths: months },
      { field: "serviceUsage", dimensions: [D.REGION, D.SERVICE, D.USAGE_MONTH], usageMonths: months, maxCellsPerCustomer: 2 },
      { field: "serviceUsage", dimensions: [D.AGE_BAND, D.SERVICE], usageMonths: months, maxCellsPerCustomer: 1 },
      { field: "serviceUsage", dimensions: [D.PREFECTURE], usageMonths: { from: "2026-03", to: "2026-04" } },
    ];
    const methods = methodOf(validatePlan(groupings, 1_000_000, config), config);
    for (const method of methods) {
      const cells = async (usageFacts: boolean) => {
        const { sql, params } = publishSql(method, { ...config, period, usageFacts });
        const rows: Array<Record<string, unknown>> = await t.db.query(sql, params);
        return rows.map((r) => JSON.stringify(r)).sort();
      };
      const fromFacts = await cells(true);
      expect(fromFacts.length, JSON.stringify(method.grouping)).toBeGreaterThan(0);
      expect(fromFacts, JSON.stringify(method.grouping)).toEqual(await cells(false));
    }
  });

  it("are rebuilt by a gateway reckoning another catalogue, and never read for one they are not of", async () => {
    const analyst = await analystOf(t, 10);
    const question = usageQuery(`groupBy: [SERVICE], filter: { usageMonth: { from: "2026-01", to: "2026-06" } }`, "customers");
    const other = await startGateway({ db: t.db, settings: testSettings({ STATS_SERVICES: "Streaming,Mobile" }) });
    try {
      expect(await stored()).toEqual(await expected(["Streaming", "Mobile"]));
      // facts of another catalogue: the statement refuses them …
      await expect(aggregate({ field: "serviceUsage", groupBy: [D.SERVICE] }, true)).rejects.toThrow(/not reckoned in zone/);
      // … and this gateway, which sees it, answers from the usage rows, in its own catalogue
      // (Other, one customer's, is under k)
      const answer = await ask(t, analyst, question);
      expect(answer.buckets.map((b: any) => b.key.service).sort()).toEqual([...config.services].sort());
    } finally {
      await other.stop();
      await ensureUsageFacts(t.db, { timeZone: config.timeZone, services: config.services });
    }
    expect(await stored()).toEqual(await expected());
    expect(await misranked()).toBe(0);
  });

  it("are deleted with the customer when the privacy office erases them", async () => {
    const privacy = await t.client("privacy", [Purpose.DATA_SUBJECT_REQUEST]);
    const gone = await insertCustomer(t.db, { prefecture: "Nara" });
    await insertUsage(t.db, gone.id, "Mobile", 3000, "2026-02-02T00:00:00Z");
    await insertUsage(t.db, gone.id, "Cloud Storage", 300, "2026-03-03T00:00:00Z");
    const factsOf = async (id: string) =>
      (await t.db.query(`SELECT count(*)::int AS n FROM statistics_usage_fact WHERE customer_id = $1`, [id]))[0].n;
    expect(await factsOf(gone.id)).toBe(2);
    const others = (await stored()).filter((row) => !row.includes(gone.id));

    await complete(t, privacy, await receive(t, privacy, gone.id, "DELETION"));

    expect(await factsOf(gone.id)).toBe(0);
    expect(await stored()).toEqual(others);
    expect(await stored()).toEqual(await expected());
    expect(await misranked()).toBe(0);
  });
});
