import "reflect-metadata";
import { DataSource } from "typeorm";
import { MIGRATIONS } from "./migrations";
import { ApiClient } from "./src/clients/api-client-entity";
import { loadSettings } from "./src/config/settings";
import { MODEL_ENTITIES } from "./src/kernel/model";

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
}

export function createDataSource({ url, poolSize = 10 }: DatabaseOptions): DataSource {
  return new DataSource({
    type: "postgres",
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: poolSize },
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
