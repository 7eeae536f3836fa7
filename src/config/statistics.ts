import { z } from "zod";
import { integer, parsed, type EnvVar } from "./env-vars";

/**
 * The privacy parameters of the statistics API (agreement 1.6 and 3.2). Every value is
 * validated at start-up: a gateway with an unsafe setting (k below 5, noise the exact sampler
 * cannot draw, …) refuses to start rather than release weak statistics or fail after spending.
 * The budgets are not settings: the privacy officer keeps them in the store (one company
 * budget shared by every gateway; `npm run statistics -- budget set`).
 */
export interface StatisticsConfig {
  /** k: a bucket with fewer distinct customers is never released (hard floor, in SQL). */
  minGroupSize: number;
  /** ε spent by one statistics field, in millionths (exact integer accounting). */
  epsilonMicro: number;
  /** the same ε as an exact fraction num/den (the noise sampler works with integers only) */
  epsilon: { readonly num: number; readonly den: number };
  /** δ: the chance a bucket at exactly k customers is released (noisy threshold). */
  delta: number;
  /** a customer's amount in one bucket is clamped to this many yen (sum sensitivity) */
  amountCap: number;
  /** a customer's uses in one bucket are clamped to this count (usage-count sensitivity) */
  usageCap: number;
  /** a customer contributes to at most this many buckets of one query */
  maxBucketsPerCustomer: number;
  /** the largest grouping (possible buckets) one query may ask for */
  maxBuckets: number;
  /** the public service catalogue; other services are reported as "Other" */
  services: readonly string[];
  /** months, ages and budget periods are reckoned in this time zone (it must be the store's) */
  timeZone: string;
}

/** The service catalogue of the demo data; a deployment lists its own with STATS_SERVICES. */
export const DEFAULT_SERVICES = ["Mobile", "Broadband", "Streaming", "Cloud Storage", "Travel Booking"] as const;
export const OTHER_SERVICE = "Other";
export const MIN_GROUP_SIZE_FLOOR = 5;

const MICRO = 1_000_000;

/** A positive decimal with at most six decimals, as an exact count of millionths. */
const micro = (fallback: string, maxMicro: number): EnvVar<number> =>
  parsed((raw) => {
    const text = raw?.trim() || fallback;
    const match = /^(\d{1,6})(?:\.(\d{1,6}))?$/.exec(text);
    if (!match) throw new Error(`must be a positive decimal with at most 6 decimals, got "${text}"`);
    const value = Number(match[1]) * MICRO + Number((match[2] ?? "").padEnd(6, "0"));
    if (value <= 0 || value > maxMicro) throw new Error(`must be above 0 and at most ${maxMicro / MICRO}, got "${text}"`);
    return value;
  });

const minGroupSize = parsed((raw) => {
  if (raw !== undefined && /^\d+$/.test(raw.trim()) && Number(raw) < MIN_GROUP_SIZE_FLOOR) {
    throw new Error(`must be at least ${MIN_GROUP_SIZE_FLOOR} (got ${raw}): smaller groups identify people`);
  }
  const value = Number(raw ?? 10);
  if (!/^\d+$/.test((raw ?? "10").trim()) || value > 10_000)
    throw new Error(`must be an integer from ${MIN_GROUP_SIZE_FLOOR} to 10000, got "${raw}"`);
  return value;
});

const delta = parsed((raw) => {
  const text = raw?.trim() || "1e-6";
  const value = Number(text);
  if (!/^[0-9.eE-]+$/.test(text) || !Number.isFinite(value) || value <= 0 || value > 1e-3) {
    throw new Error(`must be a number above 0 and at most 0.001, got "${text}"`);
  }
  return value;
});

