import { OTHER_SERVICE } from "../../../config/statistics";
import { regionSql } from "../../../kernel/personal-data/generalisations";
import { COLUMN, PREFECTURE_NAMES, StatisticsDimension as D, type StatisticsDimension } from "../dimensions";
import { dayAfterMonth } from "../months";
import { factCellsSql, serviceLabelSql } from "../usage-facts";
import { ageBandOnFirstDaySql, type BuiltSql } from "../sql";
import type { GroupingMethod } from "./plan";

export interface PublishSqlOptions {
  usageCap: number;
  amountCap: number;
  timeZone: string;
  /** "YYYY-MM": ages are reckoned on the first day of this month */
  period: string;
  /**
   * Read usage from the per-customer facts (statistics/usage-facts.ts), which must be
   * reckoned in this zone and the method's catalogue (the statement checks it); otherwise
   * from every usage row.
   */
  usageFacts?: boolean;
}

const REGION_CASE = regionSql("c.prefecture");

/**
 * The one statement that measures every non-empty cell of a grouping exactly (noise is added
 * in Node, to every cell of the public domain). Built to scale (issue 12.3): months are
 * bucketed with `date_trunc` on the timestamp and formatted only once per output group,
 * services by `= ANY` (no per-row hashing or text formatting); usage is first summed per
 * customer and cell from service_usage alone (the clamp applies per customer and cell), then
 * joined to the customer once per such fact instead of once per use.
 */
export function publishSql(method: GroupingMethod, options: PublishSqlOptions): BuiltSql {
  const params: unknown[] = [];
  const add = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };
  const { grouping } = method;
  const customerDims = grouping.dimensions.filter((d) => d !== D.SERVICE && d !== D.USAGE_MONTH);
  const ageBand = () => ageBandOnFirstDaySql(options.period, (date) => add(date, "date"));
  const customerSql = (d: StatisticsDimension) =>
    d === D.AGE_BAND ? ageBand() : d === D.GENDER ? "c.gender" : d === D.PREFECTURE ? "c.prefecture" : REGION_CASE;
  const active = [`c.deleted_at IS NULL`, `c.erased_at IS NULL`, `c.prefecture = ANY(${add([...PREFECTURE_NAMES], "text[]")})`];

  if (grouping.field === "customers") {
    const select = customerDims.map((d) => `${customerSql(d)} AS ${COLUMN[d]}`);
    const sql = [
      `SELECT ${[...select, "count(*)::bigint AS customers"].join(", ")}`,
      `FROM customer c`,
      `WHERE ${active.join(" AND ")}`,
      customerDims.length ? `GROUP BY ${customerDims.map((_, i) => i + 1).join(", ")}` : "",
    ];
    return { sql: sql.filter(Boolean).join("\n"), params };
  }

  if (options.usageFacts) return usageFromFactsSql(method, options, { params, add, customerDims, customerSql, active });

  const zone = add(options.timeZone, "text");
  const range = grouping.usageMonths!;
  const factDims: string[] = [];
  const outerUsage: string[] = [];
  if (grouping.dimensions.includes(D.SERVICE)) {
    factDims.push(`CASE WHEN su.service = ANY(${add(method.services, "text[]")}) THEN su.service ELSE '${OTHER_SERVICE}' END AS service`);
    outerUsage.push(`f.service AS ${COLUMN.SERVICE}`);
  }
  if (grouping.dimensions.includes(D.USAGE_MONTH)) {
    factDims.push(`date_trunc('month', su.occurred_at AT TIME ZONE ${zone}) AS month`);
    outerUsage.push(`to_char(f.month, 'YYYY-MM') AS ${COLUMN.USAGE_MONTH}`);
  }
  const facts = [
    `SELECT ${["su.customer_id AS cid", ...factDims, "count(*) AS uses", "sum(su.amount) AS amount"].join(", ")}`,
    `FROM service_usage su`,
    `WHERE su.occurred_at >= (${add(`${range.from}-01`, "timestamp")} AT TIME ZONE ${zone}) AND su.occurred_at < (${add(dayAfterMonth(range.to), "timestamp")} AT TIME ZONE ${zone})`,
    `GROUP BY ${["1", ...factDims.map((_, i) => String(i + 2))].join(", ")}`,
  ].join("\n  ");
  const select = [...customerDims.map((d) => `${customerSql(d)} AS ${COLUMN[d]}`), ...outerUsage];
  const groupKeys = [
    ...customerDims.map((_, i) => String(i + 1)),
    ...(grouping.dimensions.includes(D.SERVICE) ? ["f.service"] : []),
    ...(grouping.dimensions.includes(D.USAGE_MONTH) ? ["f.month"] : []),
  ];
  // a customer in more cells than the plan's bound keeps their most used ones (a choice made
  // from their own uses only, so one customer still moves at most B cells)
  const bound = grouping.maxCellsPerCustomer;
  const order = [
    "f.uses DESC",
    ...(grouping.dimensions.includes(D.SERVICE) ? ["f.service"] : []),
    ...(grouping.dimensions.includes(D.USAGE_MONTH) ? ["f.month"] : []),
  ];
  const source = bound
    ? `(SELECT f.*, row_number() OVER (PARTITION BY f.cid ORDER BY ${order.join(", ")}) AS pick FROM facts f) f`
    : "facts f";
  const sql = [
    `WITH facts AS (\n  ${facts}\n)`,
    `SELECT ${[...select, "count(*)::bigint AS customers", `sum(LEAST(f.uses, ${add(options.usageCap, "bigint")}))::bigint AS usage_count`, `sum(LEAST(f.amount, ${add(options.amountCap, "bigint")}))::bigint AS amount_sum`].join(", ")}`,
    `FROM ${source} JOIN customer c ON c.id = f.cid`,
    `WHERE ${[...active, ...(bound ? [`f.pick <= ${add(bound, "bigint")}`] : [])].join(" AND ")}`,
    groupKeys.length ? `GROUP BY ${groupKeys.join(", ")}` : "",
  ];
  return { sql: sql.filter(Boolean).join("\n"), params };
}

