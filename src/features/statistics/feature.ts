import type { GatewayFeature } from "../../kernel/feature";
import { CompanyBudget } from "./budget/company-budget";
import { recordStatisticsZone } from "./budget/period-clock";
import { StatisticsCodes } from "./errors";
import { StatisticsOfficerQueries } from "./graphql/officer";
import { ReleaseQueries } from "./graphql/release-graphql";
import { StatisticsResolver } from "./graphql/statistics-resolver";
import { reportBudget } from "./metrics";
import { reportReleasesFrom } from "./releases/release-metrics";
import { releaseReader } from "./releases/services";
import { statisticsOnly } from "./rules/statistics-only";
import { statisticsOffice, statisticsStore } from "./services";
import { ensureUsageFacts, STATISTICS_USAGE_FACT } from "./usage-facts";

/**
 * Statistics (agreement 1.6 and 3.2): thresholded, differentially private aggregates only,
 * under one privacy budget for the whole company shared out among organisations
 * (budget/company-budget.ts), with the privacy officer's compliance-only view of it; and
 * released tables (releases/): published once with ε from that budget, then summed for free.
 * Usage is read from per-customer facts PostgreSQL maintains (usage-facts.ts).
 */
export const statisticsFeature: GatewayFeature = {
  name: "statistics",
  codes: StatisticsCodes.table,
  aggregateReads: "thresholded, noisy statistics over customers and their usage (agreement 1.6 and 3.2)",
  resolvers: [StatisticsResolver, StatisticsOfficerQueries, ReleaseQueries],
  rules: { "purpose-reach": [statisticsOnly] },
  tables: [STATISTICS_USAGE_FACT],
  start: async ({ db, aggregates, settings }) => {
    // every gateway reckons periods in the store's zone, or refuses to start
    await recordStatisticsZone(db, settings.statistics.timeZone);
    await ensureUsageFacts(db, { timeZone: settings.statistics.timeZone, services: settings.statistics.services });
    reportReleasesFrom(db);
    const stopReporting = reportBudget(new CompanyBudget(db));
    return {
      services: [statisticsStore(db, aggregates, settings.statistics), statisticsOffice(db), releaseReader(db)],
      stop: async () => stopReporting(),
    };
  },
};
