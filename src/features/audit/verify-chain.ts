import type { FeatureDb } from "../../kernel/store/feature-db";
import { chainHash, GENESIS_HASH } from "./audit-event";
import { AUDIT_COLUMNS, toAuditEvent } from "./audit-queries";

export interface BrokenLink {
  seq: string;
  reason: string;
}

export interface ChainReport {
  ok: boolean;
  /** events checked before the first broken link (all of them when ok) */
  checked: number;
  /** the last verified event: publish it elsewhere to anchor the chain's tail */
  head: { seq: string; hash: string } | null;
  broken: BrokenLink | null;
  /** a ledger record that does not match the audit event it was derived from */
  ledgerMismatch: { id: string; eventSeq: string } | null;
}

/**
 * Walks the whole chain in batches (keyset pages, never the table in memory) and names the
 * first broken link: a missing sequence number (a deleted event), a prev_hash that is not
 * the previous event's hash (deleted or inserted events), or a hash that does not match
 * the event's content (an altered event). Then checks that every ledger record still
 * agrees with its event.
 */
export async function verifyChain(db: FeatureDb, options: { batchSize?: number } = {}): Promise<ChainReport> {
  const batchSize = options.batchSize ?? 1000;
  let expectedSeq = 1n;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let head: ChainReport["head"] = null;
  for (;;) {
    const rows = await db.query(`SELECT ${AUDIT_COLUMNS} FROM audit_event WHERE seq >= $1 ORDER BY audit_event.seq LIMIT $2`, [expectedSeq.toString(), batchSize]);
    if (rows.length === 0) break;
    for (const row of rows) {
      const event = toAuditEvent(row);
      const broken = check(event.seq, expectedSeq, event.prevHash, prevHash, event.hash, chainHash(event.prevHash, event.seq, event));
      if (broken) return { ok: false, checked, head, broken, ledgerMismatch: null };
      checked += 1;
      prevHash = event.hash;
      head = { seq: event.seq.toString(), hash: event.hash };
      expectedSeq = event.seq + 1n;
    }
    if (rows.length < batchSize) break;
  }
  const ledgerMismatch = await firstLedgerMismatch(db);
  return { ok: !ledgerMismatch, checked, head, broken: null, ledgerMismatch };
}

function check(seq: bigint, expectedSeq: bigint, storedPrev: string, prevHash: string, stored: string, recomputed: string): BrokenLink | null {
  if (seq !== expectedSeq) return { seq: expectedSeq.toString(), reason: `event ${expectedSeq} is missing (next is ${seq})` };
  if (storedPrev !== prevHash) return { seq: seq.toString(), reason: `prev_hash does not match the hash of event ${seq - 1n}` };
  if (stored !== recomputed) return { seq: seq.toString(), reason: "hash does not match the event's content (altered)" };
  return null;
}

/** The first ledger record whose content disagrees with the audit event it came from. */
async function firstLedgerMismatch(db: FeatureDb): Promise<ChainReport["ledgerMismatch"]> {
  const [row] = await db.query(`
    SELECT d.id::text AS id, d.event_seq::text AS event_seq
    FROM disclosure_record d LEFT JOIN audit_event e ON e.seq = d.event_seq
    WHERE e.seq IS NULL
       OR e.recipient_id IS DISTINCT FROM d.recipient_id
       OR NOT (e.customer_ids @> ARRAY[d.customer_id])
       OR NOT (e.fields @> d.data_items)
       OR e.disclosure_ground IS DISTINCT FROM d.ground
       OR e.disclosure_reference IS DISTINCT FROM d.reference
       OR e.purpose IS DISTINCT FROM d.purpose
       OR e.occurred_at <> d.disclosed_at
    ORDER BY d.id
    LIMIT 1`);
  return row ? { id: row.id, eventSeq: row.event_seq } : null;
}
