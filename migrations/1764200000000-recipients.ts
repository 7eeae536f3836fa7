import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The recipients registry (agreement Sections 3 and 4): third parties with the grounds they
 * may receive data on, processors with the purposes they process for, each with its
 * contract or agreement reference and the field coordinates it may receive. An API client
 * may act for one recipient, and may hold compliance roles (PRIVACY_OFFICER).
 */
export class Recipients1764200000000 implements MigrationInterface {
  name = "Recipients1764200000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE recipient (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        kind text NOT NULL CHECK (kind IN ('THIRD_PARTY', 'PROCESSOR')),
        contract_ref text NOT NULL CHECK (length(btrim(contract_ref)) > 0),
        grounds text[] NOT NULL DEFAULT '{}',
        purposes text[] NOT NULL DEFAULT '{}',
        fields text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- third parties receive on grounds (Section 3), processors work for purposes (Section 4)
        CHECK (kind = 'THIRD_PARTY' OR cardinality(grounds) = 0),
        CHECK (kind = 'PROCESSOR' OR cardinality(purposes) = 0)
      )`);
    await q.query(`ALTER TABLE api_client ADD COLUMN recipient_id uuid REFERENCES recipient(id)`);
    await q.query(`ALTER TABLE api_client ADD COLUMN roles text[] NOT NULL DEFAULT '{}'`);
    await q.query(`CREATE INDEX api_client_recipient_idx ON api_client (recipient_id) WHERE recipient_id IS NOT NULL`);
    // A narrowed contract must reach gateways that cache authenticated callers at once.
    await q.query(`
      CREATE FUNCTION pgw_recipient_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('pgw_api_client_changed', 'recipient');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER recipient_changed AFTER UPDATE OR DELETE ON recipient
      FOR EACH ROW EXECUTE FUNCTION pgw_recipient_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER recipient_changed ON recipient`);
    await q.query(`DROP FUNCTION pgw_recipient_changed()`);
    await q.query(`ALTER TABLE api_client DROP COLUMN roles`);
    await q.query(`ALTER TABLE api_client DROP COLUMN recipient_id`);
    await q.query(`DROP TABLE recipient`);
  }
}
