import { decay } from "./discrete-laplace";
import type { Rational } from "./rational";

/**
 * The noisy release threshold τ = k + m (partition selection). SQL withholds every bucket
 * under k customers; a bucket is then released only when its *noisy* customer count reaches
 * τ. A customer whose presence lifts a bucket from k − 1 (never released) to k makes it
 * visible only if the noise reaches m, which happens with probability p^m/(1+p) ≤ δ/B for
 * discrete Laplace noise with p = exp(−ε_count/B). So whether a bucket appears tells an
 * attacker nothing about one person, except with probability at most δ per query.
 *
 * @param epsilonCount ε of the customer count
 * @param buckets B, the most buckets one customer can touch (the count's sensitivity)
 */
export function releaseThreshold(k: number, epsilonCount: Rational, buckets: number, delta: number): number {
  const p = decay(epsilonCount, buckets);
  const target = delta / buckets;
  // smallest m ≥ 1 with p^m / (1 + p) ≤ δ/B; computed in logs, then checked and nudged up
  let m = Math.max(1, Math.ceil(Math.log(target * (1 + p)) / Math.log(p)));
  while (m > 1 && p ** (m - 1) / (1 + p) <= target) m--;
  while (p ** m / (1 + p) > target) m++;
  return k + m;
}
