import { DataSource } from "typeorm";
import { ENTITIES } from "../kernel/model";
import { MIGRATIONS } from "../../migrations";
import { logger } from "../observability/logger";
import { isStoreUnavailable } from "./store-errors";

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
  /**
   * Bounds on the database (issue 11): PostgreSQL's statement_timeout, the client's own bound
   * on a query (for a server that hangs and cannot enforce its own) and on getting a
   * connection. Undefined: no bound (tests and benchmarks that open a plain data source).
   */
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** keep retrying a database that cannot be reached for this long at start (0: one try) */
  startupWaitMs?: number;
  /** apply pending migrations (default true); false for a client of a store someone else owns */
  migrate?: boolean;
}

/** How much longer than the server's statement_timeout the client waits before giving up. */
const CLIENT_MARGIN_MS = 1000;

/** A TypeORM data source for the personal-data store. Schema changes come only from migrations. */
export function createDataSource({ url, poolSize = 10, statementTimeoutMs, connectTimeoutMs }: DatabaseOptions): DataSource {
  return new DataSource({
    type: "postgres",
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: poolSize,
      keepAlive: true,
      ...(statementTimeoutMs !== undefined && { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + CLIENT_MARGIN_MS }),
      ...(connectTimeoutMs !== undefined && { connectionTimeoutMillis: connectTimeoutMs }),
    },
    // the pool's own complaints (a connection dropped while idle) are not errors of a request
    poolErrorHandler: (error: unknown) => logger.warn({ err: error }, "database connection lost (the pool replaces it)"),
  });
}

/**
 * Connects (waiting for the database up to `startupWaitMs`) and applies pending migrations.
 * Migrations run on a connection of their own without the statement timeout: an index built
 * on a large table may rightly take longer than any request should.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const db = await connectWithRetry(options);
  if (options.migrate === false) return db;
  const migrator = options.statementTimeoutMs === undefined ? db : await createDataSource({ ...options, poolSize: 1, statementTimeoutMs: undefined }).initialize();
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