const services = parsed((raw) => {
  const list = raw?.trim()
    ? raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [...DEFAULT_SERVICES];
  for (const service of list) {
    if (!/^[\p{L}\p{N}][\p{L}\p{N} &'.-]{0,63}$/u.test(service) || service === OTHER_SERVICE) {
      throw new Error(`must list valid service names; "${service}" is not one`);
    }
  }
  if (new Set(list).size !== list.length) throw new Error("must not list a service twice");
  return list as readonly string[];
});

const timeZone = parsed((raw) => {
  const zone = raw?.trim() || "Asia/Tokyo";
  try {
    new Intl.DateTimeFormat("en-CA", { timeZone: zone });
  } catch {
    throw new Error(`must be a known time zone, got "${zone}"`);
  }
  return zone;
});

/** STATS_BUDGET was a per-client budget; the company's budget now lives in the store. */
const retiredBudget = parsed((raw) => {
  if (raw !== undefined) {
    throw new Error(
      "is no longer a setting: the privacy budget is the company's, kept in the store (npm run statistics -- budget set); unset it",
    );
  }
  return undefined;
});

/** The statistics variables, as part of the one settings schema (settings.ts). */
export const statisticsVariables = {
  STATS_MIN_GROUP_SIZE: minGroupSize,
  STATS_EPSILON: micro("1", 10 * MICRO),
  STATS_BUDGET: retiredBudget,
  STATS_DELTA: delta,
  STATS_AMOUNT_CAP: integer(30_000, 1, 10_000_000),
  STATS_USAGE_CAP: integer(10, 1, 10_000),
  STATS_MAX_BUCKETS_PER_CUSTOMER: integer(3, 1, 100),
  STATS_MAX_BUCKETS: integer(5000, 1, 100_000),
  STATS_SERVICES: services,
  STATS_TIME_ZONE: timeZone,
};

type StatisticsVariables = { [K in keyof typeof statisticsVariables]: z.output<(typeof statisticsVariables)[K]> };

/** Checks between variables; returns the problems ("<VARIABLE> must be …"). */
export function statisticsProblems(v: StatisticsVariables): string[] {
  return samplerProblems(v);
}

const INT32_MAX = 2 ** 31 - 1;
/** The sampler multiplies its scale denominator by up to this many trials before giving up. */
const SAMPLER_TRIALS = 64;
/** Noise beyond this many scales has probability below e^-50: the answer type must hold it. */
const NOISE_TAIL_SCALES = 50;

/**
 * Settings under which the exact noise sampler would overflow, or a noisy value (or the
 * release threshold) would not fit its GraphQL type, are refused at start-up: otherwise the
 * failure would come after ε is spent. Checked for the smallest share of ε a measure gets
 * (customers ε/2, usage count and amount ε/4 each) and the largest sensitivity (B customers'
 * buckets times the caps).
 */
function samplerProblems(v: StatisticsVariables): string[] {
  const problems: string[] = [];
  const b = v.STATS_MAX_BUCKETS_PER_CUSTOMER;
  const measures = [
    { name: "customer count", share: 2, sensitivity: b, limit: INT32_MAX, variables: "STATS_MAX_BUCKETS_PER_CUSTOMER" },
    {
      name: "usage count",
      share: 4,
      sensitivity: b * v.STATS_USAGE_CAP,
      limit: INT32_MAX,
      variables: "STATS_USAGE_CAP or STATS_MAX_BUCKETS_PER_CUSTOMER",
    },
    {
      name: "amount sum",
      share: 4,
      sensitivity: b * v.STATS_AMOUNT_CAP,
      limit: Number.MAX_SAFE_INTEGER,
      variables: "STATS_AMOUNT_CAP or STATS_MAX_BUCKETS_PER_CUSTOMER",
    },
  ];
  const epsilon = v.STATS_EPSILON / MICRO;
  for (const m of measures) {
    const g = gcd(v.STATS_EPSILON, MICRO * m.share);
    const samplerDenominator = ((MICRO * m.share) / g) * m.sensitivity; // t of the sampler's scale t/s
    const scale = (m.sensitivity * m.share) / epsilon; // Δ/ε of that measure
    if (samplerDenominator * SAMPLER_TRIALS > Number.MAX_SAFE_INTEGER || scale * NOISE_TAIL_SCALES > m.limit / 2) {
      problems.push(
        `STATS_EPSILON=${epsilon} is too small for the ${m.name} (sensitivity ${m.sensitivity}, noise scale ${scale.toExponential(2)}): the exact sampler or the answer would overflow; raise STATS_EPSILON or lower ${m.variables}`,
      );
    }
  }
  // the release threshold τ = k + m, m ≈ (B/ε_count)·ln(B/δ), is an Int of every answer
  const thresholdMargin = ((2 * b) / epsilon) * Math.log(b / v.STATS_DELTA);
  if (v.STATS_MIN_GROUP_SIZE + thresholdMargin > INT32_MAX / 2) {
    problems.push(
      `STATS_EPSILON=${epsilon} with STATS_DELTA=${v.STATS_DELTA} makes the release threshold overflow; raise STATS_EPSILON or STATS_DELTA`,
    );
  }
  return problems;
}

export function statisticsConfigOf(v: StatisticsVariables): StatisticsConfig {
  const g = gcd(v.STATS_EPSILON, MICRO);
  return {
    minGroupSize: v.STATS_MIN_GROUP_SIZE,
    epsilonMicro: v.STATS_EPSILON,
    epsilon: { num: v.STATS_EPSILON / g, den: MICRO / g },
    delta: v.STATS_DELTA,
    amountCap: v.STATS_AMOUNT_CAP,
    usageCap: v.STATS_USAGE_CAP,
    maxBucketsPerCustomer: v.STATS_MAX_BUCKETS_PER_CUSTOMER,
    maxBuckets: v.STATS_MAX_BUCKETS,
    services: v.STATS_SERVICES,
    timeZone: v.STATS_TIME_ZONE,
  };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export const microToNumber = (value: number): number => value / MICRO;
