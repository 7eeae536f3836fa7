import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Statistics (agreement 1.6 and 3.2), issue 9: one privacy budget for the whole company
 * instead of one per API client. Every ε released to anyone is one charge against the same
 * per-data-subject bound: the company's budget per period and its lifetime cap over a rolling
 * window, shared out among organisations (several clients share their organisation's
 * allocation). Answers are stored once per period for everyone (not per client), so asking
 * from another client or organisation returns the same numbers at no cost.
 *
 * Replaces the per-client tables of 1764100000000 (their budgets no longer mean anything).
 * Nothing here is personal data: noisy aggregates over at least k customers, and ε amounts.
 */
export class StatisticsCompanyBudget1764610000000 implements MigrationInterface {
  name = "StatisticsCompanyBudget1764610000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE statistics_release`);
    await q.query(`DROP TABLE statistics_budget`);
    // one row: the period zone every gateway must share, and the privacy officer's caps
    await q.query(`
      CREATE TABLE statistics_company_budget (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        time_zone text NOT NULL,
        period_budget_micro bigint NOT NULL DEFAULT 0 CHECK (period_budget_micro >= 0),
        lifetime_cap_micro bigint NOT NULL DEFAULT 0 CHECK (lifetime_cap_micro >= 0),
        window_periods integer NOT NULL DEFAULT 12 CHECK (window_periods BETWEEN 1 AND 120),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE statistics_organisation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
        kind text NOT NULL CHECK (kind IN ('recipient', 'internal')),
        allocation_micro bigint NOT NULL DEFAULT 0 CHECK (allocation_micro >= 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE statistics_organisation_client (
        client_id uuid PRIMARY KEY REFERENCES api_client(id),
        organisation_id uuid NOT NULL REFERENCES statistics_organisation(id),
        assigned_at timestamptz NOT NULL DEFAULT now()
      )`);
    // one row per charge: an organisation's interactive answer, or a published release
    await q.query(`
      CREATE TABLE statistics_spending (
        id bigserial PRIMARY KEY,
        period text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
        organisation_id uuid REFERENCES statistics_organisation(id),
        release_id text UNIQUE,
        epsilon_micro bigint NOT NULL CHECK (epsilon_micro > 0),
        spent_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((organisation_id IS NULL) <> (release_id IS NULL))
      )`);
    await q.query(`CREATE INDEX statistics_spending_period ON statistics_spending (period, organisation_id)`);
    // interactive answers, one per canonical question and period for everyone; result is
    // null while the first asker computes it (the others wait for it)
    await q.query(`
      CREATE TABLE statistics_answer (
        period text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
        query_hash text NOT NULL,
        canonical jsonb NOT NULL,
        result jsonb,
        epsilon_micro bigint NOT NULL CHECK (epsilon_micro >= 0),
        organisation_id uuid NOT NULL REFERENCES statistics_organisation(id),
        client_id uuid NOT NULL REFERENCES api_client(id),
        asked_at timestamptz NOT NULL DEFAULT now(),
        released_at timestamptz,
        PRIMARY KEY (period, query_hash)
      )`);
    await q.query(`CREATE INDEX statistics_answer_released ON statistics_answer (released_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      "statistics_answer",
      "statistics_spending",
      "statistics_organisation_client",
      "statistics_organisation",
      "statistics_company_budget",
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
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
}
