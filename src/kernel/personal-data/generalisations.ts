import { registerEnumType } from "type-graphql";
import { PREFECTURE_NAMES, PREFECTURES } from "./prefectures";

/**
 * The generalised vocabularies of the store: ten-year age bands and the regions of Japan.
 * They are what a purpose that may not see a birth date or an address may see instead
 * (declaration: `ageBand`, `region`), and what statistics group by.
 */
export enum AgeBand {
  AGE_UNDER_20 = "AGE_UNDER_20",
  AGE_20_29 = "AGE_20_29",
  AGE_30_39 = "AGE_30_39",
  AGE_40_49 = "AGE_40_49",
  AGE_50_59 = "AGE_50_59",
  AGE_60_69 = "AGE_60_69",
  AGE_70_79 = "AGE_70_79",
  AGE_80_PLUS = "AGE_80_PLUS",
}

registerEnumType(AgeBand, {
  name: "AgeBand",
  description: "10-year age band. The youngest and oldest are pooled (under 20, 80 and over), where people are fewest.",
});

export const AGE_BANDS: readonly AgeBand[] = Object.values(AgeBand);
/** The lowest age of each band after the first: AGE_20_29 starts at 20, …, AGE_80_PLUS at 80. */
export const AGE_BAND_LOWER_BOUNDS = [20, 30, 40, 50, 60, 70, 80] as const;

export const REGION_NAMES: readonly string[] = [...new Set(PREFECTURES.map((p) => p.region))];
export const REGION_OF: ReadonlyMap<string, string> = new Map(PREFECTURES.map((p) => [p.name, p.region]));

// Our own constants go into SQL literals: checked so they can never break out of one.
for (const name of [...PREFECTURE_NAMES, ...REGION_NAMES, ...AGE_BANDS])
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected name ${name}`);

/** The age band today (the database's date) of a birth-date column, in SQL: the birth date never leaves the statement. */
export function ageBandSql(birthDate: string): string {
  const branches = AGE_BAND_LOWER_BOUNDS.map(
    (age, i) => `WHEN ${birthDate} > (current_date - interval '${age} years') THEN '${AGE_BANDS[i]}'`,
  );
  return `CASE WHEN ${birthDate} IS NULL THEN NULL ${branches.join(" ")} ELSE '${AGE_BANDS[AGE_BANDS.length - 1]}' END`;
}

/** The region of a prefecture column, in SQL. */
export function regionSql(prefecture: string): string {
  return `CASE ${prefecture} ${PREFECTURES.map((p) => `WHEN '${p.name}' THEN '${p.region}'`).join(" ")} END`;
}
