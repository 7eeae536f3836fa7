import { GraphQLError } from "graphql";
import type { AggregateReader } from "../../kernel/store/aggregates";
import type { FeatureDb } from "../../kernel/store/feature-db";
import type { StatisticsConfig } from "../../config/statistics";
import { KernelCode } from "../../kernel/errors/catalogue";
import { Purpose } from "../../kernel/purposes/purpose";
import { provide, serviceKey } from "../../kernel/services";
import { dataQueriesTotal } from "../../observability/metrics";
import { requireComplianceRole } from "../../kernel/compliance";
import { ComplianceRole } from "../../kernel/caller/roles";
import { AnswerBook } from "./budget/answer-book";
import { CompanyBudget } from "./budget/company-budget";
import { StatisticsStore } from "./statistics-store";

export const STATISTICS = serviceKey<StatisticsStore>("statistics.store");

/** The privacy officer's view: the company budget, organisations, and every answer released. */
export interface StatisticsOffice {
  budget: CompanyBudget;
  answers: AnswerBook;
}

export const STATISTICS_OFFICE = serviceKey<StatisticsOffice>("statistics.office");

export const statisticsOffice = (db: FeatureDb) =>
  provide(STATISTICS_OFFICE, (ctx) => {
    requireComplianceRole(ctx, ComplianceRole.PRIVACY_OFFICER);
    return { budget: new CompanyBudget(db), answers: new AnswerBook(db) };
  });

/**
 * The statistics store of a request: only when the gate allowed an operation declared for
 * USAGE_STATISTICS by an authenticated client (fail closed otherwise).
 */
export const statisticsStore = (db: FeatureDb, aggregates: AggregateReader, config: StatisticsConfig) =>
  provide(STATISTICS, (ctx) => {
    const { scope } = ctx.data;
    if (scope.purpose !== Purpose.USAGE_STATISTICS || !scope.caller) {
      throw new GraphQLError("Statistics are available only to a client declaring the purpose USAGE_STATISTICS.", {
        extensions: { code: KernelCode.FORBIDDEN },
      });
    }
    return new StatisticsStore({
      db,
      aggregates,
      caller: scope.caller,
      config,
      countStatement: () => dataQueriesTotal.inc({ purpose: Purpose.USAGE_STATISTICS }),
    });
  });
