import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { organisation, setCompanyBudget, statisticsClient } from "./helpers";
import { seedCrowds } from "./population";

/**
 * The noise actually added matches the noise the gateway reports. The attack tests read only
 * the reported `noise { epsilon sensitivity standardDeviation }`; here ~100 fresh analysts each
 * get a fresh answer over HTTP, the true values come straight from SQL, and the spread of
 * (released − true) must match the reported standard deviation. Noise scaled to sensitivity
 * 1 instead of the reported Δ (or no noise, or a biased one) fails.
 *
 * Two queries per analyst, chosen so every bucket is always released and its truth is simple:
 *   A  serviceUsage(groupBy: [PREFECTURE])  B = 1: Tokyo 300, Osaka 200, Kanagawa 150 customers
 *      customers ε 0.5, Δ 1; amountSum ε 0.5, Δ 30,000 (STATS_AMOUNT_CAP)
 *   B  serviceUsage(groupBy: [SERVICE])     B = min(6 services, STATS_MAX_BUCKETS_PER_CUSTOMER 3) = 3:
 *      five services of ~230 customers; customers ε 0.5, Δ 3; amountSum ε 0.5, Δ 90,000
 * Neither has a month filter or an age dimension, so the period and the time zone do not
 * enter the truth. No seeded customer pays more than 2 × 9,000 yen in a bucket (under the
 * cap), nor uses more than 2 services (under B = 3, so SQL's bucket bounding drops nothing);
 * both are checked below rather than assumed.
 *
 * Bounds. Per (query, measure) the normalised errors X = (released − true) / reported sd are
 * n = 300 (A) or 500 (B) independent discrete Laplace draws: mean 0, variance 1, kurtosis ≈ 6,
 * exponential tails P(|X| > x) ≈ e^(−√2·x). Chernoff bounds with the exact discrete Laplace
 * MGF give, for a correct gateway, per check (the worst of the four cases):
 *   |mean X| > 0.5      ≤ 1e-15
 *   sd(X) < 0.7         ≤ 2.3e-4 (A amountSum; the others ≤ 1.3e-6): lower tail of ΣX², |mean X| small
 *   sd(X) > 1.5         ≤ 1.1e-7: some |X| > 16, or the upper tail of Σ min(X², 256)
 * so all twelve checks together fail with probability < 3e-4 (a simulation of 10^5 runs of
 * each gave sd ratios 0.73–1.31 and |mean X| ≤ 0.29). These are tighter than [0.5, 1.8], so a
 * factor-2 error in ε (ratio 0.5) or in Δ (2.0) fails too, not only half the time. A bucket
 * missing from an answer (noisy count below τ: 150 − 37 = 113 counts, 40 sd, for A;
 * 230 − 96 = 134, 15 sd, for B) has probability < 1e-9. Amounts clipped at 0 (P ≈ 9e-4 per B
 * bucket: 1.1 M yen is 4.5 sd) only shrink one error slightly. A wrong implementation fails for
 * certain: Δ = 1 on amountSum gives a ratio ≈ 3e-5, Δ = 1 instead of 3 on B's customers 0.33.
 */

const CLIENTS = 100;
/** empirical sd / reported sd must lie in here; |mean error| / reported sd at most MAX_BIAS */
const SD_RATIO = { min: 0.7, max: 1.5 };
const MAX_BIAS = 0.5;
const AMOUNT_CAP = 30_000; // STATS_AMOUNT_CAP default (the environment is pinned below)
const SERVICES = ["Mobile", "Broadband", "Streaming", "Cloud Storage", "Travel Booking"];

const NOISE = "noise { measure epsilon sensitivity standardDeviation }";
/**
 * Answers are public within a period (one per canonical question for everyone), so each
 * analyst asks its own question with the same truth: a signup range from year 1900 + i to
 * 2100 holds every seeded customer (they signed up in 2025 and 2026).
 */
const QUERY = (i: number) => {
  const everyone = `filter: { signupMonth: { from: "${1900 + i}-01", to: "2100-12" } }`;
  return `query Calibration @purpose(name: USAGE_STATISTICS) { statistics {
  a: serviceUsage(groupBy: [PREFECTURE], ${everyone}) { buckets { key { prefecture } customers amountSum } repeated epsilonSpent ${NOISE} }
  b: serviceUsage(groupBy: [SERVICE], ${everyone}) { buckets { key { service } customers amountSum } repeated epsilonSpent ${NOISE} }
} }`;
};

interface Truth {
  customers: number;
  amountSum: number;
}

let t: TestGateway;

beforeAll(async () => {
  process.env.STATS_EPSILON = "1";
  for (const name of [
    "STATS_MIN_GROUP_SIZE",
    "STATS_DELTA",
    "STATS_AMOUNT_CAP",
    "STATS_USAGE_CAP",
    "STATS_MAX_BUCKETS_PER_CUSTOMER",
    "STATS_MAX_BUCKETS",
    "STATS_SERVICES",
  ]) {
    delete process.env[name];
  }
  t = await startTestGateway();
  await seedCrowds(t.db);
  await setCompanyBudget(t, 2 * CLIENTS);
  await organisation(t, "calibration", 2 * CLIENTS);
});
afterAll(() => t?.stop());

