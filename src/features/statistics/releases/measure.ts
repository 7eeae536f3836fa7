import { REGION_OF, StatisticsDimension as D, type StatisticsDimension } from "../dimensions";
import { laplaceNoise } from "../noise/discrete-laplace";
import type { SecureRandom } from "../noise/secure-random";
import type { Measure } from "../sql";
import { leafCovariance, leastSquares, topDown, type Measurements } from "./consistency";
import type { Matrix } from "./linear";
import { geographyOf, hierarchyOf, leafNames, treeKeys, type GroupingMethod } from "./plan";

/** A released cell: a leaf of the grouping, with consistent, non-negative integer measures. */
export interface ReleasedCell {
  key: Partial<Record<StatisticsDimension, string>>;
  customers: number;
  usageCount?: number;
  amountSum?: number;
}

export type ExactCell = Partial<Record<Measure, number>>;

/** The key of a cell as one string (dimension values in the grouping's order). */
export const cellId = (key: Partial<Record<StatisticsDimension, string>>, dimensions: readonly StatisticsDimension[]) =>
  dimensions.map((d) => key[d] ?? "").join("|");

const covariances = new WeakMap<GroupingMethod, Map<Measure, Matrix>>();

/** Cov(x̂) of one tree's leaves for a measure (the same for every tree of the grouping). */
export function covarianceOf(method: GroupingMethod, measure: Measure): Matrix {
  let byMeasure = covariances.get(method);
  if (!byMeasure) covariances.set(method, (byMeasure = new Map()));
  let matrix = byMeasure.get(measure);
  if (!matrix) {
    const levels = method.measures.find((m) => m.measure === measure)!.levels;
    matrix = leafCovariance(
      hierarchyOf(geographyOf(method.grouping)),
      levels.map((l) => l.variance),
    );
    byMeasure.set(measure, matrix);
  }
  return matrix;
}

/**
 * Measures every cell of the grouping's full public domain, empty ones included (an empty
 * cell gets noise like any other, so which cells are empty stays hidden), at every level of
 * its geography, each with fresh exact discrete Laplace noise; then least squares and the
 * top-down projection (consistency.ts). `exact` holds the true leaf values (missing = 0);
 * they never leave this function.
 */
export function measureGrouping(method: GroupingMethod, exact: ReadonlyMap<string, ExactCell>, rng: SecureRandom): ReleasedCell[] {
  const { grouping } = method;
  const geography = geographyOf(grouping);
  const hierarchy = hierarchyOf(geography);
  const leaves = leafNames(geography);
  const cells: ReleasedCell[] = [];
  for (const treeKey of treeKeys(grouping, method.services)) {
    const keys = leaves.map((leaf) => {
      const key = { ...treeKey };
      if (geography) key[geography] = leaf;
      return key;
    });
    const released: ReleasedCell[] = keys.map((key) => ({ key, customers: 0 }));
    for (const { measure, sensitivity, levels } of method.measures) {
      const truth = keys.map((key) => exact.get(cellId(key, grouping.dimensions))?.[measure] ?? 0);
      const noisy = (value: number, level: number) => value + laplaceNoise(rng, levels[level].epsilon, sensitivity);
      const y: Measurements = { leaves: truth.map((v) => noisy(v, hierarchy.levels - 1)) };
      if (hierarchy.levels >= 2) y.country = noisy(sum(truth), 0);
      if (hierarchy.levels === 3) {
        const middle = new Array<number>(hierarchy.middles!).fill(0);
        truth.forEach((v, i) => (middle[hierarchy.parentOf![i]] += v));
        y.middle = middle.map((v) => noisy(v, 1));
      }
      const variances = levels.map((l) => l.variance);
      const consistent = topDown(hierarchy, leastSquares(hierarchy, variances, covarianceOf(method, measure), y));
      consistent.forEach((value, i) => (released[i][measure] = value));
    }
    cells.push(...released);
  }
  return cells;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** The region of a released cell's prefecture (stored with the cell, so regions sum in SQL). */
export const regionOfCell = (cell: ReleasedCell): string | null =>
  cell.key[D.REGION] ?? (cell.key[D.PREFECTURE] ? REGION_OF.get(cell.key[D.PREFECTURE]!)! : null);
