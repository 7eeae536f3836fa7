import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The audit trail and the disclosure ledger (agreement Sections 2–4, APPI Art. 29).
 * `audit_event` is a hash chain (`hash = sha256(prev_hash || canonical JSON)`) and append-
 * only: a trigger rejects UPDATE and DELETE. `disclosure_record` rows are derived from their
 * event in the same transaction; they cannot be changed, and deleted only once past
 * `retain_until` (the ledger purge). Neither table holds personal values: ids, field
 * coordinates, codes and hashes only, so an erasure never has to touch them.
 */
export class AuditTrail1764210000000 implements MigrationInterface {
  name = "AuditTrail1764210000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_event (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        occurred_at timestamptz NOT NULL,
        request_id text NOT NULL,
        client_id uuid,
        client_name text,
        recipient_id uuid,
        purpose text,
        agreement text,
        disclosure_ground text,
        disclosure_reference text,
        operation_name text,
        operation_type text,
        document_hash text,
        fields text[] NOT NULL,
        customer_ids uuid[] NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('ACCEPTED', 'REFUSED')),
        error_codes text[] NOT NULL,
        http_status integer NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL UNIQUE
      )`);
    await q.query(`CREATE INDEX audit_event_time_idx ON audit_event (occurred_at)`);
    await q.query(`CREATE INDEX audit_event_client_idx ON audit_event (client_id, seq)`);
    await q.query(`CREATE INDEX audit_event_purpose_idx ON audit_event (purpose, seq)`);
    await q.query(`CREATE INDEX audit_event_customers_idx ON audit_event USING gin (customer_ids)`);
    await q.query(`
      CREATE FUNCTION pgw_audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION pgw_audit_event_append_only()`);

    await q.query(`
      CREATE TABLE disclosure_record (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_seq bigint NOT NULL REFERENCES audit_event(seq),
        recipient_id uuid NOT NULL REFERENCES recipient(id),
        recipient_kind text NOT NULL CHECK (recipient_kind IN ('THIRD_PARTY', 'PROCESSOR')),
        customer_id uuid NOT NULL,
        data_items text[] NOT NULL,
        ground text,
        purpose text,
        reference text,
        disclosed_at timestamptz NOT NULL,
        retain_until timestamptz NOT NULL,
        CHECK (recipient_kind = 'PROCESSOR' OR ground IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX disclosure_record_customer_idx ON disclosure_record (customer_id, disclosed_at)`);
    await q.query(`CREATE INDEX disclosure_record_recipient_idx ON disclosure_record (recipient_id, disclosed_at)`);
    await q.query(`CREATE INDEX disclosure_record_event_idx ON disclosure_record (event_seq)`);
    await q.query(`CREATE INDEX disclosure_record_retention_idx ON disclosure_record (retain_until)`);
    await q.query(`
      CREATE FUNCTION pgw_disclosure_record_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND OLD.retain_until < now() THEN
          RETURN OLD; -- past its retention period: the ledger purge may remove it
        END IF;
        RAISE EXCEPTION 'disclosure_record: % refused (records are kept until retain_until)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER disclosure_record_guard BEFORE UPDATE OR DELETE ON disclosure_record
      FOR EACH ROW EXECUTE FUNCTION pgw_disclosure_record_guard()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE disclosure_record`);
    await q.query(`DROP FUNCTION pgw_disclosure_record_guard()`);
    await q.query(`DROP TABLE audit_event`);
    await q.query(`DROP FUNCTION pgw_audit_event_append_only()`);
  }
}
