import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A compact audit trail that several gateways append to without conflicts (issues 11, 12).
 *
 * - `audit_shape`: what repeats between events (client, purpose, ground, operation, fields,
 *   outcome, codes, status), stored once and named by `digest`, the SHA-256 of its canonical
 *   text. An event is then its sequence number, time, request id, customers, shape and two
 *   32-byte hashes (bytea): about a third of the former row with its indexes.
 * - `audit_chain`: the events. `hash = sha256(prev_hash || shape digest || canonical bytes)`,
 *   the canonical bytes being the event's columns in PostgreSQL's binary wire form: seq
 *   (int8), occurred_at (int8 microseconds), the request id length-prefixed, customer_ids
 *   (array_send). Fixed widths and a length prefix make it injective; binary forms depend on
 *   no session setting, and are cheap to recompute (verification at 200,000+ events/s).
 * - `pgw_audit_append(events, ledger, retention_days)`: appends a batch in ONE statement. It
 *   takes a transaction-scoped advisory lock, so the batches of every gateway process
 *   serialise on the chain head inside PostgreSQL (no sequence conflict, no retry), and
 *   computes the links there, set-based (a running aggregate, `pgw_audit_chain`); the ledger
 *   rows of the batch go in the same statement. It commits without waiting for the disk (the
 *   lock is never held through an fsync); the writer waits for durability before it answers.
 * - `audit_checkpoint`: heads recorded by `audit checkpoint` (signed when a key is set), from
 *   which `audit verify --from-checkpoint` starts.
 * - `audit_event` becomes a view with the former columns (hashes as hex text), so the
 *   officer's search, the customer's export and every reader keep one shape.
 *
 * Existing events are moved and re-chained under the new form (their text hashes cannot be
 * recomputed as bytea links); the former head is recorded in the migration's checkpoint note
 * so a head published before the upgrade can still be compared.
 */
