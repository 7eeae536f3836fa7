import { GraphQLError } from "graphql";
import type { DataSource } from "typeorm";
import type { DataScope } from "../data/data-scope";
import { Purpose } from "../purposes/purpose";
import { statisticsConfig } from "./init";
import { StatisticsStore } from "./statistics-store";

/**
 * Opens the statistics store for a request's data scope: only when the gate allowed an
 * operation declared for USAGE_STATISTICS by an authenticated client (fail closed otherwise).
 */
export function openStatistics(db: DataSource, scope: DataScope, countStatement: () => void): StatisticsStore {
  if (scope.purpose !== Purpose.USAGE_STATISTICS || !scope.caller) {
    throw new GraphQLError("Statistics are available only to a client declaring the purpose USAGE_STATISTICS.", {
      extensions: { code: "FORBIDDEN" },
    });
  }
  return new StatisticsStore({ db, caller: scope.caller, config: statisticsConfig(), countStatement });
}
