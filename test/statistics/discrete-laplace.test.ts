import { afterEach, describe, expect, it, vi } from "vitest";
import {
  bernoulliExpMinus,
  discreteLaplaceVariance,
  laplaceNoise,
  sampleDiscreteLaplace,
} from "../../src/features/statistics/noise/discrete-laplace";
import { rational, type Rational } from "../../src/features/statistics/noise/rational";
import { SecureRandom } from "../../src/features/statistics/noise/secure-random";
import { releaseThreshold } from "../../src/features/statistics/noise/threshold";

/**
 * Statistical tests of the noise sampler. Every bound is at least 6 standard errors (or a
 * chi-square quantile at p = 1e-7), so a correct sampler fails with probability below
 * ~1e-7 per run, while a wrong scale, a bias, an asymmetry or a missing value fails for sure.
 */

const rng = new SecureRandom();
const N = 200_000;

/** P(Z = z) for the discrete Laplace with parameter p = exp(−ε/Δ). */
const pmf = (p: number, z: number) => ((1 - p) / (1 + p)) * p ** Math.abs(z);

function sample(epsilon: Rational, sensitivity: number, n = N): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = laplaceNoise(rng, epsilon, sensitivity);
  return out;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
};

/** The fourth central moment of the distribution (for the standard error of the variance). */
function fourthMoment(p: number): number {
  let m4 = 0;
  for (let z = 1; p ** z > 1e-18 || z < 10; z++) m4 += 2 * z ** 4 * pmf(p, z);
  return m4;
}

/** Upper chi-square quantile (Wilson–Hilferty), z standard normal quantile. */
const chiSquareCritical = (df: number, z: number) => df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
const Z_1E7 = 5.2; // P(N(0,1) > 5.2) ≈ 1e-7

afterEach(() => vi.restoreAllMocks());

describe("discrete Laplace sampler", () => {
  const settings: Array<[string, Rational, number]> = [
    ["ε = 1, Δ = 1", rational(1, 1), 1],
    ["ε = 0.5, Δ = 1", rational(1, 2), 1],
    ["ε = 2, Δ = 1", rational(2, 1), 1],
    ["ε = 0.25, Δ = 6", rational(1, 4), 6],
    ["ε = 1/3, Δ = 20", rational(1, 3), 20],
  ];

  it.each(settings)("%s: integers only, mean 0, the configured variance, symmetric, the right shape", (_name, epsilon, sensitivity) => {
    const p = Math.exp(-epsilon.num / (epsilon.den * sensitivity));
    const xs = sample(epsilon, sensitivity);

    // integers only: no floating-point output can leak through low-order bits
    expect(xs.every((x) => Number.isSafeInteger(x) && !Object.is(x, -0))).toBe(true);

    // mean ≈ 0
    const sigma2 = discreteLaplaceVariance(p);
    expect(Math.abs(mean(xs))).toBeLessThan(6 * Math.sqrt(sigma2 / N));

    // variance = 2p/(1−p)², within 6 standard errors of the sample variance
    const se = Math.sqrt((fourthMoment(p) - sigma2 ** 2) / N);
    expect(Math.abs(variance(xs) - sigma2)).toBeLessThan(6 * se);

    // symmetric: as many positive as negative values
    const positive = xs.filter((x) => x > 0).length;
    const negative = xs.filter((x) => x < 0).length;
    expect(Math.abs(positive - negative)).toBeLessThan(6 * Math.sqrt(positive + negative));

    // chi-square goodness of fit of the pmf, over every value expected at least 20 times
    let m = 0;
    while (N * pmf(p, m + 1) >= 20) m++;
    const observed = new Map<number, number>();
    for (const x of xs) {
      const bin = Math.max(-m - 1, Math.min(m + 1, x)); // ±(m+1) collect the tails
      observed.set(bin, (observed.get(bin) ?? 0) + 1);
    }
    const tail = p ** (m + 1) / (1 + p); // P(Z ≥ m+1)
    let chi2 = 0;
    for (let z = -m - 1; z <= m + 1; z++) {
      const expected = N * (Math.abs(z) === m + 1 ? tail : pmf(p, z));
      chi2 += ((observed.get(z) ?? 0) - expected) ** 2 / expected;
    }
    const bins = 2 * m + 3;
    expect(chi2).toBeLessThan(chiSquareCritical(bins - 1, Z_1E7));
  });

  it("has the sensitivity-scaled spread needed for sums in yen (ε = 0.25, Δ = 50,000)", () => {
    const n = 50_000;
    const xs = sample(rational(1, 4), 50_000, n);
    const p = Math.exp(-1 / 200_000);
    const sigma2 = discreteLaplaceVariance(p);
    expect(xs.every(Number.isSafeInteger)).toBe(true);
    expect(Math.abs(mean(xs))).toBeLessThan(6 * Math.sqrt(sigma2 / n));
    const se = Math.sqrt((fourthMoment(p) - sigma2 ** 2) / n);
    expect(Math.abs(variance(xs) - sigma2)).toBeLessThan(6 * se);
    // the last digits are uniform: no rounding grid (a float sampler rounded to 100s would fail)
    const lastDigit = new Array(10).fill(0);
    for (const x of xs) lastDigit[Math.abs(x) % 10]++;
    const chi2 = lastDigit.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(chiSquareCritical(9, Z_1E7));
  });

  it("never reveals the true value through which outputs are possible (no floating-point holes)", () => {
    // Mironov's attack on floating-point Laplace: some outputs occur for one input and never
    // for its neighbour. Here both inputs reach every nearby value, at odds bounded by e^ε.
    const epsilon = rational(1, 1);
    const a = new Map<number, number>();
    const b = new Map<number, number>();
    for (let i = 0; i < N; i++) {
      const x = 100 + laplaceNoise(rng, epsilon, 1);
      const y = 101 + laplaceNoise(rng, epsilon, 1);
      a.set(x, (a.get(x) ?? 0) + 1);
      b.set(y, (b.get(y) ?? 0) + 1);
    }
    for (let v = 96; v <= 105; v++) {
      const fa = a.get(v) ?? 0;
      const fb = b.get(v) ?? 0;
      expect(fa).toBeGreaterThan(0);
      expect(fb).toBeGreaterThan(0);
      // log-odds within ε plus 6 standard errors of the log ratio
      const slack = 6 * Math.sqrt(1 / fa + 1 / fb);
      expect(Math.abs(Math.log(fa / fb))).toBeLessThan(1 + slack);
    }
  });

  it("draws from node:crypto, never Math.random", () => {
    const spy = vi.spyOn(Math, "random");
    for (let i = 0; i < 10_000; i++) sampleDiscreteLaplace(rng, 3, 1);
    expect(spy).not.toHaveBeenCalled();
  });

  it("rejects parameters it cannot sample exactly", () => {
    expect(() => sampleDiscreteLaplace(rng, 0, 1)).toThrow(RangeError);
    expect(() => sampleDiscreteLaplace(rng, 1.5, 1)).toThrow(RangeError);
    expect(() => laplaceNoise(rng, rational(1, 1), 0)).toThrow(RangeError);
  });
});

