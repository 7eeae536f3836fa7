import { type Rational, rationalFromMicro } from "./noise/rational";

/**
 * The privacy parameters of the statistics API (agreement 1.6 and 3.2), from environment
 * variables. Every value is validated at startup: a gateway with an unsafe setting (k below
 * 5, a budget smaller than one query, …) refuses to start rather than release weak statistics.
 */
export interface StatisticsConfig {
  /** k: a bucket with fewer distinct customers is never released (hard floor, in SQL). */
  minGroupSize: number;
  /** ε spent by one statistics field, in millionths (exact integer accounting). */
  epsilonMicro: number;
  epsilon: Rational;
  /** ε a client may spend per budget period, in millionths. */
  budgetMicro: number;
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
  /** months, ages and budget periods are reckoned in this time zone */
  timeZone: string;
}

/** The service catalogue of the demo data; a deployment lists its own with STATS_SERVICES. */
export const DEFAULT_SERVICES = ["Mobile", "Broadband", "Streaming", "Cloud Storage", "Travel Booking"] as const;
export const OTHER_SERVICE = "Other";
export const MIN_GROUP_SIZE_FLOOR = 5;

const MICRO = 1_000_000;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** A positive decimal with at most six decimals, as an exact count of millionths. */
function micro(env: NodeJS.ProcessEnv, name: string, fallback: string, maxMicro: number): number {
  const raw = (env[name] ?? "").trim() || fallback;
  const match = /^(\d{1,6})(?:\.(\d{1,6}))?$/.exec(raw);
  if (!match) throw new Error(`${name} must be a positive decimal with at most 6 decimals, got "${raw}"`);
  const value = Number(match[1]) * MICRO + Number((match[2] ?? "").padEnd(6, "0"));
  if (value <= 0 || value > maxMicro) throw new Error(`${name} must be above 0 and at most ${maxMicro / MICRO}, got "${raw}"`);
  return value;
}

export function loadStatisticsConfig(env: NodeJS.ProcessEnv = process.env): StatisticsConfig {
  const rawK = env.STATS_MIN_GROUP_SIZE;
  if (rawK !== undefined && rawK !== "" && /^\d+$/.test(rawK.trim()) && Number(rawK) < MIN_GROUP_SIZE_FLOOR) {
    throw new Error(`STATS_MIN_GROUP_SIZE must be at least ${MIN_GROUP_SIZE_FLOOR} (got ${rawK}): smaller groups identify people`);
  }
  const minGroupSize = integer(env, "STATS_MIN_GROUP_SIZE", 10, MIN_GROUP_SIZE_FLOOR, 10_000);
  const epsilonMicro = micro(env, "STATS_EPSILON", "1", 10 * MICRO);
  const budgetMicro = micro(env, "STATS_BUDGET", "10", 1000 * MICRO);
  if (budgetMicro < epsilonMicro) throw new Error("STATS_BUDGET must be at least STATS_EPSILON (one query)");

  const rawDelta = (env.STATS_DELTA ?? "").trim() || "1e-6";
  const delta = Number(rawDelta);
  if (!/^[0-9.eE-]+$/.test(rawDelta) || !Number.isFinite(delta) || delta <= 0 || delta > 1e-3) {
    throw new Error(`STATS_DELTA must be a number above 0 and at most 0.001, got "${rawDelta}"`);
  }

  const services = (env.STATS_SERVICES ?? "").trim()
    ? env.STATS_SERVICES!.split(",").map((s) => s.trim()).filter(Boolean)
    : [...DEFAULT_SERVICES];
  for (const service of services) {
    if (!/^[\p{L}\p{N}][\p{L}\p{N} &'.\-]{0,63}$/u.test(service) || service === OTHER_SERVICE) {
      throw new Error(`STATS_SERVICES: invalid service name "${service}"`);
    }
  }
  if (new Set(services).size !== services.length) throw new Error("STATS_SERVICES lists a service twice");

  const timeZone = (env.STATS_TIME_ZONE ?? "").trim() || "Asia/Tokyo";
  try {
    new Intl.DateTimeFormat("en-CA", { timeZone });
  } catch {
    throw new Error(`STATS_TIME_ZONE: unknown time zone "${timeZone}"`);
  }

  return {
    minGroupSize,
    epsilonMicro,
    epsilon: rationalFromMicro(epsilonMicro),
    budgetMicro,
    delta,
    amountCap: integer(env, "STATS_AMOUNT_CAP", 30_000, 1, 10_000_000),
    usageCap: integer(env, "STATS_USAGE_CAP", 10, 1, 10_000),
    maxBucketsPerCustomer: integer(env, "STATS_MAX_BUCKETS_PER_CUSTOMER", 3, 1, 100),
    maxBuckets: integer(env, "STATS_MAX_BUCKETS", 5000, 1, 100_000),
    services,
    timeZone,
  };
}

export const microToNumber = (value: number): number => value / MICRO;
