import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Versioned agreement (Section 5) and the registry of individual agreements (1.7).
 *
 * - `policy_version`: each published version of the Personal Information Handling
 *   Agreement: its full text and SHA-256, its purposes (Section 1) and disclosure grounds
 *   (Section 3) as published, a change summary, and a snapshot of the schema's field policy
 *   (coordinate → purposes) as of that version. Append-only: consents name the version
 *   they were given under, so a version must never change or disappear afterwards.
 * - `individual_agreement`: the agreements the company separately asks customers for
 *   (e.g. `survey-2026`); `@purpose(name: INDIVIDUAL_AGREEMENT, agreement: …)` must name one.
 * - `consent`: at most one active consent per customer and target, and agreement consents
 *   only to registered agreements. Recipients are another registry's (only their uuid here).
 */
export class PolicyVersions1764300000000 implements MigrationInterface {
  name = "PolicyVersions1764300000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE policy_version (
        version text PRIMARY KEY CHECK (version ~ '^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$'),
        effective_at timestamptz NOT NULL UNIQUE,
        published_at timestamptz NOT NULL DEFAULT now(),
        text text NOT NULL CHECK (length(text) > 0),
        text_sha256 text NOT NULL CHECK (text_sha256 ~ '^[0-9a-f]{64}$'),
        purposes jsonb NOT NULL CHECK (jsonb_typeof(purposes) = 'array'),
        grounds jsonb NOT NULL CHECK (jsonb_typeof(grounds) = 'array'),
        change_summary text NOT NULL,
        field_policy jsonb NOT NULL CHECK (jsonb_typeof(field_policy) = 'object')
      )`);
    // History is evidence: what a customer was shown must stay what it was.
    await q.query(`
      CREATE FUNCTION policy_version_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'policy versions are append-only (% of version %)', TG_OP, OLD.version;
      END $$`);
    await q.query(`
      CREATE TRIGGER policy_version_append_only BEFORE UPDATE OR DELETE ON policy_version
      FOR EACH ROW EXECUTE FUNCTION policy_version_append_only()`);

    await q.query(`
      CREATE TABLE individual_agreement (
        key text PRIMARY KEY CHECK (key ~ '^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$'),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        description text NOT NULL,
        introduced_in text NOT NULL REFERENCES policy_version(version),
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      )`);

    await q.query(
      `ALTER TABLE consent ADD CONSTRAINT consent_agreement_fk FOREIGN KEY (agreement_key) REFERENCES individual_agreement(key)`,
    );
    await q.query(`
      CREATE UNIQUE INDEX consent_one_active_agreement ON consent (customer_id, agreement_key)
      WHERE withdrawn_at IS NULL AND kind = 'INDIVIDUAL_AGREEMENT'`);
    await q.query(`
      CREATE UNIQUE INDEX consent_one_active_recipient ON consent (customer_id, recipient_id)
      WHERE withdrawn_at IS NULL AND kind = 'THIRD_PARTY_DISCLOSURE'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX consent_one_active_recipient`);
    await q.query(`DROP INDEX consent_one_active_agreement`);
    await q.query(`ALTER TABLE consent DROP CONSTRAINT consent_agreement_fk`);
    await q.query(`DROP TABLE individual_agreement`);
    await q.query(`DROP TABLE policy_version`);
    await q.query(`DROP FUNCTION policy_version_append_only()`);
  }
}
