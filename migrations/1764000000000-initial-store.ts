import { MigrationInterface, QueryRunner } from "typeorm";

/** The personal-data store and the API clients (issue: purpose-bound gateway). */
export class InitialStore1764000000000 implements MigrationInterface {
  name = "InitialStore1764000000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        full_name text NOT NULL,
        email text NOT NULL,
        phone text NOT NULL,
        postal_code text NOT NULL,
        prefecture text NOT NULL,
        street_address text NOT NULL,
        birth_date date NOT NULL,
        gender text NOT NULL CHECK (gender IN ('FEMALE','MALE','OTHER','UNDISCLOSED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        erased_at timestamptz
      )`);
    await q.query(`CREATE INDEX customer_created_at_idx ON customer (created_at)`);
    await q.query(`
      CREATE TABLE service_usage (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customer(id),
        service text NOT NULL,
        amount integer NOT NULL CHECK (amount >= 0),
        occurred_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX service_usage_customer_idx ON service_usage (customer_id, occurred_at)`);
    await q.query(`
      CREATE TABLE gift_campaign (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        prize text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE campaign_entry (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign_id uuid NOT NULL REFERENCES gift_campaign(id),
        customer_id uuid NOT NULL REFERENCES customer(id),
        entered_at timestamptz NOT NULL,
        won boolean NOT NULL DEFAULT false,
        shipped_at timestamptz,
        UNIQUE (campaign_id, customer_id)
      )`);
    await q.query(`CREATE INDEX campaign_entry_customer_idx ON campaign_entry (customer_id)`);
    await q.query(`
      CREATE TABLE notification_subscription (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customer(id),
        channel text NOT NULL CHECK (channel IN ('EMAIL_MAGAZINE','SERVICE_NEWS')),
        opted_in boolean NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (customer_id, channel)
      )`);
    await q.query(`
      CREATE TABLE api_client (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        key_hash text NOT NULL UNIQUE,
        key_prefix text NOT NULL,
        purposes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ["api_client", "notification_subscription", "campaign_entry", "gift_campaign", "service_usage", "customer"]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
