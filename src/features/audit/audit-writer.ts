import type { FeatureDb } from "../../kernel/store/feature-db";
import { preparedRows } from "../../kernel/store/prepared";
import { compileNamed } from "../../kernel/store/statements";
import type { RecipientKind } from "../../kernel/caller/recipient";
import { auditCommitsTotal, auditEventsTotal } from "./audit-metrics";
import { normalise, type AuditEventInput } from "./audit-event";

/** Disclosure ledger rows to derive from an event: one per released customer. */
export interface LedgerDraft {
  recipientKind: RecipientKind;
  /** the personal field coordinates disclosed */
  dataItems: readonly string[];
}

export interface AuditEntry {
  event: AuditEventInput;
  ledger?: LedgerDraft | null;
}

/** Where an appended event sits in the chain (what callers quote: the receipt's auditSeq). */
export interface ChainLink {
  seq: bigint;
  prevHash: string;
  hash: string;
}

interface Pending {
  entry: AuditEntry;
  resolve(link: ChainLink): void;
  reject(error: unknown): void;
}

/**
 * Batches in flight at once. One: while a batch's CALL is in flight (its append, then its
 * flush) the next batch gathers every event that arrives, so under load a batch carries many
 * events and a round trip is shared by all of them.
 */
const MAX_IN_FLIGHT = 1;

/**
 * One round trip per batch: the chain is linked inside PostgreSQL (migrations 1764630000000,
 * 1764640000000 and 1764680000000) and the procedure commits the batch, then flushes it to
 * disk (migration 1764690000000), before CALL returns. Events name their shape by id and
 * digest, both from pgw_audit_shapes. Prepared once per connection (kernel/store/prepared):
 * a batch costs PostgreSQL a bind and an execute, and Node no TypeORM query runner.
 */
const APPEND_DURABLE = compileNamed(
  `CALL pgw_audit_append_durable($1::timestamptz[], $2::int[], $3::bytea[], $4::text[], $5::text[], $6::jsonb, $7::int)`,
);
const STORE_SHAPES = `SELECT o_ord, o_id, o_digest FROM pgw_audit_shapes($1::jsonb)`;

/** Shapes remembered per process; past this many the memory starts again (shapes repeat). */
const MAX_REMEMBERED_SHAPES = 10_000;

interface StoredShape {
  id: number;
  digest: Buffer;
}

/**
 * Appends audit events to the hash chain with group commit: events that arrive while a
 * batch is in flight queue in memory and go together in the next one (one CALL for the
 * events, their ledger rows and their flush). Each caller's promise resolves only once its
 * batch is committed and flushed to disk, so a response never leaves before its event is
 * durable; if the commit or the flush fails every waiter of that batch is rejected (the plugin
 * then withholds the response). One batch at a time per process; the batches of several
 * processes queue on the chain head inside PostgreSQL for the append alone, never for a flush
 * (see commit).
 */
export class AuditWriter {
  private queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  /** batches sent and not yet answered (committed and flushed) */
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  /** commits made and events written (for tests and the benchmark) */
  readonly stats = { commits: 0, events: 0 };
  /**
   * Shapes stored, by their columns as JSON. A shape is immutable once stored (append-only),
   * so its id and digest can be remembered; the append checks both against the store anyway.
   */
  private readonly shapes = new Map<string, StoredShape>();

  constructor(
    private readonly db: FeatureDb,
    private readonly options: { maxBatch: number; ledgerRetentionDays: number },
  ) {}

