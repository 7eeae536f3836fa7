import { OTHER_SERVICE } from "../../config/statistics";
import { DATA_CATEGORIES as C } from "../../kernel/personal-data/categories";
import { declareTable } from "../../kernel/personal-data/declaration";
import type { FeatureDb } from "../../kernel/store/feature-db";
import { logger } from "../../observability/logger";

/**
 * Per-customer usage facts (migration 1764670000000): per customer, service and month, their
 * uses and amount, maintained by PostgreSQL from `service_usage` (triggers) in the statistics
 * zone and catalogue (the basis). Statistics read them instead of every usage row
 * (statistics/sql.ts); they never leave PostgreSQL as rows. They are about a customer, so
 * they are declared like every customer-linked table: erased with the customer (deleted),
 * exported as the usage rows they summarise.
 */
export const STATISTICS_USAGE_FACT = declareTable({
  table: "statistics_usage_fact",
  owner: "statistics",
  link: { kind: "column", column: "customer_id" },
  columns: {
    customerId: { column: "customer_id", kind: "link", sqlType: "uuid", exportAs: null },
    pick: { column: "pick", kind: "personal", sqlType: "bigint", category: C.SERVICE_USAGE, exportAs: null },
    service: { column: "service", kind: "personal", sqlType: "integer", category: C.SERVICE_USAGE },
    month: { column: "month", kind: "personal", sqlType: "date", category: C.SERVICE_USAGE },
    uses: { column: "uses", kind: "personal", sqlType: "integer", category: C.SERVICE_USAGE },
    amount: { column: "amount", kind: "personal", sqlType: "bigint", category: C.SERVICE_USAGE },
    // the months of the customer's facts ranked before this one (migration 1764700000000)
    earlierMonths: { column: "earlier_months", kind: "personal", sqlType: "date[]", category: C.SERVICE_USAGE, exportAs: null },
  },
  erasure: { action: "delete" },
  // a summary of the customer's usage rows, which their export lists one by one
  exportedThrough: "service_usage",
});

/** The zone and catalogue the facts are reckoned in. */
export interface UsageFactsBasis {
  timeZone: string;
  services: readonly string[];
}

/** The basis the store's facts are built on (null: none, so nothing is maintained). */
export async function usageFactsBasis(db: FeatureDb): Promise<UsageFactsBasis | null> {
  const [row] = await db.query(`SELECT time_zone, services FROM statistics_usage_fact_basis WHERE singleton`);
  return row ? { timeZone: String(row.time_zone), services: row.services as string[] } : null;
}

export const sameBasis = (a: UsageFactsBasis | null, b: UsageFactsBasis): boolean =>
  a !== null && a.timeZone === b.timeZone && a.services.length === b.services.length && a.services.every((s, i) => s === b.services[i]);

/**
 * Makes the facts those of this gateway's zone and catalogue: when the store's differ (or it
 * has none yet), they are rebuilt from the usage rows, in PostgreSQL, in one transaction
 * (writers wait for it), and vacuumed so questions read them index-only. Gateways of one
 * store should share STATS_SERVICES as they share the zone: otherwise each start rebuilds,
 * and the gateway whose catalogue the facts are not built for answers from the usage rows.
 */
export async function ensureUsageFacts(db: FeatureDb, basis: UsageFactsBasis): Promise<void> {
  if (sameBasis(await usageFactsBasis(db), basis)) return;
  const started = performance.now();
  const [{ built }] = await db.query(`SELECT statistics_usage_fact_rebuild($1, $2::text[]) AS built`, [
    basis.timeZone,
    [...basis.services],
  ]);
  if (built === null) return; // another gateway built this basis meanwhile
  await db.query(`VACUUM (ANALYZE) statistics_usage_fact`);
  logger.info(
    { facts: Number(built), ms: Math.round(performance.now() - started), timeZone: basis.timeZone },
    "statistics usage facts built for this zone and catalogue",
  );
}

/**
 * Each customer's cells from the facts, as SQL (columns `cid`, the service as `serviceAs` if
 * grouped by service, the month as `monthAs` if grouped by month, `uses`, `amount`): the facts
 * themselves when grouped by service and month (with their bucket-choice hash as `pick_hash`
 * if `withPick`), else the facts summed per customer and coarser bucket. Interactive answers
 * (statistics/sql.ts) and released tables (releases/publish-sql.ts) read the same cells.
 */
export function factCellsSql(o: {
  byService: boolean;
  byMonth: boolean;
  where: readonly string[];
  serviceAs: string;
  monthAs: string;
  withPick?: boolean;
  /** and the months of the customer's facts ranked before it as `earlier` */
  withEarlier?: boolean;
}): string {
  const where = o.where.length ? ` WHERE ${o.where.join(" AND ")}` : "";
  if (o.byService && o.byMonth) {
    const extra = `${o.withPick ? ", f.pick AS pick_hash" : ""}${o.withEarlier ? ", f.earlier_months AS earlier" : ""}`;
    return `SELECT f.customer_id AS cid, f.service AS ${o.serviceAs}, f.month AS ${o.monthAs}, f.uses, f.amount${extra} FROM statistics_usage_fact f${where}`;
  }
  const keys = [...(o.byService ? [`f.service AS ${o.serviceAs}`] : []), ...(o.byMonth ? [`f.month AS ${o.monthAs}`] : [])];
  const columns = ["f.customer_id AS cid", ...keys, "sum(f.uses) AS uses", "sum(f.amount) AS amount"];
  return `SELECT ${columns.join(", ")} FROM statistics_usage_fact f${where} GROUP BY ${["1", ...keys.map((_, i) => String(i + 2))].join(", ")}`;
}

/** A service's label from the facts' key (its catalogue position, 1-based; 0 for the pooled rest). */
export const serviceLabelSql = (column: string, catalogue: string): string =>
  `CASE WHEN ${column} = 0 THEN '${OTHER_SERVICE}' ELSE (${catalogue})[${column}] END`;
