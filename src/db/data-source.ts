import type { DataSource } from "typeorm";
import { createDataSource, type DatabaseOptions } from "../../ormconfig";

export { createDataSource, type DatabaseOptions } from "../../ormconfig";

/** Connects and applies pending migrations (run on every start). */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const db = createDataSource(options);
  await db.initialize();
  await db.runMigrations({ transaction: "each" });
  return db;
}
