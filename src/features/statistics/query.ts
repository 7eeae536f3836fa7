import { GraphQLError } from "graphql";
import type { Gender } from "../../kernel/model/gender";
import { OTHER_SERVICE, type StatisticsConfig } from "../../config/statistics";
import {
  AGE_BANDS,
  CUSTOMER_DIMENSIONS,
  DIMENSION_ORDER,
  GENDERS,
  PREFECTURE_NAMES,
  REGION_NAMES,
  REGION_OF,
  StatisticsDimension as D,
  type AgeBand,
  type StatisticsDimension,
} from "./dimensions";
import { monthIndex, monthsOf, yearsOf, type MonthRange } from "./months";

export type StatisticsField = "customers" | "serviceUsage";

/** A statistics request as it arrives (already typed by GraphQL, not yet judged). */
export interface StatisticsRequest {
  field: StatisticsField;
  groupBy: readonly StatisticsDimension[];
  filter?: {
    ageBands?: readonly AgeBand[] | null;
    genders?: readonly Gender[] | null;
    prefectures?: readonly string[] | null;
    regions?: readonly string[] | null;
    signupMonth?: MonthRange | null;
    services?: readonly string[] | null;
    usageMonth?: MonthRange | null;
  } | null;
}

/**
 * A validated request in canonical form: dimensions in a fixed order, filters reduced to
 * what they select (regions folded into prefectures, lists sorted and deduplicated, a list
 * naming every value dropped). Two requests that select the same thing become equal, so a
 * reworded repeat is recognised as a repeat and gets the same answer, not a fresh one.
 */
export interface StatisticsQuery {
  field: StatisticsField;
  groupBy: StatisticsDimension[];
  filter: {
    ageBands: AgeBand[] | null;
    genders: Gender[] | null;
    prefectures: string[] | null;
    signupMonth: MonthRange | null;
    services: string[] | null;
    usageMonth: MonthRange | null;
  };
  /** the public domain of every grouped dimension (values known without the data) */
  domains: Partial<Record<StatisticsDimension, readonly string[]>>;
  /** how many buckets the grouping can have (empty, withheld or released) */
  possibleBuckets: number;
  /** the most buckets one customer can fall into, before bounding */
  naturalBucketsPerCustomer: number;
}

const MAX_GROUP_BY = 4;
const MAX_LIST = 100;

export function badInput(message: string, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status: 400 }, ...details } });
}

