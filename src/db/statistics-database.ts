import type { DataSource } from "typeorm";
import type { Settings } from "../config/settings";
import { openDatabase } from "./data-source";

/**
 * The database statistics' aggregate statements read from, when STATS_DATABASE_URL names one
 * (a streaming read replica of the primary: the heaviest reads leave the primary). Never
 * migrated (the primary's migrations reach it by replication) and never written: the privacy
 * ledger stays on the primary, so budgets hold across gateways. Null: the main database.
 */
export async function openStatisticsDatabase(settings: Pick<Settings, "store" | "operations">): Promise<DataSource | null> {
  const { statisticsDatabaseUrl, database } = settings.operations;
  if (!statisticsDatabaseUrl) return null;
  return openDatabase({
    url: statisticsDatabaseUrl,
    poolSize: settings.store.poolSize,
    statementTimeoutMs: database.statementTimeoutMs,
    connectTimeoutMs: database.connectTimeoutMs,
    startupWaitMs: database.startupWaitMs,
    migrate: false,
  });
}
