import { gcd, type Rational } from "./rational";
import type { SecureRandom } from "./secure-random";

/**
 * The discrete Laplace (two-sided geometric) distribution, sampled exactly with integer
 * arithmetic after Canonne, Kamath & Steinke, "The Discrete Gaussian for Differential
 * Privacy" (NeurIPS 2020), Algorithms 1 and 2. P(Z = z) ∝ exp(−|z|·s/t) for integers z.
 *
 * Why not `Math.round(laplace(double))`: floating-point Laplace samplers leak the true value
 * through which doubles they can and cannot produce (Mironov, CCS 2012). Here every step is
 * a Bernoulli trial with a rational probability decided by comparing uniform integers, so
 * the output is an integer whose distribution is exactly the one the privacy proof uses.
 */

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Bernoulli(exp(−num/den)) for 0 ≤ num/den ≤ 1 (CKS Algorithm 1). */
function bernoulliExpMinusUpToOne(rng: SecureRandom, num: number, den: number): boolean {
  // Draw A_k ~ Bernoulli(γ/k) for k = 1, 2, … until one is 0; P(that k is odd) = e^−γ.
  let k = 1;
  for (;;) {
    if (den * k > MAX_SAFE) throw new RangeError("Bernoulli(exp) denominator overflow");
    if (!rng.bernoulli(num, den * k)) break;
    k++;
  }
  return k % 2 === 1;
}

/** Bernoulli(exp(−num/den)) for any num ≥ 0, den ≥ 1 (integers). */
export function bernoulliExpMinus(rng: SecureRandom, num: number, den: number): boolean {
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || num < 0 || den < 1) throw new RangeError(`exp(−${num}/${den})`);
  const remainder = num % den;
  const whole = (num - remainder) / den;
  // e^−γ = (e^−1)^⌊γ⌋ · e^−(γ−⌊γ⌋): every factor must come up 1.
  for (let i = 0; i < whole; i++) if (!bernoulliExpMinusUpToOne(rng, 1, 1)) return false;
  return bernoulliExpMinusUpToOne(rng, remainder, den);
}

/**
 * One sample Z with P(Z = z) ∝ exp(−|z|·s/t): scale t/s (CKS Algorithm 2). Integers t, s ≥ 1.
 */
export function sampleDiscreteLaplace(rng: SecureRandom, t: number, s: number): number {
  if (!Number.isSafeInteger(t) || !Number.isSafeInteger(s) || t < 1 || s < 1) throw new RangeError(`scale ${t}/${s}`);
  for (;;) {
    // X ~ Geometric(1 − e^{−1/t}) as U + t·V: U uniform in [0, t) accepted with e^{−U/t},
    // V ~ Geometric(1 − e^{−1}).
    const u = rng.uniformBelow(t);
    if (!bernoulliExpMinus(rng, u, t)) continue;
    let v = 0;
    while (bernoulliExpMinus(rng, 1, 1)) v++;
    const x = u + t * v;
    if (!Number.isSafeInteger(x)) continue; // astronomically unlikely; stay exact
    const y = (x - (x % s)) / s; // ⌊x/s⌋ ~ Geometric(1 − e^{−s/t}), exact
    const negative = rng.bernoulli(1, 2);
    if (negative && y === 0) continue; // 0 would otherwise be counted twice
    return negative ? -y : y;
  }
}

/**
 * Noise for ε-differential privacy of a value with L1 sensitivity Δ:
 * P(z) ∝ exp(−|z|·ε/Δ), i.e. scale Δ/ε with ε = num/den → t = den·Δ, s = num.
 */
export function laplaceNoise(rng: SecureRandom, epsilon: Rational, sensitivity: number): number {
  if (!Number.isSafeInteger(sensitivity) || sensitivity < 1) throw new RangeError(`sensitivity ${sensitivity}`);
  const t = epsilon.den * sensitivity;
  const g = gcd(t, epsilon.num);
  return sampleDiscreteLaplace(rng, t / g, epsilon.num / g);
}

/** The parameter p = exp(−ε/Δ) of that noise (for thresholds and accuracy reporting only). */
export const decay = (epsilon: Rational, sensitivity: number): number => Math.exp(-epsilon.num / (epsilon.den * sensitivity));

/** Var(Z) = 2p/(1−p)² for the discrete Laplace with parameter p. */
export function discreteLaplaceVariance(p: number): number {
  return (2 * p) / (1 - p) ** 2;
}
