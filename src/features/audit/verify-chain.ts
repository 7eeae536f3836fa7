import { createHash } from "node:crypto";
import type { FeatureDb } from "../../kernel/store/feature-db";

export interface BrokenLink {
  seq: string;
  reason: string;
}

/** A chain head: a sequence number and that event's hash (hex). */
export interface ChainAnchor {
  seq: string;
  hash: string;
}

export interface ChainReport {
  ok: boolean;
  /** events checked before the first broken link (all of them when ok) */
  checked: number;
  /** where the walk started: after this anchor (a checkpoint), or null from the genesis */
  from: ChainAnchor | null;
  /** the last verified event: publish it elsewhere (`audit checkpoint`) to anchor the chain's tail */
  head: ChainAnchor | null;
  broken: BrokenLink | null;
  /** a ledger record that does not match the audit event it was derived from */
  ledgerMismatch: { id: string; eventSeq: string } | null;
}

export interface VerifyOptions {
  batchSize?: number;
  /** verify only the events after this anchor (its event must still carry its hash) */
  from?: ChainAnchor | null;
  /** a head recorded outside the database: the chain must still reach it, unchanged */
  checkpoint?: ChainAnchor | null;
}

const GENESIS: Buffer = Buffer.alloc(32);

/**
 * The canonical texts the hashes cover, as PostgreSQL's record output of the columns (the
 * append function, migration 1764610000000, computes the same): injective, independent of
 * the session's settings (time as epoch microseconds, hashes as hex). The verifier sends
 * these expressions itself rather than trusting a function stored in the database.
 */
const SHAPE_TEXT = `ROW(s.client_id, s.client_name, s.recipient_id, s.purpose, s.agreement, s.disclosure_ground, s.disclosure_reference,
  s.operation_name, s.operation_type, encode(s.document_hash, 'hex'), s.fields, s.outcome, s.error_codes, s.http_status)::text`;
const EVENT_TEXT = `ROW(c.seq, (extract(epoch FROM c.occurred_at) * 1000000)::bigint, c.request_id, c.customer_ids)::text`;

const PAGE = `SELECT c.seq::text AS seq, c.shape_id, ${EVENT_TEXT} AS t, c.prev_hash AS p, c.hash AS h
  FROM audit_chain c WHERE c.seq >= $1 ORDER BY c.seq LIMIT $2`;

interface ChainRow {
  seq: string;
  shape_id: number;
  t: string;
  p: Buffer;
  h: Buffer;
}

/**
 * Walks the chain (from the genesis, or from an anchor) in keyset pages, never the table in
 * memory, fetching the next page while hashing this one, and names the first broken link: a
 * missing sequence number (a deleted event), a prev_hash that is not the previous event's
 * hash (deleted or inserted events), a hash that does not match the event's content or its
 * shape's (an altered event), a chain that no longer reaches a checkpoint's head (a cut-off
 * tail). Then checks that every ledger record (after the anchor) still agrees with its event.
 *
 * Each event costs one SHA-256 here over ~150 bytes; its shape (what repeats between events:
 * client, purpose, fields, outcome …) is hashed once per verification, not once per event.
 */
