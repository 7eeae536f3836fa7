import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Consent records (agreement 1.7 and 3.1): what a customer individually agreed to, under
 * which policy version, and whether it has been withdrawn. Read by the data layer's row
 * rules in SQL, so a withdrawal takes effect on the very next query.
 */
export class Consent1764050000000 implements MigrationInterface {
  name = "Consent1764050000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consent (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customer(id),
        kind text NOT NULL CHECK (kind IN ('INDIVIDUAL_AGREEMENT', 'THIRD_PARTY_DISCLOSURE')),
        agreement_key text,
        recipient_id uuid,
        policy_version text NOT NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        withdrawn_at timestamptz,
        CHECK ((kind = 'INDIVIDUAL_AGREEMENT') = (agreement_key IS NOT NULL)),
        CHECK ((kind = 'THIRD_PARTY_DISCLOSURE') = (recipient_id IS NOT NULL)),
        CHECK (withdrawn_at IS NULL OR withdrawn_at >= granted_at)
      )`);
    await q.query(`CREATE INDEX consent_customer_idx ON consent (customer_id)`);
    await q.query(`CREATE INDEX consent_active_agreement_idx ON consent (agreement_key, customer_id) WHERE withdrawn_at IS NULL`);
    await q.query(`CREATE INDEX consent_active_recipient_idx ON consent (recipient_id, customer_id) WHERE withdrawn_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE consent`);
  }
}