describe("exact Bernoulli(exp(−γ)) and uniform integers", () => {
  it.each([
    [0, 1],
    [1, 2],
    [1, 1],
    [5, 2],
  ])("Bernoulli(exp(−%i/%i)) comes up with the right frequency", (num, den) => {
    let hits = 0;
    for (let i = 0; i < N; i++) if (bernoulliExpMinus(rng, num, den)) hits++;
    const q = Math.exp(-num / den);
    expect(Math.abs(hits / N - q)).toBeLessThanOrEqual(6 * Math.sqrt((q * (1 - q)) / N) + 1e-12);
  });

  it.each([7, 1000, 2 ** 32 + 15, 2 ** 45 + 3])("uniformBelow(%i) is in range and unbiased", (n) => {
    const bins = Math.min(10, n);
    const counts = new Array(bins).fill(0);
    let inRange = true;
    for (let i = 0; i < N; i++) {
      const v = rng.uniformBelow(n);
      inRange &&= Number.isSafeInteger(v) && v >= 0 && v < n;
      const scaled = v * bins; // < 2^53: exact integer division below
      counts[(scaled - (scaled % n)) / n]++;
    }
    expect(inRange).toBe(true);
    // bins of equal width in [0, n) hold n/bins values each (up to one): expected N/bins
    const expected = counts.map((_, i) => (N * (Math.ceil(((i + 1) * n) / bins) - Math.ceil((i * n) / bins))) / n);
    const chi2 = counts.reduce((s, c, i) => s + (c - expected[i]) ** 2 / expected[i], 0);
    expect(chi2).toBeLessThan(chiSquareCritical(bins - 1, Z_1E7));
  });
});

describe("the noisy release threshold", () => {
  it.each([
    [rational(1, 1), 1, 1e-6],
    [rational(1, 2), 1, 1e-6],
    [rational(1, 2), 6, 1e-6],
    [rational(1, 4), 3, 1e-9],
  ])("τ − k is the smallest m with P(noise ≥ m) ≤ δ/B (ε %o, B %i, δ %d)", (epsilon, buckets, delta) => {
    const k = 10;
    const tau = releaseThreshold(k, epsilon, buckets, delta);
    const p = Math.exp(-epsilon.num / (epsilon.den * buckets));
    const tailFrom = (m: number) => p ** m / (1 + p);
    // the tail formula itself, summed from the pmf
    let summed = 0;
    for (let z = tau - k; z < tau - k + 20_000; z++) summed += pmf(p, z);
    expect(summed).toBeCloseTo(tailFrom(tau - k), 12);
    expect(tailFrom(tau - k)).toBeLessThanOrEqual(delta / buckets);
    expect(tailFrom(tau - k - 1)).toBeGreaterThan(delta / buckets);
  });
});
