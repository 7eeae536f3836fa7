import { registerEnumType } from "type-graphql";
import { Gender } from "../../kernel/model/gender";
import { PREFECTURES } from "../../kernel/personal-data/prefectures";

/**
 * The only things statistics can be grouped or filtered by: generalised, public-domain
 * attributes. There is deliberately no dimension for an id, a name, an e-mail, an exact date
 * or a free-form predicate. Every dimension has a finite public domain (known without
 * looking at the data), which is what lets the API report withheld buckets safely.
 */
export enum StatisticsDimension {
  AGE_BAND = "AGE_BAND",
  GENDER = "GENDER",
  PREFECTURE = "PREFECTURE",
  REGION = "REGION",
  SIGNUP_MONTH = "SIGNUP_MONTH",
  SIGNUP_YEAR = "SIGNUP_YEAR",
  SERVICE = "SERVICE",
  USAGE_MONTH = "USAGE_MONTH",
}

registerEnumType(StatisticsDimension, {
  name: "StatisticsDimension",
  description: "What statistics may be grouped by: generalised attributes only.",
  valuesConfig: {
    AGE_BAND: { description: "10-year age band on the first day of the current month (under 20 and 80+ are pooled)." },
    GENDER: { description: "Gender." },
    PREFECTURE: { description: "Prefecture of the customer's address." },
    REGION: { description: "Region of Japan (Hokkaido, Tohoku, Kanto, Chubu, Kansai, Chugoku, Shikoku, Kyushu)." },
    SIGNUP_MONTH: { description: "Month the customer signed up (YYYY-MM). Needs a signupMonth range." },
    SIGNUP_YEAR: { description: "Year the customer signed up. Needs a signupMonth range." },
    SERVICE: { description: "Service used (serviceUsage only); services outside the catalogue are pooled as Other." },
    USAGE_MONTH: { description: "Month of use (YYYY-MM, serviceUsage only). Needs a usageMonth range." },
  },
});

/** Dimensions of the customer; each customer lies in exactly one bucket of them. */
export const CUSTOMER_DIMENSIONS: readonly StatisticsDimension[] = [
  StatisticsDimension.AGE_BAND,
  StatisticsDimension.GENDER,
  StatisticsDimension.PREFECTURE,
  StatisticsDimension.REGION,
  StatisticsDimension.SIGNUP_MONTH,
  StatisticsDimension.SIGNUP_YEAR,
];

/** Dimensions of a use: one customer can fall into several buckets of them. */
export const USAGE_DIMENSIONS: readonly StatisticsDimension[] = [StatisticsDimension.SERVICE, StatisticsDimension.USAGE_MONTH];

/** Canonical order of dimensions (the order of the enum). */
export const DIMENSION_ORDER: readonly StatisticsDimension[] = Object.values(StatisticsDimension);

export { AGE_BAND_LOWER_BOUNDS, AGE_BANDS, AgeBand } from "../../kernel/personal-data/generalisations";

export const GENDERS: readonly Gender[] = Object.values(Gender);

export const PREFECTURE_NAMES: readonly string[] = PREFECTURES.map((p) => p.name);
export { REGION_NAMES, REGION_OF } from "../../kernel/personal-data/generalisations";

/** The output column of each dimension in the statistics SQL. */
export const COLUMN: Record<StatisticsDimension, string> = {
  AGE_BAND: "age_band",
  GENDER: "gender",
  PREFECTURE: "prefecture",
  REGION: "region",
  SIGNUP_MONTH: "signup_month",
  SIGNUP_YEAR: "signup_year",
  SERVICE: "service",
  USAGE_MONTH: "usage_month",
};
