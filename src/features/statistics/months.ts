/** Calendar months as "YYYY-MM" (the only time granularity statistics know). */

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const FIRST_YEAR = 1900;
export const LAST_YEAR = 2100;

export interface MonthRange {
  /** first month, inclusive */
  from: string;
  /** last month, inclusive */
  to: string;
}

/** Months since year 0, or null when `value` is not a month from 1900-01 to 2100-12. */
export function monthIndex(value: string): number | null {
  const match = MONTH.exec(value);
  if (!match) return null;
  const year = Number(match[1]);
  if (year < FIRST_YEAR || year > LAST_YEAR) return null;
  return year * 12 + Number(match[2]) - 1;
}

export function monthOf(index: number): string {
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** Every month of an inclusive range, in order. */
export function monthsOf(range: MonthRange): string[] {
  const from = monthIndex(range.from)!;
  const to = monthIndex(range.to)!;
  const months: string[] = [];
  for (let i = from; i <= to; i++) months.push(monthOf(i));
  return months;
}

/** Every calendar year the range touches, as "YYYY". */
export function yearsOf(range: MonthRange): string[] {
  const years: string[] = [];
  for (let y = Number(range.from.slice(0, 4)); y <= Number(range.to.slice(0, 4)); y++) years.push(String(y));
  return years;
}

/** The first day of the month after `month` ("2026-06" → "2026-07-01"), for exclusive upper bounds. */
export function dayAfterMonth(month: string): string {
  return `${monthOf(monthIndex(month)! + 1)}-01`;
}

/** The current month in a time zone, "YYYY-MM". */
export function currentMonth(timeZone: string, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" }).formatToParts(now);
  const year = parts.find((p) => p.type === "year")!.value;
  const month = parts.find((p) => p.type === "month")!.value;
  return `${year}-${month}`;
}