  append(entry: AuditEntry): Promise<ChainLink> {
    if (this.closed) return Promise.reject(new Error("audit writer closed"));
    return new Promise<ChainLink>((resolve, reject) => {
      this.queue.push({ entry: { ...entry, event: normalise(entry.event) }, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Waits for queued events to be written; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.draining;
    await Promise.all(this.inFlight);
  }

  private async drain(): Promise<void> {
    // Let the events of requests finishing in this same turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.queue.length > 0) {
        if (this.inFlight.size >= MAX_IN_FLIGHT) {
          // the queue keeps filling meanwhile: the next batch takes all of it
          await Promise.race(this.inFlight);
          continue;
        }
        const batch = this.queue.splice(0, this.options.maxBatch);
        const answered = this.commit(batch.map((p) => p.entry)).then(
          (links) => batch.forEach((p, i) => p.resolve(links[i])),
          (error) => batch.forEach((p) => p.reject(error)),
        );
        this.inFlight.add(answered);
        void answered.finally(() => this.inFlight.delete(answered));
      }
      // not waiting for the last batch here: an event queued meanwhile would find the drain
      // still running and wait for nobody (close() waits for it)
    } finally {
      this.draining = null;
    }
  }

  /**
   * Appends a batch with ONE CALL (events, their links and ledger rows, atomic on their own,
   * then the flush), after storing the shapes this process has not seen (rare: a new client,
   * operation or outcome). The append serialises on the chain head with a transaction-scoped
   * advisory lock, so batches of every gateway process on the database queue there for a few
   * milliseconds instead of racing for the next sequence number: no conflict, no retry, no
   * spurious 503. The lock goes with the append's commit, which does not wait for the disk;
   * the flush that follows in the same CALL (a synchronous commit of an empty transactional
   * logical message: no table, no privilege needed) flushes the WAL past the batch's commit,
   * and PostgreSQL flushes concurrent such commits together. (`txid_current()` would not do: a
   * transaction that wrote no WAL commits without flushing.) If PostgreSQL crashes before the
   * flush, the WAL is replayed as a prefix: the chain loses its newest events whole, in order,
   * and only events whose responses were never sent.
   */
  private async commit(entries: AuditEntry[]): Promise<ChainLink[]> {
    const shapes = entries.map(({ event }) => shapeOf(event));
    const keys = shapes.map(shapeKey);
    await this.storeShapes(keys, shapes);
    const stored = keys.map((key) => this.shapes.get(key)!);
    const ledger: unknown[] = [];
    entries.forEach(({ event, ledger: draft }, i) => {
      if (draft && event.recipientId && event.customerIds.length > 0) {
        ledger.push({ ord: i + 1, recipient_kind: draft.recipientKind, data_items: [...draft.dataItems].sort() });
      }
    });
    let linked: { seqs: string[] | null; prev_hashes: string[] | null; hashes: string[] | null };
    try {
      // prepared once per connection: each batch is only bound and executed
      [linked] = await preparedRows<typeof linked>(this.db, APPEND_DURABLE, [
        entries.map(({ event }) => event.occurredAt),
        stored.map((shape) => shape.id),
        stored.map((shape) => shape.digest),
        entries.map(({ event }) => event.requestId),
        entries.map(({ event }) => `{${event.customerIds.join(",")}}`),
        JSON.stringify(ledger),
        this.options.ledgerRetentionDays,
      ]);
    } catch (error) {
      // a shape remembered wrongly (the store restored from a backup, say) refuses the batch:
      // forget every shape, so the next batch stores or finds them again
      this.shapes.clear();
      throw error;
    }
    const { seqs, prev_hashes: prevHashes, hashes } = linked ?? {};
    if (seqs?.length !== entries.length || prevHashes?.length !== entries.length || hashes?.length !== entries.length) {
      throw new Error(`audit append linked ${seqs?.length ?? 0} of ${entries.length} events`);
    }
    this.stats.commits += 1;
    this.stats.events += entries.length;
    auditCommitsTotal.inc();
    auditEventsTotal.inc(entries.length);
    return seqs.map((seq, i) => ({ seq: BigInt(seq), prevHash: prevHashes[i], hash: hashes[i] }));
  }

  /** Stores (or finds) the shapes not remembered yet and remembers their ids and digests. */
  private async storeShapes(keys: string[], shapes: ShapeRow[]): Promise<void> {
    if (this.shapes.size + keys.length > MAX_REMEMBERED_SHAPES) this.shapes.clear();
    let missing = [...new Set(keys.filter((key) => !this.shapes.has(key)))];
    // a shape another appender is storing at this moment has no id in our statement's snapshot: ask again
    for (let attempt = 0; missing.length > 0; attempt++) {
      if (attempt === 3) throw new Error("audit shapes could not be stored");
      const rows: Array<{ o_ord: number; o_id: number | null; o_digest: Buffer }> = await this.db.query(STORE_SHAPES, [
        JSON.stringify(missing.map((key, i) => ({ ...shapes[keys.indexOf(key)], ord: i + 1 }))),
      ]);
      for (const row of rows) {
        if (row.o_id !== null) this.shapes.set(missing[row.o_ord - 1], { id: row.o_id, digest: row.o_digest });
      }
      missing = missing.filter((key) => !this.shapes.has(key));
    }
  }
}

/**
 * A shape's key in the writer's memory: its columns as a JSON array (injective like the object
 * form, since an agreement or a reference is the caller's text, but without the property names).
 */
function shapeKey(s: ShapeRow): string {
  return JSON.stringify([
    s.client_id,
    s.client_name,
    s.recipient_id,
    s.purpose,
    s.agreement,
    s.disclosure_ground,
    s.disclosure_reference,
    s.operation_name,
    s.operation_type,
    s.document_hash,
    s.fields,
    s.outcome,
    s.error_codes,
    s.http_status,
  ]);
}

/** What repeats between events: stored once in audit_shape (the columns of its digest). */
type ShapeRow = ReturnType<typeof shapeOf>;

function shapeOf(e: AuditEventInput) {
  return {
    client_id: e.clientId,
    client_name: e.clientName,
    recipient_id: e.recipientId,
    purpose: e.purpose,
    agreement: e.agreement,
    disclosure_ground: e.disclosureGround,
    disclosure_reference: e.disclosureReference,
    operation_name: e.operationName,
    operation_type: e.operationType,
    document_hash: e.documentHash,
    fields: e.fields,
    outcome: e.outcome,
    error_codes: e.errorCodes,
    http_status: e.httpStatus,
  };
}
