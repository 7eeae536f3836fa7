import { MigrationInterface, QueryRunner } from "typeorm";
import { HEAD_UNDER_LOCK, LEDGER_ROWS_OF_BATCH } from "./1764630000000-compact-audit-chain";

/**
 * A cheaper append for the audit trail (issue 12: audited ≥ 0.9× unaudited). Same tables,
 * same links, same digests: only the work per batch changes.
 *
 * `pgw_audit_append` (1764630000000) parses a JSON batch, computes every event's shape digest
 * from its columns' text and tries to insert each shape again, on every batch: about 0.4 ms
 * of PostgreSQL per batch and 45–70 µs per event. Shapes repeat (a client's operation and
 * outcome), so the writer now names them once:
 *
 * - `pgw_audit_shapes(shapes)`: stores the shapes not yet stored and returns each one's id
 *   and digest, exactly the digest `pgw_audit_append` computes (the same expression, kept
 *   here). It commits synchronously: an id the writer remembers is on disk, so a crash cannot
 *   hand the same id to another shape. The writer calls it only for a shape it has not seen.
 * - `pgw_audit_append_items(...)`: appends a batch given as arrays (time, shape id and digest,
 *   request id, customers) plus its ledger rows. The digest linked is the stored shape's; the
 *   caller's must equal it, or the whole batch is refused (a writer remembering a shape the
 *   store no longer has, after a restore say, fails closed and forgets what it remembered).
 *   Same lock, same running aggregate and the same ledger insert as `pgw_audit_append`.
 *
 * `pgw_audit_append` stays (the former migration and its test use it); both write the same chain.
 */
export class LeanAuditAppend1764640000000 implements MigrationInterface {
  name = "LeanAuditAppend1764640000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(SHAPES_FUNCTION);
    await q.query(APPEND_ITEMS_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION pgw_audit_append_items(timestamptz[], integer[], bytea[], text[], text[], jsonb, integer)`);
    await q.query(`DROP FUNCTION pgw_audit_shapes(jsonb)`);
  }
}

/**
 * `shapes`: a JSON array of shape columns plus `ord` (1-based). Returns each shape's position,
 * id and digest (the canonical text's SHA-256, as in `pgw_audit_append`). A shape stored by
 * another appender after this statement began has no id yet (null): the writer asks again.
 */
const SHAPES_FUNCTION = `
CREATE FUNCTION pgw_audit_shapes(shapes jsonb)
RETURNS TABLE (o_ord integer, o_id integer, o_digest bytea)
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY
  WITH x AS (
    SELECT e.*,
      sha256(convert_to(ROW(e.client_id, e.client_name, e.recipient_id, e.purpose, e.agreement, e.disclosure_ground,
        e.disclosure_reference, e.operation_name, e.operation_type, encode(decode(e.document_hash, 'hex'), 'hex'), e.fields,
        e.outcome, e.error_codes, e.http_status)::text, 'UTF8')) AS digest
    FROM jsonb_to_recordset(shapes) AS e(client_id uuid, recipient_id uuid, http_status integer, client_name text,
      purpose text, agreement text, disclosure_ground text, disclosure_reference text, operation_name text, operation_type text,
      document_hash text, fields text[], outcome text, error_codes text[], ord integer)
  ), added AS (
    INSERT INTO audit_shape (digest, client_id, recipient_id, http_status, client_name, purpose, agreement, disclosure_ground,
      disclosure_reference, operation_name, operation_type, document_hash, fields, outcome, error_codes)
    SELECT DISTINCT ON (x.digest) x.digest, x.client_id, x.recipient_id, x.http_status, x.client_name, x.purpose, x.agreement,
      x.disclosure_ground, x.disclosure_reference, x.operation_name, x.operation_type, decode(x.document_hash, 'hex'), x.fields,
      x.outcome, x.error_codes
    FROM x
    ON CONFLICT (digest) DO NOTHING
    RETURNING id, digest
  )
  SELECT x.ord, coalesce(added.id, s.id), x.digest FROM x LEFT JOIN added ON added.digest = x.digest LEFT JOIN audit_shape s ON s.digest = x.digest;
END $$`;

/**
 * A batch as arrays, one element per event in order: `occurred`, `shape_ids` and `digests`
 * (from pgw_audit_shapes), `request_ids`, `customers` (each a uuid[] literal, sorted);
 * `ledger` as in pgw_audit_append. Returns each event's position, sequence number and hashes
 * (hex). A shape id that is not stored with that digest refuses the whole batch.
 */
export const APPEND_ITEMS_FUNCTION = `
CREATE FUNCTION pgw_audit_append_items(occurred timestamptz[], shape_ids integer[], digests bytea[], request_ids text[],
  customers text[], ledger jsonb, retention_days integer)
RETURNS TABLE (o_ord integer, o_seq bigint, o_prev_hash text, o_hash text)
LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash bytea;
  items pgw_audit_item[];
BEGIN
  -- as pgw_audit_append: the lock below is never held through an fsync (the writer waits for
  -- durability afterwards, before it releases any response)
  PERFORM set_config('synchronous_commit', 'off', true);

  SELECT array_agg(ROW(u.n, u.occurred_at, u.shape_id, s.digest, u.request_id, u.customers::uuid[])::pgw_audit_item ORDER BY u.n)
  INTO items
  FROM unnest(occurred, shape_ids, digests, request_ids, customers) WITH ORDINALITY
    AS u(occurred_at, shape_id, digest, request_id, customers, n)
  LEFT JOIN audit_shape s ON s.id = u.shape_id AND s.digest = u.digest;
  IF items IS NULL THEN
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM unnest(items) i WHERE i.digest IS NULL) THEN
    RAISE EXCEPTION 'audit append: an event names a shape that is not stored with its digest';
  END IF;

  ${HEAD_UNDER_LOCK}

  RETURN QUERY
  WITH linked AS (
    SELECT i.n, head_seq + i.n AS seq, i.occurred_at, i.shape_id, i.request_id, i.customer_ids,
      pgw_audit_chain(head_hash, i.digest || int8send(head_seq + i.n) || timestamptz_send(i.occurred_at)
        || int4send(length(convert_to(i.request_id, 'UTF8'))) || convert_to(i.request_id, 'UTF8') || array_send(i.customer_ids))
        OVER (ORDER BY i.n ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS link
    FROM unnest(items) i
  ), inserted AS (
    INSERT INTO audit_chain (seq, occurred_at, shape_id, request_id, customer_ids, prev_hash, hash)
    SELECT l.seq, l.occurred_at, l.shape_id, l.request_id, l.customer_ids, coalesce(lag(l.link) OVER (ORDER BY l.n), head_hash), l.link
    FROM linked l
    RETURNING seq, prev_hash, hash
  )
  SELECT (i.seq - head_seq)::integer, i.seq, encode(i.prev_hash, 'hex'), encode(i.hash, 'hex') FROM inserted i ORDER BY i.seq;

  IF jsonb_array_length(ledger) > 0 THEN
    ${LEDGER_ROWS_OF_BATCH};
  END IF;
END $$`;
