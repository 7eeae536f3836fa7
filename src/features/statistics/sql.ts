import { regionSql } from "../../kernel/personal-data/generalisations";
import { OTHER_SERVICE } from "../../config/statistics";
import {
  AGE_BAND_LOWER_BOUNDS,
  AGE_BANDS,
  COLUMN,
  StatisticsDimension as D,
  PREFECTURE_NAMES,
  USAGE_DIMENSIONS,
  type StatisticsDimension,
} from "./dimensions";
import { dayAfterMonth } from "./months";
import { factCellsSql, serviceLabelSql } from "./usage-facts";
import type { StatisticsQuery } from "./query";

/** Measures a statistics query can compute besides the distinct-customer count. */
export type Measure = "customers" | "usageCount" | "amountSum";

export interface AggregatePlan {
  query: StatisticsQuery;
  /** measures to compute (always includes customers) */
  measures: readonly Measure[];
  minGroupSize: number;
  amountCap: number;
  usageCap: number;
  /** B: the most buckets one customer may contribute to (bounded in SQL) */
  bucketsPerCustomer: number;
  services: readonly string[];
  timeZone: string;
  /** "YYYY-MM": ages are reckoned on the first day of this month */
  period: string;
  /**
   * Read usage from the per-customer facts (usage-facts.ts), which must be reckoned in this
   * plan's zone and catalogue (the statement checks it, and fails rather than answer from
   * other facts); false: from every usage row.
   */
  usageFacts: boolean;
}

export interface BuiltSql {
  sql: string;
  params: unknown[];
  /** the statement's inputs stream in key order from indexes: run it with joins planned as merges (kernel/store/aggregates.ts) */
  mergeJoins?: boolean;
}

/** Positional parameters ($1, $2, …): every value from a request goes in as a parameter. */
class Params {
  readonly values: unknown[] = [];
  private readonly shared = new Map<string, string>();
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
  /** One parameter used in several places, added only where used (PostgreSQL rejects untyped unused ones). */
  once(name: string, value: unknown, cast: string): string {
    let ref = this.shared.get(name);
    if (!ref) this.shared.set(name, (ref = `${this.add(value)}::${cast}`));
    return ref;
  }
}

// the kernel's generalisation (its names are checked there so they cannot break out of a literal)
const REGION_CASE = regionSql("c.prefecture");

/**
 * The one SQL statement of a statistics field. It aggregates in PostgreSQL and returns only
 * buckets of at least k distinct customers (`HAVING count(*) >= k`): no personal row and no
 * small cell ever reaches Node. For usage, each customer's contribution is first summed per
 * bucket and clamped (LEAST(sum, cap)), and a customer keeps at most B buckets, so the
 * influence of one person on the whole answer is bounded, which the noise is scaled to.
 */
export function buildAggregateSql(plan: AggregatePlan): BuiltSql {
  return plan.query.field === "customers" ? customersSql(plan) : usageSql(plan);
}

function dimensionSql(dimension: StatisticsDimension, plan: AggregatePlan, p: Params): string {
  const tz = () => zone(plan, p);
  switch (dimension) {
    case D.AGE_BAND:
      return ageBandSql(plan.period, p);
    case D.GENDER:
      return "c.gender";
    case D.PREFECTURE:
      return "c.prefecture";
    case D.REGION:
      return REGION_CASE;
    case D.SIGNUP_MONTH:
      return `to_char(c.created_at AT TIME ZONE ${tz()}, 'YYYY-MM')`;
    case D.SIGNUP_YEAR:
      return `to_char(c.created_at AT TIME ZONE ${tz()}, 'YYYY')`;
    case D.SERVICE:
      return serviceSql(plan, p);
    case D.USAGE_MONTH:
      return `to_char(su.occurred_at AT TIME ZONE ${tz()}, 'YYYY-MM')`;
  }
}

/** Age band on the first day of `period`: age ≥ N exactly when born on or before that day N years earlier. */
function ageBandSql(period: string, p: Params): string {
  return ageBandOnFirstDaySql(period, (date) => p.once(`bornBy${date}`, date, "date"));
}

/**
 * The age band of `c.birth_date` on the first day of `period` ("YYYY-MM"), the one rule of
 * interactive answers and released tables; `dateParameter` turns each boundary date into a
 * statement parameter (the dates come from the period, never from a request's text).
 */
export function ageBandOnFirstDaySql(period: string, dateParameter: (isoDate: string) => string): string {
  const [year, month] = period.split("-").map(Number);
  const bornBy = (age: number) => dateParameter(`${String(year - age).padStart(4, "0")}-${String(month).padStart(2, "0")}-01`);
  const branches = AGE_BAND_LOWER_BOUNDS.map((age, i) => `WHEN c.birth_date > ${bornBy(age)} THEN '${AGE_BANDS[i]}'`);
  return `CASE ${branches.join(" ")} ELSE '${AGE_BANDS[AGE_BANDS.length - 1]}' END`;
}