/** Validates strictly (BAD_USER_INPUT) and canonicalises a statistics request. */
export function normaliseRequest(request: StatisticsRequest, config: StatisticsConfig): StatisticsQuery {
  const { field } = request;
  const filter = request.filter ?? {};
  const catalogue = [...config.services, OTHER_SERVICE];

  // ---- group by ---------------------------------------------------------------------------
  if (request.groupBy.length > MAX_GROUP_BY) throw badInput(`groupBy takes at most ${MAX_GROUP_BY} dimensions.`);
  if (new Set(request.groupBy).size !== request.groupBy.length) throw badInput("groupBy names a dimension twice.");
  for (const dimension of request.groupBy) {
    if (!DIMENSION_ORDER.includes(dimension)) throw badInput(`Unknown dimension ${String(dimension)}.`);
    if (field === "customers" && !CUSTOMER_DIMENSIONS.includes(dimension)) {
      throw badInput(`customers cannot be grouped by ${dimension}; use serviceUsage.`, { dimension });
    }
  }
  const groupBy = DIMENSION_ORDER.filter((d) => request.groupBy.includes(d));

  // ---- filters ------------------------------------------------------------------------------
  const ageBands = subset("ageBands", filter.ageBands, AGE_BANDS);
  const genders = subset("genders", filter.genders, GENDERS);
  const services = field === "serviceUsage" ? subset("services", filter.services, catalogue) : rejectField("services", filter.services);
  const byPrefecture = subset("prefectures", filter.prefectures, PREFECTURE_NAMES);
  const byRegion = subset("regions", filter.regions, REGION_NAMES);
  let prefectures: string[] | null = PREFECTURE_NAMES.filter(
    (p) => (!byPrefecture || byPrefecture.includes(p)) && (!byRegion || byRegion.includes(REGION_OF.get(p)!)),
  );
  if (prefectures.length === PREFECTURE_NAMES.length) prefectures = null;
  const signupMonth = range("signupMonth", filter.signupMonth);
  const usageMonth = field === "serviceUsage" ? range("usageMonth", filter.usageMonth) : rejectField("usageMonth", filter.usageMonth);

  if ((groupBy.includes(D.SIGNUP_MONTH) || groupBy.includes(D.SIGNUP_YEAR)) && !signupMonth) {
    throw badInput("Grouping by SIGNUP_MONTH or SIGNUP_YEAR needs filter.signupMonth { from, to }.");
  }
  if (groupBy.includes(D.USAGE_MONTH) && !usageMonth) {
    throw badInput("Grouping by USAGE_MONTH needs filter.usageMonth { from, to }.");
  }

  // ---- public domains and sizes --------------------------------------------------------------
  const allPrefectures = prefectures ?? [...PREFECTURE_NAMES];
  const domainOf: Record<StatisticsDimension, () => readonly string[]> = {
    AGE_BAND: () => ageBands ?? AGE_BANDS,
    GENDER: () => genders ?? GENDERS,
    PREFECTURE: () => allPrefectures,
    REGION: () => REGION_NAMES.filter((r) => allPrefectures.some((p) => REGION_OF.get(p) === r)),
    SIGNUP_MONTH: () => monthsOf(signupMonth!),
    SIGNUP_YEAR: () => yearsOf(signupMonth!),
    SERVICE: () => services ?? catalogue,
    USAGE_MONTH: () => monthsOf(usageMonth!),
  };
  const domains: StatisticsQuery["domains"] = {};
  let possibleBuckets = 1;
  for (const dimension of groupBy) {
    domains[dimension] = domainOf[dimension]();
    // a prefecture fixes its region, a month its year: those pairs do not multiply
    const implied =
      (dimension === D.REGION && groupBy.includes(D.PREFECTURE)) || (dimension === D.SIGNUP_YEAR && groupBy.includes(D.SIGNUP_MONTH));
    if (!implied) possibleBuckets *= domains[dimension]!.length;
    if (possibleBuckets > config.maxBuckets) {
      throw badInput(`This grouping has more than ${config.maxBuckets} possible buckets; group by fewer dimensions or narrow the filter.`);
    }
  }
  // An empty filter selection (e.g. a prefecture outside the chosen regions) selects nobody.
  const selectsNobody = [ageBands, genders, services].some((list) => list?.length === 0) || allPrefectures.length === 0;
  if (selectsNobody) possibleBuckets = 0;

  const naturalBucketsPerCustomer =
    (groupBy.includes(D.SERVICE) ? domains.SERVICE!.length : 1) * (groupBy.includes(D.USAGE_MONTH) ? domains.USAGE_MONTH!.length : 1);

  return {
    field,
    groupBy,
    filter: { ageBands, genders, prefectures, signupMonth, services, usageMonth },
    domains,
    possibleBuckets,
    naturalBucketsPerCustomer: Math.max(1, naturalBucketsPerCustomer),
  };
}

/** A list filter: known values only, deduplicated, in canonical order; null when it names every value. */
function subset<T extends string>(name: string, given: readonly T[] | null | undefined, universe: readonly T[]): T[] | null {
  if (given === null || given === undefined) return null;
  if (given.length === 0) throw badInput(`filter.${name} is empty: give at least one value or leave it out.`);
  if (given.length > MAX_LIST) throw badInput(`filter.${name} takes at most ${MAX_LIST} values.`);
  const unknown = given.filter((v) => !universe.includes(v));
  if (unknown.length) {
    throw badInput(
      `filter.${name}: unknown value(s) ${unknown.map((v) => JSON.stringify(v)).join(", ")}; allowed: ${universe.join(", ")}.`,
    );
  }
  const chosen = universe.filter((v) => given.includes(v));
  return chosen.length === universe.length ? null : chosen;
}

function range(name: string, given: MonthRange | null | undefined): MonthRange | null {
  if (!given) return null;
  const from = monthIndex(given.from);
  const to = monthIndex(given.to);
  if (from === null || to === null) throw badInput(`filter.${name}: months are "YYYY-MM" from 1900-01 to 2100-12.`);
  if (from > to) throw badInput(`filter.${name}: from is after to.`);
  return { from: given.from, to: given.to };
}

function rejectField(name: string, given: unknown): null {
  if (given !== null && given !== undefined) throw badInput(`filter.${name} applies to serviceUsage only.`);
  return null;
}