interface Built {
  params: unknown[];
  add: (value: unknown, cast: string) => string;
  customerDims: StatisticsDimension[];
  customerSql: (d: StatisticsDimension) => string;
  active: string[];
}

/**
 * The same cells from the per-customer facts (one row per customer, service and month,
 * already summed: no grouping of every usage row, no per-row month or service reckoning),
 * for a store whose facts are of this zone and catalogue. Services are keyed by their
 * catalogue position while summing and labelled per cell; the choice of a customer's most
 * used cells breaks ties by the labels, as over the usage rows.
 */
function usageFromFactsSql(method: GroupingMethod, options: PublishSqlOptions, built: Built): BuiltSql {
  const { params, add, customerDims, customerSql, active } = built;
  const { grouping } = method;
  const range = grouping.usageMonths!;
  const byService = grouping.dimensions.includes(D.SERVICE);
  const byMonth = grouping.dimensions.includes(D.USAGE_MONTH);
  const catalogue = add(method.services, "text[]");
  const label = (column: string) => serviceLabelSql(column, catalogue);
  const keys = [...(byService ? ["f.service"] : []), ...(byMonth ? ["f.month"] : [])];
  const months = [`f.month >= ${add(`${range.from}-01`, "date")}`, `f.month < ${add(dayAfterMonth(range.to), "date")}`];
  // the facts are the cells of service × month; coarser cells sum them per customer
  const facts = factCellsSql({ byService, byMonth, where: months, serviceAs: "service", monthAs: "month" });
  const bound = grouping.maxCellsPerCustomer;
  const order = ["f.uses DESC", ...(byService ? [label("f.service")] : []), ...(byMonth ? ["f.month"] : [])];
  const source = bound
    ? `(SELECT f.*, row_number() OVER (PARTITION BY f.cid ORDER BY ${order.join(", ")}) AS pick FROM facts f) f`
    : "facts f";
  const select = [
    ...customerDims.map((d) => `${customerSql(d)} AS ${COLUMN[d]}`),
    ...(byService ? [`${label("f.service")} AS ${COLUMN.SERVICE}`] : []),
    ...(byMonth ? [`to_char(f.month, 'YYYY-MM') AS ${COLUMN.USAGE_MONTH}`] : []),
  ];
  const groupKeys = [...customerDims.map((_, i) => String(i + 1)), ...keys];
  const where = [
    ...active,
    ...(bound ? [`f.pick <= ${add(bound, "bigint")}`] : []),
    `statistics_usage_fact_basis_is(${add(options.timeZone, "text")}, ${catalogue})`,
  ];
  const sql = [
    `WITH facts AS (\n  ${facts}\n)`,
    `SELECT ${[...select, "count(*)::bigint AS customers", `sum(LEAST(f.uses, ${add(options.usageCap, "bigint")}))::bigint AS usage_count`, `sum(LEAST(f.amount, ${add(options.amountCap, "bigint")}))::bigint AS amount_sum`].join(", ")}`,
    `FROM ${source} JOIN customer c ON c.id = f.cid`,
    `WHERE ${where.join(" AND ")}`,
    groupKeys.length ? `GROUP BY ${groupKeys.join(", ")}` : "",
  ];
  return { sql: sql.filter(Boolean).join("\n"), params };
}
