import { inject } from "vitest";
import { DataSource, type MigrationInterface } from "typeorm";

type Migration = new () => MigrationInterface;

/**
 * A database of a test's own beside the test database (CREATE DATABASE: PostgreSQL only, not
 * PGlite), migrated to a given point, for tests of a migration on a store that already holds
 * data: fill it, then `migrate` it further and check what the migration made of the data.
 */
export class ScratchDatabase {
  private constructor(
    private readonly admin: DataSource,
    private readonly name: string,
    private readonly url: string,
    public db: DataSource,
  ) {}

  /** Creates `<test database>_<suffix>` afresh and runs `migrations` on it. */
  static async create(suffix: string, migrations: Migration[]): Promise<ScratchDatabase> {
    const testUrl = new URL(inject("databaseUrl"));
    const name = `${testUrl.pathname.slice(1)}_${suffix}`;
    const url = Object.assign(new URL(testUrl.href), { pathname: `/${name}` }).href;
    const admin = await new DataSource({ type: "postgres", url: testUrl.href }).initialize();
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
    await admin.query(`CREATE DATABASE "${name}"`);
    return new ScratchDatabase(admin, name, url, await migrated(url, migrations));
  }

  /** Reconnects with `migrations` (a longer list) and runs the ones not run yet. */
  async migrate(migrations: Migration[]): Promise<DataSource> {
    await this.db.destroy();
    this.db = await migrated(this.url, migrations);
    return this.db;
  }

  async drop(): Promise<void> {
    await this.db.destroy();
    await this.admin.query(`DROP DATABASE IF EXISTS "${this.name}"`);
    await this.admin.destroy();
  }
}

async function migrated(url: string, migrations: Migration[]): Promise<DataSource> {
  const db = await new DataSource({ type: "postgres", url, migrations }).initialize();
  await db.runMigrations({ transaction: "each" });
  return db;
}