export class CompactAuditChain1764630000000 implements MigrationInterface {
  name = "CompactAuditChain1764630000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_shape (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        digest bytea NOT NULL UNIQUE CHECK (length(digest) = 32),
        client_id uuid,
        recipient_id uuid,
        http_status integer NOT NULL,
        client_name text,
        purpose text,
        agreement text,
        disclosure_ground text,
        disclosure_reference text,
        operation_name text,
        operation_type text,
        document_hash bytea CHECK (length(document_hash) = 32),
        fields text[] NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('ACCEPTED', 'REFUSED')),
        error_codes text[] NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_shape_client_idx ON audit_shape (client_id)`);
    await q.query(`CREATE INDEX audit_shape_purpose_idx ON audit_shape (purpose)`);

    await q.query(`
      CREATE TABLE audit_chain (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        occurred_at timestamptz NOT NULL,
        shape_id integer NOT NULL, -- no foreign key (a lookup per appended event): verification names an event whose shape is missing
        request_id text NOT NULL,
        customer_ids uuid[] NOT NULL,
        prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
        hash bytea NOT NULL CHECK (length(hash) = 32)
      )`);
    // the officer's filters: by customer (GIN), by shape (client, purpose, outcome), by time (BRIN: time follows seq)
    await q.query(`CREATE INDEX audit_chain_customers_idx ON audit_chain USING gin (customer_ids)`);
    await q.query(`CREATE INDEX audit_chain_shape_idx ON audit_chain (shape_id, seq)`);
    await q.query(`CREATE INDEX audit_chain_time_idx ON audit_chain USING brin (occurred_at)`);

    await q.query(`
      CREATE TABLE audit_checkpoint (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        seq bigint NOT NULL,
        hash bytea NOT NULL CHECK (length(hash) = 32),
        created_at timestamptz NOT NULL DEFAULT now(),
        signature bytea,
        note text
      )`);

    for (const table of ["audit_shape", "audit_chain", "audit_checkpoint"]) {
      await q.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION pgw_audit_event_append_only()`);
    }

    for (const statement of CHAIN_AGGREGATE) await q.query(statement);
    await q.query(ITEM_TYPE);
    await q.query(APPEND_FUNCTION);
    await this.moveEvents(q);

    await q.query(`
      CREATE VIEW audit_event AS
      SELECT c.seq, c.occurred_at, c.request_id, s.client_id, s.client_name, s.recipient_id, s.purpose, s.agreement,
        s.disclosure_ground, s.disclosure_reference, s.operation_name, s.operation_type, encode(s.document_hash, 'hex') AS document_hash,
        s.fields, c.customer_ids, s.outcome, s.error_codes, s.http_status, encode(c.prev_hash, 'hex') AS prev_hash, encode(c.hash, 'hex') AS hash
      FROM audit_chain c JOIN audit_shape s ON s.id = c.shape_id`);
    // the view is not a way round the append-only rule
    await q.query(`
      CREATE TRIGGER audit_event_append_only INSTEAD OF INSERT OR UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION pgw_audit_event_append_only()`);
  }

  /** Re-chains the former events, in order, through the append function, then drops their table. */
  private async moveEvents(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE disclosure_record DROP CONSTRAINT disclosure_record_event_seq_fkey`);
    await q.query(`ALTER TABLE audit_event RENAME TO audit_event_former`);
    const [{ n, head }] = await q.query(
      `SELECT count(*)::int AS n, (SELECT seq::text || ' ' || hash FROM audit_event_former ORDER BY seq DESC LIMIT 1) AS head FROM audit_event_former`,
    );
    for (let from = 0; from < n; from += 5000) {
      await q.query(
        `SELECT count(*) FROM pgw_audit_append((
           SELECT jsonb_agg(to_jsonb(e) - 'seq' - 'prev_hash' - 'hash' || jsonb_build_object('ord', e.seq - $1) ORDER BY e.seq) FROM (
             SELECT * FROM audit_event_former WHERE seq > $1 ORDER BY seq LIMIT 5000) e), '[]'::jsonb, 0)`,
        [from],
      );
    }
    await q.query(`SET LOCAL synchronous_commit = on`); // the append function turned it off: the migration commits durably
    const [{ same }] = await q.query(
      `SELECT count(*) = $1 AND coalesce(max(seq), 0) = (SELECT coalesce(max(seq), 0) FROM audit_event_former) AS same FROM audit_chain`,
      [n],
    );
    if (!same) throw new Error("audit events were not all moved in sequence: the former trail has gaps; verify it before upgrading");
    if (n > 0) {
      await q.query(`INSERT INTO audit_checkpoint (seq, hash, note) SELECT seq, hash, $1 FROM audit_chain ORDER BY seq DESC LIMIT 1`, [
        `migration: ${n} events re-chained with bytea links; the former chain's head was ${head}`,
      ]);
    }
    await q.query(`DROP TABLE audit_event_former`);
    await q.query(
      `ALTER TABLE disclosure_record ADD CONSTRAINT disclosure_record_event_seq_fkey FOREIGN KEY (event_seq) REFERENCES audit_chain(seq)`,
    );
  }

  async down(): Promise<void> {
    throw new Error("the compact audit chain cannot be undone: its links are not the former text hashes");
  }
}

/**
 * One statement per batch. `events` is a JSON array of the shape columns plus occurred_at,
 * request_id, customer_ids and ord, its 1-based position in the batch (document_hash in hex); `ledger` names, by 1-based position in
 * the batch, the events that disclosed to a recipient. Returns each event's position,
 * sequence number and hashes (hex).
 */
/**
 * The chain head (`head_seq`, `head_hash`; zeros for an empty chain) read under the appenders'
 * advisory lock, held until the batch's transaction ends: the head cannot move under it. The
 * later append functions (1764640000000, 1764680000000) take it the same way.
 */
export const HEAD_UNDER_LOCK = `PERFORM pg_advisory_xact_lock(7410327001);
  SELECT c.seq, c.hash INTO head_seq, head_hash FROM audit_chain c ORDER BY c.seq DESC LIMIT 1;
  IF head_seq IS NULL THEN
    head_seq := 0;
    head_hash := decode(repeat('00', 32), 'hex');
  END IF;`;

/**
 * The disclosure ledger's rows of a batch: one per released customer of each event the
 * `ledger` JSON names by its place in the batch (`ord`), after the events are in the chain
 * from `head_seq` + 1. The later append functions (1764640000000, 1764680000000) write the same.
 */
