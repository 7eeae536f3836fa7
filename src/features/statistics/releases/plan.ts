import { OTHER_SERVICE, type StatisticsConfig } from "../../../config/statistics";
import {
  AGE_BANDS,
  DIMENSION_ORDER,
  GENDERS,
  PREFECTURE_NAMES,
  REGION_NAMES,
  REGION_OF,
  StatisticsDimension as D,
  type StatisticsDimension,
} from "../dimensions";
import { monthIndex, monthsOf, type MonthRange } from "../months";
import { decay, discreteLaplaceVariance } from "../noise/discrete-laplace";
import { rational, toNumber, type Rational } from "../noise/rational";
import type { StatisticsField } from "../query";
import type { Measure } from "../sql";
import { badInput } from "../query";
import type { Hierarchy } from "./consistency";

/**
 * A release plan (defined by the privacy officer): named groupings over the public
 * dimensions and the ε one release of it costs. A plan version is immutable; redefining a
 * name makes a new version.
 */
export interface PlanGrouping {
  field: StatisticsField;
  /** in canonical order; PREFECTURE implies REGION, so never both */
  dimensions: StatisticsDimension[];
  /** serviceUsage only: the months measured */
  usageMonths?: MonthRange;
  /**
   * serviceUsage only: each customer counts in at most this many cells of a level (their
   * most used ones), so the noise scales with it instead of with services × months
   */
  maxCellsPerCustomer?: number;
}

export interface ReleasePlanDefinition {
  groupings: PlanGrouping[];
  epsilonMicro: number;
}

const RELEASABLE: Record<StatisticsField, readonly StatisticsDimension[]> = {
  customers: [D.AGE_BAND, D.GENDER, D.PREFECTURE, D.REGION],
  serviceUsage: [D.AGE_BAND, D.GENDER, D.PREFECTURE, D.REGION, D.SERVICE, D.USAGE_MONTH],
};
export const MAX_CELLS_PER_GROUPING = 200_000;
export const MAX_GROUPINGS = 10;
const MAX_RELEASE_EPSILON_MICRO = 100_000_000;

/** Checks a plan (BAD_USER_INPUT with a clear message) and puts it in canonical form. */
export function validatePlan(groupings: readonly PlanGrouping[], epsilonMicro: number, config: StatisticsConfig): ReleasePlanDefinition {
  if (!Number.isSafeInteger(epsilonMicro) || epsilonMicro <= 0 || epsilonMicro > MAX_RELEASE_EPSILON_MICRO) {
    throw badInput(`A release's ε must be above 0 and at most ${MAX_RELEASE_EPSILON_MICRO / 1e6}.`);
  }
  if (groupings.length === 0 || groupings.length > MAX_GROUPINGS) throw badInput(`A plan has 1 to ${MAX_GROUPINGS} groupings.`);
  const canonical = groupings.map((g, i) => {
    const allowed = RELEASABLE[g.field];
    if (!allowed) throw badInput(`grouping ${i + 1}: unknown field ${String(g.field)} (customers or serviceUsage).`);
    for (const d of g.dimensions) {
      if (!allowed.includes(d)) throw badInput(`grouping ${i + 1}: ${g.field} cannot be released by ${d}; allowed: ${allowed.join(", ")}.`);
    }
    if (new Set(g.dimensions).size !== g.dimensions.length) throw badInput(`grouping ${i + 1} names a dimension twice.`);
    if (g.dimensions.includes(D.PREFECTURE) && g.dimensions.includes(D.REGION)) {
      throw badInput(`grouping ${i + 1}: PREFECTURE already gives REGION (prefectures add up to regions); name one of them.`);
    }
    const dimensions = DIMENSION_ORDER.filter((d) => g.dimensions.includes(d));
    let usageMonths: MonthRange | undefined;
    if (g.field === "serviceUsage") {
      const range = g.usageMonths;
      const from = range && monthIndex(range.from);
      const to = range && monthIndex(range.to);
      if (!range || from === null || to === null || from === undefined || to === undefined || from > to) {
        throw badInput(`grouping ${i + 1}: serviceUsage needs usage months "YYYY-MM..YYYY-MM" (from not after to).`);
      }
      usageMonths = { from: range.from, to: range.to };
    } else if (g.usageMonths) {
      throw badInput(`grouping ${i + 1}: usage months apply to serviceUsage only.`);
    }
    const grouping: PlanGrouping = { field: g.field, dimensions, ...(usageMonths ? { usageMonths } : {}) };
    if (g.maxCellsPerCustomer !== undefined) {
      const natural = usageCellsPerCustomer(grouping, config.services);
      if (
        g.field !== "serviceUsage" ||
        !Number.isSafeInteger(g.maxCellsPerCustomer) ||
        g.maxCellsPerCustomer < 1 ||
        g.maxCellsPerCustomer > natural
      ) {
        throw badInput(
          `grouping ${i + 1}: at most N cells per customer applies to serviceUsage, with N from 1 to ${natural} (its services × months).`,
        );
      }
      if (g.maxCellsPerCustomer < natural) grouping.maxCellsPerCustomer = g.maxCellsPerCustomer;
    }
    const cells = cellCount(grouping, config.services);
    if (cells > MAX_CELLS_PER_GROUPING) throw badInput(`grouping ${i + 1} has ${cells} cells; at most ${MAX_CELLS_PER_GROUPING}.`);
    return grouping;
  });
  const plan = { groupings: canonical, epsilonMicro };
  // the exact sampler works in safe integers: refuse a plan whose noise scale would not fit
  for (const method of methodOf(plan, config)) {
    for (const m of method.measures) {
      if (m.levels.some((l) => l.epsilon.den * m.sensitivity > MAX_NOISE_SCALE)) {
        throw badInput(
          `grouping ${describe(method.grouping)}: ε too small for the ${m.measure} (sensitivity ${m.sensitivity}); raise the plan's ε or release fewer usage cells per customer.`,
        );
      }
    }
  }
  return plan;
}

