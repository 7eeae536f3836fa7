import type { DataSource } from "typeorm";
import { createDataSource, type DatabaseOptions } from "../../ormconfig";
import { logger } from "../observability/logger";
import { isStoreUnavailable } from "./store-errors";

export { createDataSource, type DatabaseOptions } from "../../ormconfig";

/**
 * Connects (waiting for the database up to `startupWaitMs`) and applies pending migrations.
 * Migrations run on a connection of their own without the statement timeout: an index built
 * on a large table may rightly take longer than any request should.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const db = await connectWithRetry(options);
  if (options.migrate === false) return db;
  const migrator =
    options.statementTimeoutMs === undefined
      ? db
      : await createDataSource({ ...options, poolSize: 1, statementTimeoutMs: undefined }).initialize();
  try {
    await migrator.runMigrations({ transaction: "each" });
  } catch (error) {
    await db.destroy().catch(() => {});
    throw error;
  } finally {
    if (migrator !== db) await migrator.destroy().catch(() => {});
  }
  return db;
}

/**
 * A database that is down at start (a container started before its database, a restart) is
 * waited for with exponential back-off, up to the configured limit; any other error (a wrong
 * password, no such database) fails at once.
 */
async function connectWithRetry(options: DatabaseOptions): Promise<DataSource> {
  const deadline = Date.now() + (options.startupWaitMs ?? 0);
  for (let attempt = 1, delay = 250; ; attempt++, delay = Math.min(delay * 2, 5000)) {
    const db = createDataSource(options);
    try {
      return await db.initialize();
    } catch (error) {
      if (!isStoreUnavailable(error) || Date.now() + delay > deadline) throw error;
      logger.warn({ attempt, retryInMs: delay, err: error }, "database not reachable yet: waiting");
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
