import { createHash, hash as oneShotHash } from "node:crypto";
import { copyRows } from "../../kernel/store/copy-out";
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
 * One call per event (the one-shot form costs about half of createHash's, node ≥ 20.12), its
 * digest as a latin1 string: one code unit per byte, so equal strings are equal bytes. A
 * Buffer result costs about twice as much (a backing store allocated, then collected, per call).
 */
const sha256 = (data: Buffer): string => oneShotHash("sha256", data, "binary"); // "binary" is node's name for latin1

/**
 * What the hashes cover (the append function, migration 1764610000000, computes the same):
 * a shape's digest is the SHA-256 of its record text (injective, settings-independent: the
 * hash in hex); an event's link covers its columns in PostgreSQL's binary wire form (seq,
 * occurred_at as int8, the request id length-prefixed, the customer array). The verifier
 * sends these expressions itself rather than trusting a function stored in the database.
 */
const SHAPE_TEXT = `ROW(s.client_id, s.client_name, s.recipient_id, s.purpose, s.agreement, s.disclosure_ground, s.disclosure_reference,
  s.operation_name, s.operation_type, encode(s.document_hash, 'hex'), s.fields, s.outcome, s.error_codes, s.http_status)::text`;
/** An event's columns as the page's subquery gives them: the request id in UTF-8 (r) and the customer array's binary form (a) once each. */
const EVENT_COLUMNS = `c.seq, c.occurred_at, convert_to(c.request_id, 'UTF8') AS r, array_send(c.customer_ids) AS a`;
/** Its canonical bytes, and their length (the fixed widths plus the two variable parts: kept equal, or every hash fails). */
const EVENT_BYTES = `int8send(x.seq) || timestamptz_send(x.occurred_at) || int4send(length(x.r)) || x.r || x.a`;
const EVENT_LENGTH = `8 + 8 + 4 + length(x.r) + length(x.a)`;

/** 32 bytes in each page entry that the verifier overwrites with the shape's digest (see `page`). */
const DIGEST_SLOT = `decode(repeat('00', 32), 'hex')`;

/**
 * A page of events, the sequence numbers [start, end), as ONE bytea, each event
 * `shape_id int4 | hash 32 | length int4 | prev_hash 32 | digest slot 32 | canonical bytes
 * (length of them, beginning with the seq)`. The verifier writes into the slot the digest of
 * the shape it checked itself (shapes are read and hashed once, not joined into every page),
 * so that what the event's hash covers lies contiguous: one SHA-256 call per event, no
 * per-row objects on either side. Read with COPY's binary format (copyRows): the bytes
 * themselves, not twice as many hex digits to decode. The aggregate takes the ordered
 * subquery's order (no second sort); were it ever not to, the walk would report a missing
 * event, never pass a chain it did not check in order. (One chain of concatenations per event,
 * each variable column computed once: PostgreSQL's share of the work is mostly these.)
 *
 * COPY takes no parameters: the bounds are integers computed here, written as literals.
 */
const page = (start: number, end: number): string => {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) throw new Error(`not a page of sequence numbers: ${start}, ${end}`);
  return `SELECT string_agg(int4send(x.shape_id) || x.hash || int4send(${EVENT_LENGTH}) || x.prev_hash || ${DIGEST_SLOT} || ${EVENT_BYTES}, ''::bytea)
    FROM (SELECT c.shape_id, c.prev_hash, c.hash, ${EVENT_COLUMNS}
          FROM audit_chain c WHERE c.seq >= ${start} AND c.seq < ${end} ORDER BY c.seq) x`;
};

/** Pages read ahead while one is hashed. */
const AHEAD = 3;

/** Offsets in a page entry (see `page`). */
const SHAPE = 0;
const HASH = 4;
const LENGTH = 36;
const COVERED = 40; // prev_hash, then the digest slot, then the canonical bytes: what the hash covers
const DIGEST = 72;
const EVENT = 104; // the canonical bytes, from int8send(seq)

/** Whether the 32 bytes at `a[ai]` and `b[bi]` are equal (a loop the JIT inlines: cheaper here than Buffer#compare's call). */
function same32(a: Buffer, ai: number, b: Buffer, bi: number): boolean {
  for (let k = 0; k < 32; k++) if (a[ai + k] !== b[bi + k]) return false;
  return true;
}

/** Whether a digest in latin1 (see sha256) is the 32 bytes at `b[at]`. */
function isDigestAt(digest: string, b: Buffer, at: number): boolean {
  if (digest.length !== 32) return false;
  for (let k = 0; k < 32; k++) if (digest.charCodeAt(k) !== b[at + k]) return false;
  return true;
}

