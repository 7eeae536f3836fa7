import { GraphQLError } from "graphql";
import type { DataSource } from "typeorm";
import type { StatisticsConfig } from "../../config/statistics";
import { KernelCode } from "../../kernel/errors/catalogue";
import { Purpose } from "../../kernel/purposes/purpose";
import { provide, serviceKey } from "../../kernel/services";
import { dataQueriesTotal } from "../../observability/metrics";
import { StatisticsStore } from "./statistics-store";

export const STATISTICS = serviceKey<StatisticsStore>("statistics.store");

/**
 * The statistics store of a request: only when the gate allowed an operation declared for
 * USAGE_STATISTICS by an authenticated client (fail closed otherwise).
 */
export const statisticsStore = (db: DataSource, config: StatisticsConfig, readDb: DataSource = db) =>
  provide(STATISTICS, (ctx) => {
    const { scope } = ctx.data;
    if (scope.purpose !== Purpose.USAGE_STATISTICS || !scope.caller) {
      throw new GraphQLError("Statistics are available only to a client declaring the purpose USAGE_STATISTICS.", {
        extensions: { code: KernelCode.FORBIDDEN },
      });
    }
    return new StatisticsStore({ db, readDb, caller: scope.caller, config, countStatement: () => dataQueriesTotal.inc({ purpose: Purpose.USAGE_STATISTICS }) });
  });