export const LEDGER_ROWS_OF_BATCH = `INSERT INTO disclosure_record (event_seq, recipient_id, recipient_kind, customer_id, data_items, ground, purpose, reference, disclosed_at, retain_until)
  SELECT c.seq, s.recipient_id, l.recipient_kind, u.id, l.data_items, s.disclosure_ground, s.purpose, s.disclosure_reference,
         c.occurred_at, c.occurred_at + make_interval(days => retention_days)
  FROM jsonb_to_recordset(ledger) AS l(ord integer, recipient_kind text, data_items text[])
  JOIN audit_chain c ON c.seq = head_seq + l.ord
  JOIN audit_shape s ON s.id = c.shape_id
  CROSS JOIN LATERAL unnest(c.customer_ids) AS u(id)`;

const APPEND_FUNCTION = `
CREATE FUNCTION pgw_audit_append(events jsonb, ledger jsonb, retention_days integer)
RETURNS TABLE (o_ord integer, o_seq bigint, o_prev_hash text, o_hash text)
LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash bytea;
  items pgw_audit_item[];
BEGIN
  -- commit without waiting for the WAL flush, so the lock below is not held through an fsync;
  -- the writer waits for durability afterwards (a synchronous commit of its own) before it
  -- releases any response. WAL is replayed as a prefix: a crash loses the newest batches whole.
  PERFORM set_config('synchronous_commit', 'off', true);

  -- before the lock: parse the batch, name its shapes, store the new ones
  WITH x AS (
    SELECT e.*, row_number() OVER (ORDER BY e.ord) AS n,
      sha256(convert_to(ROW(e.client_id, e.client_name, e.recipient_id, e.purpose, e.agreement, e.disclosure_ground,
        e.disclosure_reference, e.operation_name, e.operation_type, encode(decode(e.document_hash, 'hex'), 'hex'), e.fields,
        e.outcome, e.error_codes, e.http_status)::text, 'UTF8')) AS digest
    FROM jsonb_to_recordset(events) AS e(client_id uuid, recipient_id uuid, http_status integer, client_name text,
      purpose text, agreement text, disclosure_ground text, disclosure_reference text, operation_name text, operation_type text,
      document_hash text, fields text[], outcome text, error_codes text[], occurred_at timestamptz, request_id text,
      customer_ids uuid[], ord bigint)
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
  SELECT array_agg(ROW(x.n, x.occurred_at, coalesce(added.id, s.id), x.digest, x.request_id, x.customer_ids)::pgw_audit_item ORDER BY x.n)
  INTO items
  FROM x LEFT JOIN added ON added.digest = x.digest LEFT JOIN audit_shape s ON s.digest = x.digest;
  IF items IS NULL THEN
    RETURN;
  END IF;
  -- a shape another appender stored at the same moment committed after this statement began: look again
  IF EXISTS (SELECT 1 FROM unnest(items) i WHERE i.shape_id IS NULL) THEN
    SELECT array_agg(ROW(i.n, i.occurred_at, coalesce(i.shape_id, s.id), i.digest, i.request_id, i.customer_ids)::pgw_audit_item ORDER BY i.n)
    INTO items
    FROM unnest(items) i LEFT JOIN audit_shape s ON s.digest = i.digest;
  END IF;

  -- every appender, in any process, waits here until the previous batch commits: the head cannot
  -- move under us. Only the linking and the insert are done holding it.
  ${HEAD_UNDER_LOCK}

  -- set-based: the links are a running aggregate over the batch in order (no statement per event)
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

  ${LEDGER_ROWS_OF_BATCH};
END $$`;

/** A parsed event of a batch, between the statement that names its shape and the one that links it. */
const ITEM_TYPE = `CREATE TYPE pgw_audit_item AS (n bigint, occurred_at timestamptz, shape_id integer, digest bytea, request_id text, customer_ids uuid[])`;

/** `link = sha256(previous link || item)`, the first from the chain's head: a running aggregate gives each event its link. */
const CHAIN_AGGREGATE = [
  `CREATE FUNCTION pgw_audit_link(state bytea, head bytea, item bytea) RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE
   AS $$ SELECT sha256(coalesce(state, head) || item) $$`,
  `CREATE AGGREGATE pgw_audit_chain(bytea, bytea) (SFUNC = pgw_audit_link, STYPE = bytea)`,
];