const MAX_NOISE_SCALE = 2 ** 45;
const describe = (g: PlanGrouping) => `${g.field} by ${g.dimensions.join(" × ")}`;

/** The public domain of a released dimension (fixed at publishing: the catalogue of then). */
export function releaseDomain(d: StatisticsDimension, grouping: PlanGrouping, services: readonly string[]): readonly string[] {
  switch (d) {
    case D.AGE_BAND:
      return AGE_BANDS;
    case D.GENDER:
      return GENDERS;
    case D.PREFECTURE:
      return PREFECTURE_NAMES;
    case D.REGION:
      return REGION_NAMES;
    case D.SERVICE:
      return [...services, OTHER_SERVICE];
    case D.USAGE_MONTH:
      return monthsOf(grouping.usageMonths!);
    default:
      throw new Error(`${d} is not releasable`);
  }
}

/** The geography of a grouping: its finest geographic dimension, the leaves of each tree. */
export type Geography = D.PREFECTURE | D.REGION | null;

export const geographyOf = (grouping: PlanGrouping): Geography =>
  grouping.dimensions.includes(D.PREFECTURE) ? D.PREFECTURE : grouping.dimensions.includes(D.REGION) ? D.REGION : null;

/** The other dimensions: one tree per combination of their values. */
export const treeDimensions = (grouping: PlanGrouping) => grouping.dimensions.filter((d) => d !== D.PREFECTURE && d !== D.REGION);

const PREFECTURE_PARENTS = PREFECTURE_NAMES.map((p) => REGION_NAMES.indexOf(REGION_OF.get(p)!));

export function hierarchyOf(geography: Geography): Hierarchy {
  if (geography === D.PREFECTURE)
    return { levels: 3, leaves: PREFECTURE_NAMES.length, parentOf: PREFECTURE_PARENTS, middles: REGION_NAMES.length };
  if (geography === D.REGION) return { levels: 2, leaves: REGION_NAMES.length };
  return { levels: 1, leaves: 1 };
}

export const leafNames = (geography: Geography): readonly string[] =>
  geography === D.PREFECTURE ? PREFECTURE_NAMES : geography === D.REGION ? REGION_NAMES : [""];

export const LEVEL_NAMES: Record<Hierarchy["levels"], string[]> = {
  1: ["cell"],
  2: ["country", "region"],
  3: ["country", "region", "prefecture"],
};

export function cellCount(grouping: PlanGrouping, services: readonly string[]): number {
  return grouping.dimensions.reduce((n, d) => n * releaseDomain(d, grouping, services).length, 1);
}

