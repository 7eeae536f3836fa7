import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Released tables (statistics issue, item 3): the privacy officer's release plans (immutable
 * versions), the releases published from them and their cells. A cell is a noisy,
 * post-processed aggregate: no customer id and no exact count is ever stored here.
 */
export class StatisticsReleasedTables1764620000000 implements MigrationInterface {
  name = "StatisticsReleasedTables1764620000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE statistics_release_plan (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
        version integer NOT NULL CHECK (version >= 1),
        definition jsonb NOT NULL,
        epsilon_micro bigint NOT NULL CHECK (epsilon_micro > 0),
        defined_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (name, version)
      )`);
    // a plan version is what releases were measured by: it never changes
    await q.query(`
      CREATE FUNCTION statistics_release_plan_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'release plan % version % is immutable: define a new version', OLD.name, OLD.version;
      END $$`);
    await q.query(`
      CREATE TRIGGER statistics_release_plan_immutable BEFORE UPDATE ON statistics_release_plan
      FOR EACH ROW EXECUTE FUNCTION statistics_release_plan_immutable()`);
    await q.query(`
      CREATE TABLE statistics_published_release (
        id uuid PRIMARY KEY,
        plan_id uuid NOT NULL REFERENCES statistics_release_plan(id) ON DELETE RESTRICT,
        period text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
        epsilon_micro bigint NOT NULL CHECK (epsilon_micro > 0),
        method jsonb NOT NULL,
        cells integer NOT NULL CHECK (cells >= 0),
        measure_ms integer NOT NULL CHECK (measure_ms >= 0),
        published_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX statistics_published_release_period ON statistics_published_release (period, published_at DESC)`);
    await q.query(`
      CREATE TABLE statistics_published_cell (
        release_id uuid NOT NULL REFERENCES statistics_published_release(id) ON DELETE CASCADE,
        grouping smallint NOT NULL,
        ordinal integer NOT NULL,
        age_band text,
        gender text,
        prefecture text,
        region text,
        service text,
        usage_month text,
        customers bigint NOT NULL CHECK (customers >= 0),
        usage_count bigint CHECK (usage_count >= 0),
        amount_sum bigint CHECK (amount_sum >= 0),
        PRIMARY KEY (release_id, grouping, ordinal)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE statistics_published_cell`);
    await q.query(`DROP TABLE statistics_published_release`);
    await q.query(`DROP TABLE statistics_release_plan`);
    await q.query(`DROP FUNCTION statistics_release_plan_immutable()`);
  }
}
