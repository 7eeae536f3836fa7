import type { StatisticsConfig } from "../../config/statistics";
import { COLUMN, REGION_OF, type StatisticsDimension } from "./dimensions";
import { decay, discreteLaplaceVariance, laplaceNoise } from "./noise/discrete-laplace";
import { divide, toNumber, type Rational } from "./noise/rational";
import type { SecureRandom } from "./noise/secure-random";
import { releaseThreshold } from "./noise/threshold";
import type { StatisticsQuery } from "./query";
import type { Measure } from "./sql";

/** What a query releases and how noisy each measure is: all public, none of it data. */
export interface MechanismPlan {
  measures: Measure[];
  /** ε of each measure; they add up to the query's ε */
  epsilons: Partial<Record<Measure, Rational>>;
  /** L1 sensitivity of each measure over the whole answer: B, B·usageCap, B·amountCap */
  sensitivities: Partial<Record<Measure, number>>;
  bucketsPerCustomer: number;
  minGroupSize: number;
  releaseThreshold: number;
}

export interface ReleasedBucket {
  key: Partial<Record<StatisticsDimension, string>>;
  customers: number;
  usageCount?: number;
  amountSum?: number;
  /** answers from a released table: the standard error of each number (variance of the sum of cells) */
  standardErrors?: Partial<Record<Measure, number>>;
}

export interface MeasureNoise {
  measure: Measure;
  epsilon: number;
  sensitivity: number;
  standardDeviation: number;
}

/**
 * Which measures to compute, from the fields the client selected. The distinct-customer
 * count is always computed (it decides which buckets are released); usage counts and sums
 * only when asked for, so a client pays no ε for what it does not read.
 */
export function measuresFor(field: StatisticsQuery["field"], selected: ReadonlySet<string>): Measure[] {
  const measures: Measure[] = ["customers"];
  if (field === "customers") return measures;
  if (selected.has("usageCount") || selected.has("amountAvg")) measures.push("usageCount");
  if (selected.has("amountSum") || selected.has("amountAvg") || selected.has("amountPerCustomer")) measures.push("amountSum");
  return measures;
}

/**
 * Splits the query's ε: the customer count gets half (all of it when alone: it gates every
 * release, so its accuracy matters most), the other measures share the rest equally.
 */
export function planMechanism(query: StatisticsQuery, measures: Measure[], config: StatisticsConfig): MechanismPlan {
  const bucketsPerCustomer = Math.min(query.naturalBucketsPerCustomer, config.maxBucketsPerCustomer);
  const others = measures.filter((m) => m !== "customers");
  const epsilons: MechanismPlan["epsilons"] = { customers: others.length ? divide(config.epsilon, 2) : config.epsilon };
  for (const m of others) epsilons[m] = divide(config.epsilon, 2 * others.length);
  const sensitivities: MechanismPlan["sensitivities"] = {
    customers: bucketsPerCustomer,
    usageCount: bucketsPerCustomer * config.usageCap,
    amountSum: bucketsPerCustomer * config.amountCap,
  };
  return {
    measures,
    epsilons,
    sensitivities,
    bucketsPerCustomer,
    minGroupSize: config.minGroupSize,
    releaseThreshold: releaseThreshold(config.minGroupSize, epsilons.customers!, bucketsPerCustomer, config.delta),
  };
}

/**
 * Adds noise to the (already k-thresholded) buckets from SQL and releases those whose noisy
 * customer count reaches the noisy threshold τ. Every released number is an integer with its
 * own fresh discrete Laplace noise; negative noisy totals are clipped to 0 (post-processing).
 */
export function releaseBuckets(
  rows: ReadonlyArray<Record<string, unknown>>,
  query: StatisticsQuery,
  plan: MechanismPlan,
  rng: SecureRandom,
): ReleasedBucket[] {
  const noisy = (measure: Measure, value: number) => value + laplaceNoise(rng, plan.epsilons[measure]!, plan.sensitivities[measure]!);
  const released: ReleasedBucket[] = [];
  for (const row of rows) {
    const key = keyOf(row, query);
    if (!key) continue;
    const customers = noisy("customers", Number(row.customers));
    if (customers < plan.releaseThreshold) continue;
    const bucket: ReleasedBucket = { key, customers };
    if (plan.measures.includes("usageCount")) bucket.usageCount = Math.max(0, noisy("usageCount", Number(row.usage_count)));
    if (plan.measures.includes("amountSum")) bucket.amountSum = Math.max(0, noisy("amountSum", Number(row.amount_sum)));
    released.push(bucket);
  }
  // in the domains' own order (age bands youngest first, prefectures north to south, months in
  // time): an order from public facts only, never from the data
  const rank = (key: ReleasedBucket["key"]) => query.groupBy.map((d) => query.domains[d]!.indexOf(key[d]!));
  return released.sort((a, b) => {
    const [ra, rb] = [rank(a.key), rank(b.key)];
    const i = ra.findIndex((value, j) => value !== rb[j]);
    return i < 0 ? 0 : ra[i] - rb[i];
  });
}

/** The bucket's key, or null if it lies outside the public domain (never released). */
function keyOf(row: Record<string, unknown>, query: StatisticsQuery): ReleasedBucket["key"] | null {
  const key: ReleasedBucket["key"] = {};
  for (const dimension of query.groupBy) {
    const value = row[COLUMN[dimension]];
    if (typeof value !== "string" || !query.domains[dimension]!.includes(value)) return null;
    key[dimension] = value;
  }
  if (key.PREFECTURE && key.REGION && REGION_OF.get(key.PREFECTURE) !== key.REGION) return null;
  if (key.SIGNUP_MONTH && key.SIGNUP_YEAR && !key.SIGNUP_MONTH.startsWith(key.SIGNUP_YEAR)) return null;
  return key;
}

/** How noisy each measure is, so analysts can put error bars on the numbers. */
export function noiseReport(plan: MechanismPlan): MeasureNoise[] {
  return plan.measures.map((measure) => {
    const epsilon = plan.epsilons[measure]!;
    const sensitivity = plan.sensitivities[measure]!;
    return {
      measure,
      epsilon: toNumber(epsilon),
      sensitivity,
      standardDeviation: Math.sqrt(discreteLaplaceVariance(decay(epsilon, sensitivity))),
    };
  });
}
