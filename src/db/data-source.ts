import { DataSource } from "typeorm";
import { ENTITIES } from "../kernel/model";
import { MIGRATIONS } from "../../migrations";

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
}

/** A TypeORM data source for the personal-data store. Schema changes come only from migrations. */
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

/** Connects and applies pending migrations (run on every start). */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const db = createDataSource(options);
  await db.initialize();
  await db.runMigrations({ transaction: "each" });
  return db;
}
