/**
 * Exact positive rationals for privacy parameters. ε is configured as a decimal and split
 * between measures (ε/2, ε/4 …); the noise sampler needs it exactly as integers s/t, so no
 * floating-point rounding ever enters the sampling.
 */
export interface Rational {
  readonly num: number;
  readonly den: number;
}

export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export function rational(num: number, den: number): Rational {
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || num <= 0 || den <= 0) {
    throw new RangeError(`not a positive rational: ${num}/${den}`);
  }
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

export const rationalFromMicro = (micro: number): Rational => rational(micro, 1_000_000);

/** r / n for a positive integer n */
export const divide = (r: Rational, n: number): Rational => rational(r.num, r.den * n);

export const toNumber = (r: Rational): number => r.num / r.den;