function serviceSql(plan: AggregatePlan, p: Params): string {
  return `CASE WHEN su.service = ANY(${p.once("catalogue", [...plan.services], "text[]")}) THEN su.service ELSE 'Other' END`;
}

const zone = (plan: AggregatePlan, p: Params) => p.once("timeZone", plan.timeZone, "text");

/** Conditions on the customer: active (not deleted, not erased) and the request's filters. */
function customerConditions(plan: AggregatePlan, p: Params): string[] {
  const { filter } = plan.query;
  const tz = () => zone(plan, p);
  const conditions = ["c.deleted_at IS NULL", "c.erased_at IS NULL"];
  // always: only the 47 prefectures exist as values, so every answer lies in the public domain
  conditions.push(`c.prefecture = ANY(${p.add(filter.prefectures ?? [...PREFECTURE_NAMES])}::text[])`);
  if (filter.genders) conditions.push(`c.gender = ANY(${p.add(filter.genders)}::text[])`);
  if (filter.ageBands) conditions.push(`(${ageBandSql(plan.period, p)}) = ANY(${p.add(filter.ageBands)}::text[])`);
  if (filter.signupMonth) {
    conditions.push(`c.created_at >= (${p.add(`${filter.signupMonth.from}-01`)}::timestamp AT TIME ZONE ${tz()})`);
    conditions.push(`c.created_at < (${p.add(dayAfterMonth(filter.signupMonth.to))}::timestamp AT TIME ZONE ${tz()})`);
  }
  return conditions;
}

function customersSql(plan: AggregatePlan): BuiltSql {
  const p = new Params();
  const k = p.add(plan.minGroupSize);
  const dims = plan.query.groupBy;
  const select = dims.map((d) => `${dimensionSql(d, plan, p)} AS ${COLUMN[d]}`);
  const where = customerConditions(plan, p);
  const positions = dims.map((_, i) => i + 1).join(", ");
  const sql = [
    `SELECT ${[...select, "count(*)::int AS customers"].join(", ")}`,
    `FROM customer c`,
    `WHERE ${where.join(" AND ")}`,
    dims.length ? `GROUP BY ${positions}` : "",
    `HAVING count(*) >= ${k}`,
  ];
  return { sql: sql.filter(Boolean).join("\n"), params: p.values };
}

/**
 * How a usage dimension is keyed while the rows are grouped per customer (the expensive part,
 * one row per usage row): services by their position in the catalogue (0 = Other) and months
 * by `date_trunc`, so the sorts and hashes work on integers and timestamps instead of text.
 * The keys become the public labels only on the final buckets (`usageLabel`).
 */
function usageKey(dimension: StatisticsDimension, plan: AggregatePlan, p: Params): string {
  if (dimension === D.SERVICE) return `coalesce(array_position(${p.once("catalogue", [...plan.services], "text[]")}, su.service), 0)`;
  if (dimension === D.USAGE_MONTH) return `date_trunc('month', su.occurred_at AT TIME ZONE ${zone(plan, p)})`;
  return dimensionSql(dimension, plan, p);
}

function usageLabel(dimension: StatisticsDimension, column: string, plan: AggregatePlan, p: Params): string {
  if (dimension === D.SERVICE) return serviceLabelSql(column, p.once("catalogue", [...plan.services], "text[]"));
  if (dimension === D.USAGE_MONTH) return `to_char(${column}, 'YYYY-MM')`;
  return column;
}

function usageSql(plan: AggregatePlan): BuiltSql {
  return plan.usageFacts ? usageFromFactsSql(plan) : usageFromRowsSql(plan);
}

/** The bucket-choice hash's key: the service's position and the month's day number (0 for a dimension not grouped). */
const pickInput = (service: string | null, month: string | null) =>
  `${service ? `${service}::bigint` : "0::bigint"} * 1000000 + ${month ?? "0::bigint"}`;

/**
 * The usage statement over the per-customer facts (one row per customer, service and month,
 * maintained by PostgreSQL: usage-facts.ts), with the same buckets, clamps and bounding as
 * over the usage rows (`usageFromRowsSql`), to the row:
 * 1. a customer's cells are the facts themselves when grouped by service and month (else the
 *    facts summed per coarser bucket), filtered by the months and services asked for;
 * 2. they join their customer (active, the request's filters), and a customer keeps at most B
 *    of them, ranked by the same hash. The facts' primary key is (customer, hash, …) and holds
 *    every column, and customer_active_idx holds the active customers' ids in order, so for
 *    service × month the two merge and the ranking streams on: no sort, no hash, no heap;
 * 3. the cells are summed per bucket, grouped by the integer keys and labelled once per
 *    bucket; k is enforced.
 */
