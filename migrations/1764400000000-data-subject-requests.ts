import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Customers' requests for disclosure, correction and deletion (agreement 1.5), their
 * history, the corrections with before/after values, and the outbox that notifies every
 * recipient of an erasure. The customer's personal columns become nullable so an erasure
 * can really remove the values (a live customer must still have them all).
 */
export class DataSubjectRequests1764400000000 implements MigrationInterface {
  name = "DataSubjectRequests1764400000000";

  async up(q: QueryRunner): Promise<void> {
    for (const column of ["full_name", "email", "phone", "postal_code", "prefecture", "street_address", "birth_date", "gender"]) {
      await q.query(`ALTER TABLE customer ALTER COLUMN ${column} DROP NOT NULL`);
    }
    await q.query(`
      ALTER TABLE customer ADD CONSTRAINT customer_values_until_erased CHECK (
        erased_at IS NOT NULL OR (full_name IS NOT NULL AND email IS NOT NULL AND phone IS NOT NULL AND postal_code IS NOT NULL
          AND prefecture IS NOT NULL AND street_address IS NOT NULL AND birth_date IS NOT NULL AND gender IS NOT NULL))`);

    await q.query(`
      CREATE TABLE data_subject_request (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        customer_id uuid NOT NULL REFERENCES customer(id),
        kind text NOT NULL CHECK (kind IN ('DISCLOSURE', 'CORRECTION', 'DELETION')),
        status text NOT NULL CHECK (status IN ('RECEIVED', 'IN_PROGRESS', 'COMPLETED', 'REFUSED')),
        refusal_reason text,
        received_at timestamptz NOT NULL DEFAULT now(),
        due_at timestamptz NOT NULL,
        completed_at timestamptz,
        CHECK ((status = 'REFUSED') = (refusal_reason IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX data_subject_request_customer_idx ON data_subject_request (customer_id)`);
    await q.query(
      `CREATE INDEX data_subject_request_open_idx ON data_subject_request (customer_id) WHERE status IN ('RECEIVED', 'IN_PROGRESS')`,
    );
    await q.query(`
      CREATE TABLE data_subject_request_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        request_id uuid NOT NULL REFERENCES data_subject_request(id),
        status text NOT NULL,
        note text,
        client_id uuid,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX data_subject_request_event_request_idx ON data_subject_request_event (request_id, id)`);
    await q.query(`
      CREATE TABLE data_subject_correction (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        request_id uuid NOT NULL REFERENCES data_subject_request(id),
        field text NOT NULL,
        requested_value text,
        before_value text,
        after_value text,
        applied_at timestamptz,
        erased_at timestamptz,
        UNIQUE (request_id, field)
      )`);

    await q.query(`ALTER TABLE recipient ADD COLUMN notification_url text`);
    await q.query(`
      CREATE TABLE erasure_notification (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_id uuid NOT NULL REFERENCES data_subject_request(id),
        customer_id uuid NOT NULL,
        recipient_id uuid NOT NULL REFERENCES recipient(id),
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED', 'MANUAL')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (request_id, recipient_id)
      )`);
    await q.query(`CREATE INDEX erasure_notification_due_idx ON erasure_notification (next_attempt_at) WHERE status = 'PENDING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE erasure_notification`);
    await q.query(`ALTER TABLE recipient DROP COLUMN notification_url`);
    await q.query(`DROP TABLE data_subject_correction`);
    await q.query(`DROP TABLE data_subject_request_event`);
    await q.query(`DROP TABLE data_subject_request`);
    await q.query(`ALTER TABLE customer DROP CONSTRAINT customer_values_until_erased`);
  }
}