/**
 * Walks the chain (from the genesis, or from an anchor) in keyset pages, never the table in
 * memory, reading pages ahead while hashing this one, and names the first broken link: a
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
  const fail = (checked: number, head: ChainAnchor | null, broken: BrokenLink): ChainReport => ({
    ok: false,
    checked,
    from,
    head,
    broken,
    ledgerMismatch: null,
  });

  // the head first, then the shapes: every event up to the head committed with (or after) its
  // shape, so every shape those events name is among the shapes read
  const [{ top }] = await db.query(`SELECT coalesce(max(seq), 0)::text AS top FROM audit_chain`);
  const shapes = await shapeDigests(db);
  let expectedSeq = 1n;
  let startHash: Buffer = GENESIS;
  if (from) {
    const [anchor] = await db.query(`SELECT encode(hash, 'hex') AS hash FROM audit_chain WHERE seq = $1`, [from.seq]);
    if (!anchor) return fail(0, null, { seq: from.seq, reason: `event ${from.seq}, the checkpoint's head, is missing: the chain was cut` });
    if (anchor.hash !== from.hash)
      return fail(0, null, { seq: from.seq, reason: `event ${from.seq} no longer has the checkpoint's hash (altered)` });
    expectedSeq = BigInt(from.seq) + 1n;
    startHash = Buffer.from(from.hash, "hex");
  }
  const checkpoint = options.checkpoint ?? null;
  let checkpointReached = checkpoint !== null && from !== null && BigInt(checkpoint.seq) <= BigInt(from.seq);
  if (checkpointReached && checkpoint!.seq === from!.seq && checkpoint!.hash !== from!.hash) {
    return fail(0, null, { seq: checkpoint!.seq, reason: "the checkpoint and the starting anchor disagree" });
  }

  let checked = 0;
  let expected = Number(expectedSeq);
  let last: number | null = null;
  // the previous event's hash, as a place in a page (no copy per event)
  let prevBuf: Buffer = startHash;
  let prevAt = 0;
  // the last verified event (prevBuf only ever points at a verified hash)
  const headNow = (): ChainAnchor | null =>
    last !== null ? { seq: String(last), hash: prevBuf.toString("hex", prevAt, prevAt + 32) } : from;
  const checkpointSeq = checkpoint ? Number(checkpoint.seq) : -1;
  // pages are ranges of sequence numbers up to the head seen at the start, read AHEAD pages in
  // advance (each on a connection of its own): PostgreSQL builds the next pages while this one is hashed here
  const end = Number(top) + 1;
  const read = (start: number): Promise<Buffer | null> => {
    const next: Promise<Buffer | null> = copyRows(db, page(start, Math.min(start + batchSize, end))).then((rows) => rows[0]?.[0] ?? null);
    next.catch(() => undefined); // a page read ahead and then not needed must not fail the process
    return next;
  };
  const seqAt = (buf: Buffer, o: number) => buf.readUInt32BE(o) * 2 ** 32 + buf.readUInt32BE(o + 4);
  const pages: Array<Promise<Buffer | null>> = [];
  let nextStart = expected;
  const fill = () => {
    while (pages.length < AHEAD && nextStart < end) {
      pages.push(read(nextStart));
      nextStart += batchSize;
    }
  };
  fill();
  while (pages.length > 0) {
    const buf = await pages.shift()!;
    fill();
    if (!buf) continue; // a range with no events: the next event found reports them missing
    for (let o = 0; o < buf.length;) {
      const shapeId = buf.readInt32BE(o + SHAPE);
      const next = o + EVENT + buf.readInt32BE(o + LENGTH);
      const seq = seqAt(buf, o + EVENT);
      if (seq !== expected)
        return fail(checked, headNow(), { seq: String(expected), reason: `event ${expected} is missing (next is ${seq})` });
      if (!same32(buf, o + COVERED, prevBuf, prevAt)) {
        return fail(checked, headNow(), { seq: String(seq), reason: `prev_hash does not match the hash of event ${seq - 1}` });
      }
      const shape = shapes.get(shapeId);
      if (!shape) return fail(checked, headNow(), { seq: String(seq), reason: `its shape ${shapeId} is missing (altered)` });
      if (!shape.intact)
        return fail(checked, headNow(), { seq: String(seq), reason: `its shape ${shapeId} does not match its digest (altered)` });
      buf.set(shape.digest, o + DIGEST);
      if (!isDigestAt(sha256(buf.subarray(o + COVERED, next)), buf, o + HASH)) {
        return fail(checked, headNow(), { seq: String(seq), reason: "hash does not match the event's content (altered)" });
      }
      if (seq === checkpointSeq) {
        const stored = buf.toString("hex", o + HASH, o + HASH + 32);
        if (stored !== checkpoint!.hash)
          return fail(checked, headNow(), {
            seq: String(seq),
            reason: `event ${seq} differs from the checkpoint's head (the chain was rewritten)`,
          });
        checkpointReached = true;
      }
      checked += 1;
      prevBuf = buf;
      prevAt = o + HASH;
      expected = seq + 1;
      last = seq;
      o = next;
    }
  }
  const head = headNow();
  if (checkpoint && !checkpointReached) {
    const last = head?.seq ?? "0";
    return fail(checked, headNow(), {
      seq: checkpoint.seq,
      reason: `the chain ends at event ${last}, before the checkpoint's head ${checkpoint.seq}: its tail was cut off`,
    });
  }
  const ledgerMismatch = await firstLedgerMismatch(db, from?.seq ?? "0");
  return { ok: !ledgerMismatch, checked, from, head, broken: null, ledgerMismatch };
}

/** Every shape's stored digest, and whether its content still hashes to it. */
async function shapeDigests(db: FeatureDb): Promise<Map<number, { digest: Buffer; intact: boolean }>> {
  const rows: Array<{ id: number; digest: Buffer; t: string }> = await db.query(
    `SELECT s.id, s.digest, ${SHAPE_TEXT} AS t FROM audit_shape s`,
  );
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