function usageFromFactsSql(plan: AggregatePlan): BuiltSql {
  const p = new Params();
  const k = p.add(plan.minGroupSize);
  const { query, measures } = plan;
  const { filter } = query;
  const dims = query.groupBy;
  const byService = dims.includes(D.SERVICE);
  const byMonth = dims.includes(D.USAGE_MONTH);
  const S = COLUMN[D.SERVICE];
  const M = COLUMN[D.USAGE_MONTH];

  // 1. one row per customer and bucket
  const factWhere: string[] = [];
  const months = filter.usageMonth && {
    from: `${p.add(`${filter.usageMonth.from}-01`)}::date`,
    to: `${p.add(dayAfterMonth(filter.usageMonth.to))}::date`,
  };
  if (months) factWhere.push(`f.month >= ${months.from}`, `f.month < ${months.to}`);
  if (filter.services) factWhere.push(`f.service = ANY(${p.add(serviceIndexes(filter.services, plan.services))}::int[])`);
  const facts = byService && byMonth;
  const bounded = plan.bucketsPerCustomer < query.naturalBucketsPerCustomer;
  // Every service counted: a fact's earlier months (migration 1764700000000) say on its own
  // row whether it is among the customer's first B, so no window ranks them and the statement
  // can run in parallel workers. A filter on services changes which facts come earlier: rank.
  const rankedOnRows = facts && bounded && !filter.services && months !== null; // (grouping by month needs months)
  const cells = factCellsSql({
    byService,
    byMonth,
    where: factWhere,
    serviceAs: S,
    monthAs: M,
    withPick: !rankedOnRows,
    withEarlier: rankedOnRows,
  });

  // 2. their customer, and at most B buckets per customer, by the hash of the bucket seeded with their own id
  const pickKey = facts
    ? "f.pick_hash"
    : `hashint8extended(${pickInput(byService ? `f.${S}` : null, byMonth ? `(f.${M} - date '1970-01-01')::bigint` : null)}, uuid_hash(f.cid)::bigint)`;
  const usageColumns = dims.filter((d) => USAGE_DIMENSIONS.includes(d)).map((d) => `f.${COLUMN[d]}`);
  const customerColumns = dims.filter((d) => !USAGE_DIMENSIONS.includes(d)).map((d) => `${dimensionSql(d, plan, p)} AS ${COLUMN[d]}`);
  const bucketed = [
    `SELECT ${["f.cid", ...usageColumns, "f.uses", "f.amount", ...customerColumns, ...(rankedOnRows ? ["f.earlier"] : bounded ? [`row_number() OVER (PARTITION BY f.cid ORDER BY ${pickKey}) AS pick`] : [])].join(", ")}`,
    `FROM cells f JOIN customer c ON c.id = f.cid`,
    `WHERE ${customerConditions(plan, p).join(" AND ")}`,
  ].join("\n  ");

  // 3. per bucket: distinct customers and clamped per-customer contributions, k enforced
  const where = [`statistics_usage_fact_basis_is(${zone(plan, p)}, ${p.once("catalogue", [...plan.services], "text[]")})`];
  if (rankedOnRows && months) where.push(`${earlierInMonths("f.earlier", months)} < ${p.add(plan.bucketsPerCustomer)}`);
  else if (bounded) where.push(`f.pick <= ${p.add(plan.bucketsPerCustomer)}`);
  const aggregates = ["count(*)::int AS customers"];
  if (measures.includes("usageCount")) aggregates.push(`sum(LEAST(f.uses, ${p.add(plan.usageCap)}))::bigint AS usage_count`);
  if (measures.includes("amountSum")) aggregates.push(`sum(LEAST(f.amount, ${p.add(plan.amountCap)}))::bigint AS amount_sum`);
  const labels = dims.map((d) => `${usageLabel(d, `f.${COLUMN[d]}`, plan, p)} AS ${COLUMN[d]}`);
  const groupBy = dims.map((d) => `f.${COLUMN[d]}`);

  const sql = [
    `WITH cells AS (\n  ${cells}\n)`,
    `, bucketed AS (\n  ${bucketed}\n)`,
    `SELECT ${[...labels, ...aggregates].join(", ")}`,
    `FROM bucketed f`,
    `WHERE ${where.join(" AND ")}`,
    groupBy.length ? `GROUP BY ${groupBy.join(", ")}` : "",
    `HAVING count(*) >= ${k}`,
  ];
  // the customer side needs only what customer_active_idx holds (ids, prefectures): merge the two ordered streams
  const beyondIndex = customerColumns.length > 0 || filter.ageBands !== null || filter.genders !== null || filter.signupMonth !== null;
  return { sql: sql.filter(Boolean).join("\n"), params: p.values, mergeJoins: facts && !beyondIndex && !rankedOnRows };
}

