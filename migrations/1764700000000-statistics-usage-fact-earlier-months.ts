import { MigrationInterface, QueryRunner } from "typeorm";
import { FACTS_OF_ALL_USAGE, maintainFunction, rebuildFunction } from "./1764670000000-statistics-usage-facts";

/**
 * Each usage fact knows the months of its customer's facts ranked before it (issue 12:
 * `serviceUsage` at 1,000,000 customers within 3 s).
 *
 * A customer keeps at most B buckets of an answer: the B of their facts, among those the
 * question covers, that rank first by `pick` (the bounding, statistics/sql.ts). Computed at
 * question time, that is a window function over every fact, and PostgreSQL 15 never runs a
 * window function in a parallel worker (no plan with one is parallel safe, even with
 * force_parallel_mode): on 2 cores the question at 1M took 3.4–5 s, all of it in one process.
 *
 * `earlier_months`: the months of the customer's facts ranked before this one (by pick,
 * service, month), sorted; NULL for their first. A fact in a question's months [from, to) is
 * among the customer's first B there exactly when fewer than B of its earlier months fall in
 * [from, to): `width_bucket(to - 1, earlier) - width_bucket(from - 1, earlier) < B` (each
 * `width_bucket` counts the sorted months up to its day). So the bounding becomes a condition
 * on each row, for any B and any months, and the statement runs in parallel workers: 2.0–2.3 s
 * at 1M against 3.5–5.2 s, the very same buckets. It holds only when the question counts every
 * service (a filter on services changes which facts come earlier): such questions still rank.
 *
 * The trigger keeps them (maintainFunction(true) in 1764670000000): writers of one customer's
 * facts take turns, and a statement that gave a customer a new fact (or deleted or moved usage)
 * ranks that customer's facts again; only rows whose earlier months differ are written. At 1M,
 * a one-row insert into an existing fact costs 0.36–0.43 ms against 0.28–0.30 ms before, one
 * that makes a new fact 0.65–0.75 ms against about 0.3. A rebuild writes the earlier months with the
 * facts; the facts a store already holds are rebuilt here (about 80 s at 1M).
 */
export class StatisticsUsageFactEarlierMonths1764700000000 implements MigrationInterface {
  name = "StatisticsUsageFactEarlierMonths1764700000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE statistics_usage_fact ADD COLUMN earlier_months date[]`);
    await q.query(`
      CREATE FUNCTION statistics_usage_fact_sorted(months date[]) RETURNS date[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_agg(m ORDER BY m) FROM unnest(months) m $$`);
    // the definition itself, per fact (an index range of a few rows each); the plan is kept for
    // the session (a plan per call cost more than the update: 0.5 ms against 0.25 ms per call)
    await q.query(`
      CREATE FUNCTION statistics_usage_fact_rank(customers uuid[]) RETURNS void LANGUAGE plpgsql
      SET plan_cache_mode = force_generic_plan AS $$
      BEGIN
        UPDATE statistics_usage_fact f SET earlier_months = r.earlier
          FROM (SELECT g.customer_id, g.pick, g.service, g.month,
                       (SELECT array_agg(e.month ORDER BY e.month) FROM statistics_usage_fact e
                         WHERE e.customer_id = g.customer_id AND (e.pick, e.service, e.month) < (g.pick, g.service, g.month)) AS earlier
                  FROM statistics_usage_fact g WHERE g.customer_id = ANY(customers)) r
         WHERE f.customer_id = r.customer_id AND f.pick = r.pick AND f.service = r.service AND f.month = r.month
           AND f.earlier_months IS DISTINCT FROM r.earlier;
      END $$`);
    await q.query(maintainFunction(true));
    await q.query(
      rebuildFunction(
        `INSERT INTO statistics_usage_fact (customer_id, pick, service, month, uses, amount, earlier_months)
         SELECT customer_id, pick, service, month, uses, amount, ${EARLIER_MONTHS} FROM (${FACTS_OF_ALL_USAGE}) g ORDER BY 1, 2`,
      ),
    );
    // existing facts written again with their earlier months, in key order (ranking them in
    // place would leave every row's old version behind: twice the table until a VACUUM FULL)
    const [basis] = await q.query(`SELECT time_zone, services FROM statistics_usage_fact_basis WHERE singleton`);
    if (basis) {
      await q.query(`DELETE FROM statistics_usage_fact_basis`);
      await q.query(`SELECT statistics_usage_fact_rebuild($1, $2::text[])`, [basis.time_zone, basis.services]);
      await q.query(`ANALYZE statistics_usage_fact`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(maintainFunction());
    await q.query(
      rebuildFunction(
        `INSERT INTO statistics_usage_fact (customer_id, pick, service, month, uses, amount) ${FACTS_OF_ALL_USAGE} ORDER BY 1, 2`,
      ),
    );
    await q.query(`DROP FUNCTION statistics_usage_fact_rank(uuid[])`);
    await q.query(`DROP FUNCTION statistics_usage_fact_sorted(date[])`);
    await q.query(`ALTER TABLE statistics_usage_fact DROP COLUMN earlier_months`);
  }
}

/** Over facts (customer_id, pick, service, month), for a rebuild: the months of the same customer's facts ranked before each, sorted. */
const EARLIER_MONTHS = `statistics_usage_fact_sorted(array_agg(month) OVER (PARTITION BY customer_id ORDER BY pick, service, month ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))`;
