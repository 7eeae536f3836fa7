import { choleskyInverse, type Matrix } from "./linear";

/**
 * Consistency post-processing of a released table, after the 2020 US Census TopDown
 * algorithm (Abowd et al., "The 2020 Census Disclosure Avoidance System TopDown Algorithm",
 * HDSR 2022): every level of a geographic hierarchy is measured with its own noise, then
 *   1. weighted least squares: the leaf estimates x̂ that best explain all the noisy
 *      measurements together (each weighted by 1 / its variance): the best linear unbiased
 *      estimate, and the error bar of any sum of leaves is exact (1ᵀ C 1 with C = Cov(x̂));
 *   2. top-down non-negative, integer projection: the country total is rounded and clipped at
 *      0; each level below is the closest (L2) non-negative vector to its least-squares
 *      estimates that adds up to its parent's already fixed total, rounded to integers
 *      keeping that total. So counts are never negative, children add up to their parent
 *      exactly, and every number is post-processing of the noisy measurements (no privacy cost).
 *
 * A tree here is one key of the grouping's other dimensions (an age band × gender, or a
 * service × month) over the geography: country → region → prefecture, country → region,
 * or a single cell (no geography: then only clipping and rounding).
 */
export interface Hierarchy {
  /** 1: one cell; 2: country → leaves (regions); 3: country → regions → leaves (prefectures) */
  levels: 1 | 2 | 3;
  leaves: number;
  /** for three levels: the middle node (region) of each leaf */
  parentOf?: readonly number[];
  middles?: number;
}

/** One tree's noisy measurements: the country total, the middle nodes, the leaves. */
export interface Measurements {
  country?: number;
  middle?: number[];
  leaves: number[];
}

/** Variance of each level's noise, top first (country, [region], leaf). */
export type LevelVariances = readonly number[];

/** Cov(x̂) of the least-squares leaf estimates: (MᵀWM)⁻¹. */
export function leafCovariance(h: Hierarchy, variances: LevelVariances): Matrix {
  const n = h.leaves;
  const leafWeight = 1 / variances[h.levels - 1];
  const countryWeight = h.levels >= 2 ? 1 / variances[0] : 0;
  const middleWeight = h.levels === 3 ? 1 / variances[1] : 0;
  const precision: Matrix = Array.from({ length: n }, (_, i) =>
    Array.from(
      { length: n },
      (_, j) => countryWeight + (h.levels === 3 && h.parentOf![i] === h.parentOf![j] ? middleWeight : 0) + (i === j ? leafWeight : 0),
    ),
  );
  return choleskyInverse(precision);
}

/** x̂ = C · MᵀW y: the weighted least-squares leaves. */
export function leastSquares(h: Hierarchy, variances: LevelVariances, covariance: Matrix, y: Measurements): number[] {
  const n = h.leaves;
  const b = y.leaves.map((leaf, i) => {
    let value = leaf / variances[h.levels - 1];
    if (h.levels >= 2) value += y.country! / variances[0];
    if (h.levels === 3) value += y.middle![h.parentOf![i]] / variances[1];
    return value;
  });
  return Array.from({ length: n }, (_, i) => covariance[i].reduce((sum, c, j) => sum + c * b[j], 0));
}

/** Var(Σ_{i∈S} x̂_i) = 1_Sᵀ C 1_S. */
export function sumVariance(covariance: Matrix, leaves: readonly number[]): number {
  let total = 0;
  for (const i of leaves) for (const j of leaves) total += covariance[i][j];
  return total;
}

/** The least-squares estimate turned into non-negative integers that add up level by level. */
export function topDown(h: Hierarchy, estimate: readonly number[]): number[] {
  const total = Math.max(0, Math.round(estimate.reduce((a, b) => a + b, 0)));
  if (h.levels === 1) return [total];
  if (h.levels === 2) return roundKeepingSum(projectOntoSimplex(estimate, total), total);
  const members: number[][] = Array.from({ length: h.middles! }, () => []);
  h.parentOf!.forEach((parent, leaf) => members[parent].push(leaf));
  const middleEstimates = members.map((leaves) => leaves.reduce((sum, leaf) => sum + estimate[leaf], 0));
  const middles = roundKeepingSum(projectOntoSimplex(middleEstimates, total), total);
  const out = new Array<number>(h.leaves).fill(0);
  members.forEach((leaves, m) => {
    const fixed = roundKeepingSum(
      projectOntoSimplex(
        leaves.map((leaf) => estimate[leaf]),
        middles[m],
      ),
      middles[m],
    );
    leaves.forEach((leaf, k) => (out[leaf] = fixed[k]));
  });
  return out;
}

/**
 * The Euclidean projection of v onto { x ≥ 0, Σx = total } (Duchi et al., ICML 2008): shift
 * every value by one θ and clip at 0, θ chosen so the sum comes out right.
 */
export function projectOntoSimplex(v: readonly number[], total: number): number[] {
  if (total <= 0 || v.length === 0) return v.map(() => 0);
  const sorted = [...v].sort((a, b) => b - a);
  let cumulative = 0;
  let theta = 0;
  for (let j = 0; j < sorted.length; j++) {
    cumulative += sorted[j];
    const candidate = (cumulative - total) / (j + 1);
    if (sorted[j] - candidate > 0) theta = candidate;
  }
  return v.map((x) => Math.max(0, x - theta));
}

/**
 * Integers that add up to `total` (an integer): each value rounded down, the remaining units
 * to the largest fractional parts (ties to the earlier cell: public order, not data).
 */
export function roundKeepingSum(v: readonly number[], total: number): number[] {
  const floors = v.map((x) => Math.max(0, Math.floor(x + 1e-9)));
  let remaining = total - floors.reduce((a, b) => a + b, 0);
  const order = v.map((x, i) => ({ i, frac: x - floors[i] })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  // floating error can leave the floors a unit above the total: take units back from the smallest parts
  for (let k = order.length - 1; remaining < 0 && k >= 0; k--) {
    const { i } = order[k];
    if (floors[i] > 0) {
      floors[i]--;
      remaining++;
      k++;
    }
  }
  for (let k = 0; remaining > 0; k = (k + 1) % order.length) {
    floors[order[k].i]++;
    remaining--;
  }
  return floors;
}