/**
 * How many of a fact's earlier months (sorted dates, each a month's first day; NULL: none) lie
 * in the question's months [from, to): `width_bucket` counts the sorted months on or before a
 * day, so the months before `to` less those before `from`.
 */
function earlierInMonths(earlier: string, months: { from: string; to: string }): string {
  return `coalesce(width_bucket(${months.to} - 1, ${earlier}) - width_bucket(${months.from} - 1, ${earlier}), 0)`;
}

/** Catalogue positions of services as the facts key them (1-based; 0 = Other). */
function serviceIndexes(services: readonly string[], catalogue: readonly string[]): number[] {
  return services.map((service) => {
    if (service === OTHER_SERVICE) return 0;
    const index = catalogue.indexOf(service);
    if (index < 0) throw new Error(`service ${service} is not in the catalogue`);
    return index + 1;
  });
}

/** The usage statement over every usage row: for a store whose facts are not of this zone and catalogue. */
function usageFromRowsSql(plan: AggregatePlan): BuiltSql {
  const p = new Params();
  const k = p.add(plan.minGroupSize);
  const { query, measures } = plan;
  const dims = query.groupBy;
  const columns = dims.map((d) => COLUMN[d]);

  const where = customerConditions(plan, p);
  if (query.filter.usageMonth) {
    const tz = zone(plan, p);
    where.push(`su.occurred_at >= (${p.add(`${query.filter.usageMonth.from}-01`)}::timestamp AT TIME ZONE ${tz})`);
    where.push(`su.occurred_at < (${p.add(dayAfterMonth(query.filter.usageMonth.to))}::timestamp AT TIME ZONE ${tz})`);
  }
  if (query.filter.services) where.push(`(${serviceSql(plan, p)}) = ANY(${p.add(query.filter.services)}::text[])`);

  // 1. one row per customer and bucket: that customer's uses and amount in the bucket
  const facts = [
    `SELECT ${["su.customer_id AS cid", ...dims.map((d) => `${usageKey(d, plan, p)} AS ${COLUMN[d]}`), "count(*) AS uses", "sum(su.amount) AS amount"].join(", ")}`,
    `FROM service_usage su JOIN customer c ON c.id = su.customer_id`,
    `WHERE ${where.join(" AND ")}`,
    `GROUP BY ${["1", ...dims.map((_, i) => String(i + 2))].join(", ")}`,
  ].join("\n  ");

  // 2. a customer keeps at most B buckets, chosen by a hash of the bucket seeded with their
  //    own id, so the choice depends on nobody else: only needed when they could fall into
  //    more. Integer hashing (no text, no md5 per row): the keys are small integers.
  const bounded = plan.bucketsPerCustomer < query.naturalBucketsPerCustomer;
  const service = dims.includes(D.SERVICE) ? `f.${COLUMN[D.SERVICE]}::bigint` : "0::bigint";
  const month = dims.includes(D.USAGE_MONTH) ? `(extract(epoch FROM f.${COLUMN[D.USAGE_MONTH]})::bigint / 86400)` : "0::bigint";
  const pickKey = `hashint8extended(${service} * 1000000 + ${month}, uuid_hash(f.cid)::bigint)`;
  const source = bounded ? "bounded" : "facts";

  // 3. per bucket: distinct customers and clamped per-customer contributions, k enforced
  const aggregates = ["count(*)::int AS customers"];
  if (measures.includes("usageCount")) aggregates.push(`sum(LEAST(uses, ${p.add(plan.usageCap)}))::bigint AS usage_count`);
  if (measures.includes("amountSum")) aggregates.push(`sum(LEAST(amount, ${p.add(plan.amountCap)}))::bigint AS amount_sum`);
  const labels = dims.map((d) => `${usageLabel(d, COLUMN[d], plan, p)} AS ${COLUMN[d]}`);

  const sql = [
    `WITH facts AS (\n  ${facts}\n)`,
    bounded ? `, bounded AS (\n  SELECT f.*, row_number() OVER (PARTITION BY f.cid ORDER BY ${pickKey}) AS pick FROM facts f\n)` : "",
    `SELECT ${[...labels, ...aggregates].join(", ")}`,
    `FROM ${source}`,
    bounded ? `WHERE pick <= ${p.add(plan.bucketsPerCustomer)}` : "",
    columns.length ? `GROUP BY ${columns.join(", ")}` : "",
    `HAVING count(*) >= ${k}`,
  ];
  return { sql: sql.filter(Boolean).join("\n"), params: p.values };
}
