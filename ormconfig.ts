import "reflect-metadata";
import { DataSource } from "typeorm";
import { MIGRATIONS } from "./migrations";
import { ApiClient } from "./src/clients/api-client-entity";
import { loadSettings } from "./src/config/settings";
import { MODEL_ENTITIES } from "./src/kernel/model";
import { logger } from "./src/observability/logger";

/**
 * The one TypeORM data-source definition: the gateway, the CLIs, the tests and the
 * benchmarks open the store with `createDataSource`, and TypeORM's own CLI uses the default
 * export (`npm run typeorm -- migration:show`). Entities and migrations are given as classes,
 * never globs. Schema changes come only from migrations (never `synchronize`).
 */
export const ENTITIES = [...MODEL_ENTITIES, ApiClient];

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
      ...(statementTimeoutMs !== undefined && {
        statement_timeout: statementTimeoutMs,
        query_timeout: statementTimeoutMs + CLIENT_MARGIN_MS,
      }),
      ...(connectTimeoutMs !== undefined && { connectionTimeoutMillis: connectTimeoutMs }),
    },
    // the pool's own complaints (a connection dropped while idle) are not errors of a request
    poolErrorHandler: (error: unknown) => logger.warn({ err: error }, "database connection lost (the pool replaces it)"),
  });
}

/**
 * For TypeORM's CLI: the store named by DATABASE_URL (the embedded store is migrated by the
 * gateway itself on start). Constructing a data source connects to nothing, so importing
 * this file never fails; invalid settings are reported by whoever starts (startup-settings).
 */
function cliDataSource(): DataSource {
  let url: string | null = null;
  try {
    url = loadSettings().store.databaseUrl;
  } catch {
    // reported by the process's own start-up; TypeORM's CLI then fails to connect, naming no URL
  }
  return createDataSource({ url: url ?? "postgres://set-DATABASE_URL-for-the-typeorm-cli/invalid", poolSize: 2 });
}

export default cliDataSource();