export async function verifyChain(db: FeatureDb, options: VerifyOptions = {}): Promise<ChainReport> {
  const batchSize = options.batchSize ?? 10_000;
  const from = options.from ?? null;
  const fail = (checked: number, head: ChainAnchor | null, broken: BrokenLink): ChainReport => ({ ok: false, checked, from, head, broken, ledgerMismatch: null });

  const shapes = await shapeDigests(db);
  let expectedSeq = 1n;
  let prevHash: Buffer = GENESIS;
  if (from) {
    const [anchor] = await db.query(`SELECT encode(hash, 'hex') AS hash FROM audit_chain WHERE seq = $1`, [from.seq]);
    if (!anchor) return fail(0, null, { seq: from.seq, reason: `event ${from.seq}, the checkpoint's head, is missing: the chain was cut` });
    if (anchor.hash !== from.hash) return fail(0, null, { seq: from.seq, reason: `event ${from.seq} no longer has the checkpoint's hash (altered)` });
    expectedSeq = BigInt(from.seq) + 1n;
    prevHash = Buffer.from(from.hash, "hex");
  }
  const checkpoint = options.checkpoint ?? null;
  let checkpointReached = checkpoint !== null && from !== null && BigInt(checkpoint.seq) <= BigInt(from.seq);
  if (checkpointReached && checkpoint!.seq === from!.seq && checkpoint!.hash !== from!.hash) {
    return fail(0, null, { seq: checkpoint!.seq, reason: "the checkpoint and the starting anchor disagree" });
  }

  let checked = 0;
  let lastSeq: string | null = null;
  // the last verified event (prevHash is only ever a verified hash)
  const headNow = (): ChainAnchor | null => (lastSeq ? { seq: lastSeq, hash: prevHash.toString("hex") } : from);
  const read = (start: bigint): Promise<ChainRow[]> => {
    const next: Promise<ChainRow[]> = db.query(PAGE, [start.toString(), batchSize]);
    next.catch(() => undefined); // a page read ahead and then not needed must not fail the process
    return next;
  };
  let page = read(expectedSeq);
  for (;;) {
    const rows = await page;
    if (rows.length === 0) break;
    // the next page is read by PostgreSQL while this one is hashed here
    const full = rows.length === batchSize;
    if (full) page = read(BigInt(rows[rows.length - 1].seq) + 1n);
    for (const row of rows) {
      const seq = BigInt(row.seq);
      if (seq !== expectedSeq) return fail(checked, headNow(), { seq: expectedSeq.toString(), reason: `event ${expectedSeq} is missing (next is ${seq})` });
      if (!row.p.equals(prevHash)) return fail(checked, headNow(), { seq: row.seq, reason: `prev_hash does not match the hash of event ${seq - 1n}` });
      const shape = shapes.get(row.shape_id);
      if (!shape) return fail(checked, headNow(), { seq: row.seq, reason: `its shape ${row.shape_id} is missing (altered)` });
      if (!shape.intact) return fail(checked, headNow(), { seq: row.seq, reason: `its shape ${row.shape_id} does not match its digest (altered)` });
      const hash = createHash("sha256").update(prevHash).update(shape.digest).update(row.t, "utf8").digest();
      if (!hash.equals(row.h)) return fail(checked, headNow(), { seq: row.seq, reason: "hash does not match the event's content (altered)" });
      if (checkpoint && row.seq === checkpoint.seq) {
        if (row.h.toString("hex") !== checkpoint.hash) return fail(checked, headNow(), { seq: row.seq, reason: `event ${row.seq} differs from the checkpoint's head (the chain was rewritten)` });
        checkpointReached = true;
      }
      checked += 1;
      prevHash = row.h;
      expectedSeq = seq + 1n;
      lastSeq = row.seq;
    }
    if (!full) break;
  }
  const head = headNow();
  if (checkpoint && !checkpointReached) {
    const last = head?.seq ?? "0";
    return fail(checked, headNow(), { seq: checkpoint.seq, reason: `the chain ends at event ${last}, before the checkpoint's head ${checkpoint.seq}: its tail was cut off` });
  }
  const ledgerMismatch = await firstLedgerMismatch(db, from?.seq ?? "0");
  return { ok: !ledgerMismatch, checked, from, head, broken: null, ledgerMismatch };
}

/** Every shape's stored digest, and whether its content still hashes to it. */
async function shapeDigests(db: FeatureDb): Promise<Map<number, { digest: Buffer; intact: boolean }>> {
  const rows: Array<{ id: number; digest: Buffer; t: string }> = await db.query(`SELECT s.id, s.digest, ${SHAPE_TEXT} AS t FROM audit_shape s`);
  return new Map(rows.map((r) => [r.id, { digest: r.digest, intact: createHash("sha256").update(r.t, "utf8").digest().equals(r.digest) }]));
}

/** The first ledger record (of an event after `afterSeq`) whose content disagrees with the audit event it came from. */
async function firstLedgerMismatch(db: FeatureDb, afterSeq: string): Promise<ChainReport["ledgerMismatch"]> {
  const [row] = await db.query(
    `
    SELECT d.id::text AS id, d.event_seq::text AS event_seq
    FROM disclosure_record d LEFT JOIN audit_event e ON e.seq = d.event_seq
    WHERE d.event_seq > $1 AND (e.seq IS NULL
       OR e.recipient_id IS DISTINCT FROM d.recipient_id
       OR NOT (e.customer_ids @> ARRAY[d.customer_id])
       OR NOT (e.fields @> d.data_items)
       OR e.disclosure_ground IS DISTINCT FROM d.ground
       OR e.disclosure_reference IS DISTINCT FROM d.reference
       OR e.purpose IS DISTINCT FROM d.purpose
       OR e.occurred_at <> d.disclosed_at)
    ORDER BY d.id
    LIMIT 1`,
    [afterSeq],
  );
  return row ? { id: row.id, eventSeq: row.event_seq } : null;
}