/** The true per-bucket values, computed here in SQL: active customers' uses, each customer's amount per bucket clamped. */
async function truth(bucketColumn: "c.prefecture" | "su.service"): Promise<Map<string, Truth>> {
  const rows: Array<{ bucket: string; customers: number; amount_sum: string; largest: string }> = await t.db.query(
    `SELECT bucket, count(*)::int AS customers, sum(LEAST(amount, $1))::bigint AS amount_sum, max(amount)::bigint AS largest
       FROM (SELECT su.customer_id, ${bucketColumn} AS bucket, sum(su.amount) AS amount
               FROM service_usage su JOIN customer c ON c.id = su.customer_id
              WHERE c.deleted_at IS NULL AND c.erased_at IS NULL
              GROUP BY 1, 2) per_customer
      GROUP BY bucket`,
    [AMOUNT_CAP],
  );
  for (const row of rows) expect(Number(row.largest)).toBeLessThanOrEqual(AMOUNT_CAP); // clamping is a no-op here
  return new Map(rows.map((r) => [r.bucket, { customers: r.customers, amountSum: Number(r.amount_sum) }]));
}

/** Discrete Laplace with P(z) ∝ exp(−|z|·ε/Δ): sd = √(2p)/(1 − p), p = exp(−ε/Δ). */
const discreteLaplaceSd = (epsilon: number, sensitivity: number) => {
  const p = Math.exp(-epsilon / sensitivity);
  return Math.sqrt(2 * p) / (1 - p);
};

function summary(errors: number[], sd: number) {
  const n = errors.length;
  const mean = errors.reduce((s, e) => s + e, 0) / n;
  const empiricalSd = Math.sqrt(errors.reduce((s, e) => s + (e - mean) ** 2, 0) / (n - 1));
  return { n, reportedSd: sd, empiricalSd, ratio: empiricalSd / sd, meanInSd: mean / sd };
}

describe("noise calibration: released − true matches the reported noise", () => {
  it("adds unbiased noise with the reported standard deviation, per measure and sensitivity", async () => {
    const byPrefecture = await truth("c.prefecture");
    const byService = await truth("su.service");
    expect([...byPrefecture.keys()].sort()).toEqual(["Kanagawa", "Osaka", "Tokyo"]);
    expect([...byService.keys()].sort()).toEqual([...SERVICES].sort());
    expect(byPrefecture.get("Tokyo")).toEqual({ customers: 300, amountSum: expect.any(Number) });
    const [{ most }] = await t.db.query(
      `SELECT max(n)::int AS most FROM (SELECT su.customer_id, count(DISTINCT su.service) AS n FROM service_usage su GROUP BY 1) per_customer`,
    );
    expect(most).toBeLessThanOrEqual(3); // B = 3: bounding keeps every customer's every bucket

    // ~100 fresh analysts, each with a fresh answer to its own question (a repeat is the stored one)
    const keys: string[] = [];
    for (let i = 0; i < CLIENTS; i++) keys.push(await statisticsClient(t, `calibration-${i}`, "calibration"));
    const answers: Array<{ a: any; b: any }> = [];
    for (let i = 0; i < keys.length; i += 10) {
      const batch = await Promise.all(keys.slice(i, i + 10).map((key, j) => t.gql(QUERY(i + j), { key })));
      for (const res of batch) {
        expect(res.body.errors).toBeUndefined();
        answers.push(res.body.data.statistics);
      }
    }

    const cases = [
      {
        query: "a" as const,
        truth: byPrefecture,
        keyOf: (b: any) => b.key.prefecture as string,
        sensitivity: { customers: 1, amountSum: AMOUNT_CAP },
      },
      {
        query: "b" as const,
        truth: byService,
        keyOf: (b: any) => b.key.service as string,
        sensitivity: { customers: 3, amountSum: 3 * AMOUNT_CAP },
      },
    ];
    const report: Record<string, ReturnType<typeof summary>> = {};
    for (const { query, truth: expected, keyOf, sensitivity } of cases) {
      for (const measure of ["customers", "amountSum"] as const) {
        const errors: number[] = [];
        const reported = new Set<number>();
        for (const answer of answers.map((x) => x[query])) {
          expect(answer.repeated).toBe(false);
          expect(answer.epsilonSpent).toBe(1);
          const noise = answer.noise.find((n: any) => n.measure === measure);
          expect(noise).toMatchObject({ epsilon: 0.5, sensitivity: sensitivity[measure] });
          expect(noise.standardDeviation).toBeCloseTo(discreteLaplaceSd(noise.epsilon, noise.sensitivity), 6);
          reported.add(noise.standardDeviation);
          expect(answer.buckets.map(keyOf).sort()).toEqual([...expected.keys()].sort()); // every bucket released
          for (const bucket of answer.buckets) {
            expect(Number.isInteger(bucket[measure])).toBe(true);
            errors.push(bucket[measure] - expected.get(keyOf(bucket))![measure]);
          }
        }
        expect(reported.size).toBe(1);
        report[`${query}.${measure}`] = summary(errors, [...reported][0]);
      }
    }

    for (const [name, s] of Object.entries(report)) {
      const detail = `${name}: ${JSON.stringify(s)}`;
      expect(s.n, detail).toBeGreaterThanOrEqual(3 * CLIENTS);
      expect(s.ratio, detail).toBeGreaterThanOrEqual(SD_RATIO.min);
      expect(s.ratio, detail).toBeLessThanOrEqual(SD_RATIO.max);
      expect(Math.abs(s.meanInSd), detail).toBeLessThanOrEqual(MAX_BIAS);
    }
  });
});
