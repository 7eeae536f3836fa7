import { OTHER_SERVICE } from "../../../config/statistics";
import {
  AGE_BANDS,
  GENDERS,
  PREFECTURE_NAMES,
  REGION_NAMES,
  REGION_OF,
  StatisticsDimension as D,
  type StatisticsDimension,
} from "../dimensions";
import { monthIndex, monthsOf } from "../months";
import type { StatisticsQuery } from "../query";
import type { Measure } from "../sql";
import { sumVariance } from "./consistency";
import { covarianceOf } from "./measure";
import { geographyOf, treeDimensions, type GroupingMethod } from "./plan";

/**
 * Whether a question is a sum of a grouping's released cells: it groups by released
 * dimensions (or REGION over released prefectures), filters only on released dimensions
 * (a prefecture filter over released regions only by whole regions), and asks for the months
 * the cells cover. For usage the distinct-customer count adds up over cells only when no
 * usage dimension is summed over (a customer using two services would be counted twice):
 * every released SERVICE and USAGE_MONTH is grouped by or filtered to one value.
 */
export function covers(method: GroupingMethod, query: StatisticsQuery, services: readonly string[]): boolean {
  const { grouping } = method;
  const has = (d: StatisticsDimension) => grouping.dimensions.includes(d);
  const { filter } = query;
  if (grouping.field !== query.field || filter.signupMonth) return false;
  for (const d of query.groupBy) if (!has(d) && !(d === D.REGION && has(D.PREFECTURE))) return false;
  if (filter.ageBands && !has(D.AGE_BAND)) return false;
  if (filter.genders && !has(D.GENDER)) return false;
  if (filter.prefectures && !has(D.PREFECTURE) && !(has(D.REGION) && wholeRegions(filter.prefectures))) return false;
  if (query.field === "customers") return true;

  // usage: the same catalogue (else "Other" means something else), the months released
  if (method.services.length !== services.length || method.services.some((s, i) => s !== services[i])) return false;
  if (filter.services && !has(D.SERVICE)) return false;
  const asked = filter.usageMonth;
  const released = grouping.usageMonths!;
  if (!asked) return false;
  if (has(D.USAGE_MONTH)) {
    if (monthIndex(asked.from)! < monthIndex(released.from)! || monthIndex(asked.to)! > monthIndex(released.to)!) return false;
  } else if (asked.from !== released.from || asked.to !== released.to) {
    return false;
  }
  if (has(D.SERVICE) && !query.groupBy.includes(D.SERVICE) && filter.services?.length !== 1) return false;
  if (has(D.USAGE_MONTH) && !query.groupBy.includes(D.USAGE_MONTH) && asked.from !== asked.to) return false;
  return true;
}

function wholeRegions(prefectures: readonly string[]): boolean {
  return REGION_NAMES.every((r) => {
    const members = PREFECTURE_NAMES.filter((p) => REGION_OF.get(p) === r);
    const chosen = members.filter((p) => prefectures.includes(p)).length;
    return chosen === 0 || chosen === members.length;
  });
}

/**
 * The variance of each released measure of one answer bucket: the bucket sums the same
 * geographic leaves in each of `trees` independent trees, so Var = trees · 1ᵀ C 1 with C the
 * least-squares covariance of a tree's leaves. Public: computed from the question and the
 * method only, never from the data.
 */
export function bucketVariances(
  method: GroupingMethod,
  query: StatisticsQuery,
  key: Partial<Record<StatisticsDimension, string>>,
): Partial<Record<Measure, number>> {
  const { filter } = query;
  let trees = 1;
  for (const d of treeDimensions(method.grouping)) {
    if (query.groupBy.includes(d)) continue;
    trees *=
      d === D.AGE_BAND
        ? (filter.ageBands ?? AGE_BANDS).length
        : d === D.GENDER
          ? (filter.genders ?? GENDERS).length
          : d === D.SERVICE
            ? (filter.services ?? [...method.services, OTHER_SERVICE]).length
            : monthsOf(filter.usageMonth!).length;
  }
  const leaves = leavesOf(method, query, key);
  const variances: Partial<Record<Measure, number>> = {};
  for (const { measure } of method.measures) variances[measure] = trees * sumVariance(covarianceOf(method, measure), leaves);
  return variances;
}

function leavesOf(method: GroupingMethod, query: StatisticsQuery, key: Partial<Record<StatisticsDimension, string>>): number[] {
  const geography = geographyOf(method.grouping);
  if (!geography) return [0];
  const prefectures = key.PREFECTURE
    ? [key.PREFECTURE]
    : (query.filter.prefectures ?? PREFECTURE_NAMES).filter((p) => !key.REGION || REGION_OF.get(p) === key.REGION);
  if (geography === D.PREFECTURE) return prefectures.map((p) => PREFECTURE_NAMES.indexOf(p));
  return [...new Set(prefectures.map((p) => REGION_OF.get(p)!))].map((r) => REGION_NAMES.indexOf(r));
}
