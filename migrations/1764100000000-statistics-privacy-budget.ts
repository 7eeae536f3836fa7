import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Statistics (agreement 1.6 and 3.2): each client's privacy budget per period, and the
 * answers released to it, so that asking the same query again returns the same noisy answer
 * instead of a fresh one (averaging repeats must not converge on the truth). Released
 * answers are noisy aggregates over at least k customers: no personal data is stored here.
 */
export class StatisticsPrivacyBudget1764100000000 implements MigrationInterface {
  name = "StatisticsPrivacyBudget1764100000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE statistics_budget (
        client_id uuid NOT NULL REFERENCES api_client(id),
        period text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
        spent_micro bigint NOT NULL CHECK (spent_micro >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, period)
      )`);
    await q.query(`
      CREATE TABLE statistics_release (
        client_id uuid NOT NULL REFERENCES api_client(id),
        period text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
        query_hash text NOT NULL,
        canonical jsonb NOT NULL,
        result jsonb NOT NULL,
        epsilon_micro bigint NOT NULL CHECK (epsilon_micro >= 0),
        released_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, period, query_hash)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE statistics_release`);
    await q.query(`DROP TABLE statistics_budget`);
  }
}