/** Every combination of the tree dimensions' values, in domain order. */
export function treeKeys(grouping: PlanGrouping, services: readonly string[]): Array<Partial<Record<StatisticsDimension, string>>> {
  let keys: Array<Partial<Record<StatisticsDimension, string>>> = [{}];
  for (const d of treeDimensions(grouping)) {
    keys = keys.flatMap((key) => releaseDomain(d, grouping, services).map((value) => ({ ...key, [d]: value })));
  }
  return keys;
}

/** How ε is split and how noisy each level of each measure is: public, stored with the release. */
export interface MeasureLevels {
  measure: Measure;
  /** L1 sensitivity of one level (all cells of that level together) */
  sensitivity: number;
  levels: Array<{ level: string; epsilon: Rational; variance: number }>;
}

export interface GroupingMethod {
  grouping: PlanGrouping;
  /** the service catalogue at publishing (the SERVICE domain) */
  services: string[];
  /** the most cells of one level one customer falls into */
  cellsPerCustomer: number;
  measures: MeasureLevels[];
}

/** The share of a level in its measure's ε: lower levels get more (most questions are fine-grained). */
const LEVEL_SHARES: Record<Hierarchy["levels"], Array<[number, number]>> = {
  1: [[1, 1]],
  2: [
    [1, 3],
    [2, 3],
  ],
  3: [
    [1, 4],
    [1, 4],
    [1, 2],
  ],
};

const times = (r: Rational, num: number, den: number): Rational => rational(r.num * num, r.den * den);

/**
 * Splits a release's ε (pure ε-DP, sequential composition, so the shares add up to exactly
 * the plan's ε): equally between groupings; within a usage grouping half to the customer
 * count and a quarter each to uses and amounts (as the interactive path); within a measure
 * between the levels of the hierarchy. Each level is a full partition of the customers, so
 * one customer moves a level by at most B cells × their clamped contribution (B = cells of
 * the usage dimensions: services × months, or the plan's smaller bound), the sensitivity the
 * noise is scaled to.
 */
export function methodOf(
  plan: ReleasePlanDefinition,
  config: Pick<StatisticsConfig, "services" | "usageCap" | "amountCap">,
): GroupingMethod[] {
  const epsilon = rational(plan.epsilonMicro, 1_000_000);
  return plan.groupings.map((grouping) => {
    const perGrouping = times(epsilon, 1, plan.groupings.length);
    const hierarchy = hierarchyOf(geographyOf(grouping));
    const cellsPerCustomer = grouping.maxCellsPerCustomer ?? usageCellsPerCustomer(grouping, config.services);
    const shares: Array<[Measure, number, number, number]> =
      grouping.field === "customers"
        ? [["customers", 1, 1, 1]]
        : [
            ["customers", 1, 2, 1],
            ["usageCount", 1, 4, config.usageCap],
            ["amountSum", 1, 4, config.amountCap],
          ];
    const measures = shares.map(([measure, num, den, cap]) => {
      const sensitivity = cellsPerCustomer * cap;
      const levels = LEVEL_SHARES[hierarchy.levels].map(([ln, ld], i) => {
        const eps = times(times(perGrouping, num, den), ln, ld);
        return { level: LEVEL_NAMES[hierarchy.levels][i], epsilon: eps, variance: discreteLaplaceVariance(decay(eps, sensitivity)) };
      });
      return { measure, sensitivity, levels };
    });
    return { grouping, services: [...config.services], cellsPerCustomer, measures };
  });
}

/** The most cells of one level a customer falls into: 1 for customers, services × months for usage. */
function usageCellsPerCustomer(grouping: PlanGrouping, services: readonly string[]): number {
  if (grouping.field === "customers") return 1;
  return grouping.dimensions
    .filter((d) => d === D.SERVICE || d === D.USAGE_MONTH)
    .reduce((n, d) => n * releaseDomain(d, grouping, services).length, 1);
}

/** The total ε of a method (a check that the split adds up to the plan's ε). */
export const methodEpsilon = (method: readonly GroupingMethod[]): number =>
  method.reduce((sum, g) => sum + g.measures.reduce((s, m) => s + m.levels.reduce((t, l) => t + toNumber(l.epsilon), 0), 0), 0);
