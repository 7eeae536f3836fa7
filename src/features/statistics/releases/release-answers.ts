import type { StatisticsConfig } from "../../../config/statistics";
import type { FeatureDb } from "../../../kernel/store/feature-db";
import { COLUMN, REGION_OF, StatisticsDimension as D, type StatisticsDimension } from "../dimensions";
import type { MeasureNoise, ReleasedBucket } from "../mechanism";
import type { StatisticsQuery } from "../query";
import { bucketVariances, covers } from "./cover";
import { cellCount, type GroupingMethod } from "./plan";
import { ReleaseStore, type ReleaseSummary } from "./release-store";

/** Where an answer from a released table came from. */
export interface ReleaseSource {
  reference: string;
  plan: string;
  planVersion: number;
  publishedAt: Date;
  epsilon: number;
}

/** An answer from a released table, in the shape of a stored interactive answer. */
export interface ReleaseAnswer {
  buckets: ReleasedBucket[];
  possibleBuckets: number;
  minGroupSize: number;
  releaseThreshold: number;
  noise: MeasureNoise[];
  epsilonMicro: number;
  release: ReleaseSource;
}

/**
 * Answers a question from the newest release of the period that covers it (cover.ts): one
 * statement summing its cells, every bucket of the question's domain present (released cells
 * carry noise, none is withheld), each number with its standard error. Free: a release's
 * cells are public once published, so any number of sums of them costs no further ε.
 */
export class ReleaseAnswers {
  private readonly store: ReleaseStore;

  constructor(
    private readonly db: FeatureDb,
    private readonly config: StatisticsConfig,
  ) {
    this.store = new ReleaseStore(db);
  }

  async answer(query: StatisticsQuery, period: string): Promise<ReleaseAnswer | null> {
    const found = pick(await this.store.releasesOf(period), query, this.config.services);
    if (!found) return null;
    const { release, grouping, method } = found;
    const rows = await this.db.query(...cellSumSql(release.id, grouping, method, query));
    const byKey = new Map(rows.map((row: any) => [query.groupBy.map((d) => row[COLUMN[d]]).join("|"), row]));
    const buckets: ReleasedBucket[] = bucketKeys(query).map((key) => {
      const row: any = byKey.get(query.groupBy.map((d) => key[d]).join("|"));
      const variances = bucketVariances(method, query, key);
      const bucket: ReleasedBucket = { key, customers: Number(row?.customers ?? 0), standardErrors: {} };
      if (query.field === "serviceUsage") {
        bucket.usageCount = Number(row?.usage_count ?? 0);
        bucket.amountSum = Number(row?.amount_sum ?? 0);
      }
      for (const [measure, variance] of Object.entries(variances))
        bucket.standardErrors![measure as keyof typeof variances] = round2(Math.sqrt(variance!));
      return bucket;
    });
    return {
      buckets,
      possibleBuckets: query.possibleBuckets,
      minGroupSize: 0,
      releaseThreshold: 0,
      noise: [],
      epsilonMicro: 0,
      release: {
        reference: release.id,
        plan: release.plan,
        planVersion: release.planVersion,
        publishedAt: release.publishedAt,
        epsilon: release.epsilonMicro / 1e6,
      },
    };
  }
}

/** The newest release with a grouping covering the question; of its groupings, the one with fewest cells. */
export function pick(releases: readonly ReleaseSummary[], query: StatisticsQuery, services: readonly string[]) {
  for (const release of releases) {
    const candidates = release.method
      .map((method, grouping) => ({ method, grouping, cells: cellCount(method.grouping, method.services) }))
      .filter((c) => covers(c.method, query, services));
    if (candidates.length) {
      const best = candidates.reduce((a, b) => (b.cells < a.cells ? b : a));
      return { release, grouping: best.grouping, method: best.method as GroupingMethod };
    }
  }
  return null;
}

function cellSumSql(releaseId: string, grouping: number, method: GroupingMethod, query: StatisticsQuery): [string, unknown[]] {
  const params: unknown[] = [releaseId, grouping];
  const add = (value: unknown) => `$${params.push(value)}`;
  const where = ["release_id = $1", "grouping = $2"];
  const { filter } = query;
  if (filter.ageBands) where.push(`age_band = ANY(${add(filter.ageBands)}::text[])`);
  if (filter.genders) where.push(`gender = ANY(${add(filter.genders)}::text[])`);
  // prefectures of whole regions select the same cells by region when only regions were released
  if (filter.prefectures)
    where.push(`coalesce(prefecture, region) = ANY(${add([...filter.prefectures, ...regionsOf(filter.prefectures)])}::text[])`);
  if (filter.services) where.push(`service = ANY(${add(filter.services)}::text[])`);
  // without released months the cells already cover exactly the asked months (cover.ts)
  if (filter.usageMonth && method.grouping.dimensions.includes(D.USAGE_MONTH))
    where.push(`usage_month BETWEEN ${add(filter.usageMonth.from)} AND ${add(filter.usageMonth.to)}`);
  const columns = query.groupBy.map((d) => COLUMN[d]);
  const sql = [
    `SELECT ${[...columns, "sum(customers)::bigint AS customers", "sum(usage_count)::bigint AS usage_count", "sum(amount_sum)::bigint AS amount_sum"].join(", ")}`,
    `FROM statistics_published_cell WHERE ${where.join(" AND ")}`,
    columns.length ? `GROUP BY ${columns.map((_, i) => i + 1).join(", ")}` : "",
  ];
  return [sql.filter(Boolean).join("\n"), params];
}

const regionsOf = (prefectures: readonly string[]) => [...new Set(prefectures.map((p) => REGION_OF.get(p)!))];

/** Every bucket of the question's public domain, in domain order (a prefecture fixes its region). */
function bucketKeys(query: StatisticsQuery): Array<Partial<Record<StatisticsDimension, string>>> {
  let keys: Array<Partial<Record<StatisticsDimension, string>>> = [{}];
  for (const d of query.groupBy) {
    if (d === D.REGION && query.groupBy.includes(D.PREFECTURE)) continue;
    keys = keys.flatMap((key) => query.domains[d]!.map((value) => ({ ...key, [d]: value })));
  }
  if (query.groupBy.includes(D.REGION) && query.groupBy.includes(D.PREFECTURE))
    for (const key of keys) key.REGION = REGION_OF.get(key.PREFECTURE!)!;
  return keys;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
