import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * `pgw_audit_append_durable`: a batch's append and its flush in one round trip (issue 12:
 * audited ≥ 0.9× unaudited). The writer used to send two statements per batch, the append
 * (committed without waiting for the disk, so the chain head's lock is never held through an
 * fsync) and then a synchronous commit of its own that flushed the WAL past the batch's commit.
 * Each round trip costs the gateway a socket write and a wake-up of a PostgreSQL backend, which
 * under load cost more CPU than the statement itself.
 *
 * This procedure does both in one CALL, in the same order: the append (`pgw_audit_append_items`,
 * its transaction asynchronous), COMMIT (the lock is released here, before any fsync), then an
 * empty transactional logical message in a second transaction, which CALL commits with the
 * session's synchronous_commit: PostgreSQL flushes the WAL up to that commit record, past the
 * batch's, before CALL returns. So CALL returns only once the batch is durable; if it fails after
 * the COMMIT, the batch is in the chain and its responses are withheld all the same (the trail
 * then shows more than was served, never less). Transaction control inside a procedure needs
 * CALL outside a transaction block: the writer sends it on its own, from the pool.
 */
export class AuditAppendDurable1764690000000 implements MigrationInterface {
  name = "AuditAppendDurable1764690000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(APPEND_DURABLE_PROCEDURE);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP PROCEDURE pgw_audit_append_durable(timestamptz[], integer[], bytea[], text[], text[], jsonb, integer, bigint[], text[], text[])`,
    );
  }
}

const APPEND_DURABLE_PROCEDURE = `
CREATE PROCEDURE pgw_audit_append_durable(occurred timestamptz[], shape_ids integer[], digests bytea[], request_ids text[],
  customers text[], ledger jsonb, retention_days integer,
  INOUT seqs bigint[] DEFAULT NULL, INOUT prev_hashes text[] DEFAULT NULL, INOUT hashes text[] DEFAULT NULL)
LANGUAGE plpgsql AS $$
BEGIN
  SELECT array_agg(a.o_seq ORDER BY a.o_ord), array_agg(a.o_prev_hash ORDER BY a.o_ord), array_agg(a.o_hash ORDER BY a.o_ord)
  INTO seqs, prev_hashes, hashes
  FROM pgw_audit_append_items(occurred, shape_ids, digests, request_ids, customers, ledger, retention_days) AS a;
  -- asynchronous (set by the append for its transaction): the chain head's lock goes now
  COMMIT;
  -- a transaction that writes WAL, committed synchronously as CALL ends: the batch is on disk
  PERFORM pg_logical_emit_message(true, 'pgw-audit-flush', '');
END $$`;
