import type { FeatureDb } from "../../../kernel/store/feature-db";
import type { CompanyBudgetSettings } from "./company-budget";

/** The store's settings and where `now()` falls, read from the one settings row. */
export interface PeriodClock {
  settings: CompanyBudgetSettings;
  /** the current period, "YYYY-MM", in the store's zone */
  period: string;
  /** the first period of the rolling lifetime window */
  windowStart: string;
  /** seconds until the next period starts in the store's zone */
  retryAfterSeconds: number;
}

/**
 * The period is computed by PostgreSQL from the transaction's `now()` in the zone the store
 * records, so every gateway (whatever its clock's zone) charges the same period.
 */
export const PERIOD_CLOCK_COLUMNS = `
  time_zone, period_budget_micro::bigint AS period_budget, lifetime_cap_micro::bigint AS lifetime_cap, window_periods,
  to_char(now() AT TIME ZONE time_zone, 'YYYY-MM') AS period,
  to_char(date_trunc('month', now() AT TIME ZONE time_zone) - make_interval(months => window_periods - 1), 'YYYY-MM') AS window_start,
  greatest(1, ceil(extract(epoch FROM ((date_trunc('month', now() AT TIME ZONE time_zone) + interval '1 month') AT TIME ZONE time_zone) - now())))::int AS retry_after`;

export function periodClock(row: Record<string, unknown>): PeriodClock {
  return {
    settings: {
      timeZone: String(row.time_zone),
      periodBudgetMicro: Number(row.period_budget),
      lifetimeCapMicro: Number(row.lifetime_cap),
      windowPeriods: Number(row.window_periods),
    },
    period: String(row.period),
    windowStart: String(row.window_start),
    retryAfterSeconds: Number(row.retry_after),
  };
}

/** A gateway (or the CLI) whose STATS_TIME_ZONE is not the store's. */
export class StatisticsZoneMismatch extends Error {
  constructor(configured: string, stored: string) {
    super(
      `STATS_TIME_ZONE is "${configured}" but the store reckons statistics periods in "${stored}": every gateway must use the store's zone (set STATS_TIME_ZONE=${stored}), or periods would differ between gateways`,
    );
    this.name = "StatisticsZoneMismatch";
  }
}

/**
 * Records the statistics time zone in the store on first use (with no budget: nothing can be
 * released until the privacy officer sets one), and refuses a zone that differs from it.
 */
export async function recordStatisticsZone(db: FeatureDb, timeZone: string): Promise<void> {
  await db.query(`INSERT INTO statistics_company_budget (singleton, time_zone) VALUES (true, $1) ON CONFLICT (singleton) DO NOTHING`, [
    timeZone,
  ]);
  const [row] = await db.query(`SELECT time_zone FROM statistics_company_budget WHERE singleton`);
  if (row.time_zone !== timeZone) throw new StatisticsZoneMismatch(timeZone, String(row.time_zone));
}
