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

/** Batches waiting for the disk at once (each holds a pool connection while it waits). */
const MAX_FLUSHING = 3;

/**
 * One statement per batch: the chain is linked inside PostgreSQL (migrations 1764630000000,
 * 1764640000000 and 1764680000000). Events name their shape by id and digest, both from
 * pgw_audit_shapes. The append and the flush run as prepared statements (kernel/store/prepared):
 * a batch costs PostgreSQL a bind and an execute, and Node no TypeORM query runner.
 */
const APPEND = compileNamed(`SELECT o_ord, o_seq::text AS seq, o_prev_hash AS prev_hash, o_hash AS hash
  FROM pgw_audit_append_items($1::timestamptz[], $2::int[], $3::bytea[], $4::text[], $5::text[], $6::jsonb, $7::int) ORDER BY o_ord`);
/** see durable() */
const FLUSH = compileNamed(`SELECT pg_logical_emit_message(true, 'pgw-audit-flush', '')`);
const STORE_SHAPES = `SELECT o_ord, o_id, o_digest FROM pgw_audit_shapes($1::jsonb)`;

/** Shapes remembered per process; past this many the memory starts again (shapes repeat). */
const MAX_REMEMBERED_SHAPES = 10_000;

interface StoredShape {
  id: number;
  digest: Buffer;
}

/**
 * Appends audit events to the hash chain with group commit: events that arrive while a
 * commit is in flight queue in memory and go together in the next one (one transaction,
 * one statement for the events and their ledger rows). Each caller's promise resolves only
 * once its batch is committed and flushed to disk (see durable), so a response never leaves
 * before its event is durable; if the commit or the flush fails every waiter of that batch is
 * rejected (the plugin then withholds the response). One append at a time per process (the
 * next one starts while the last waits for the disk); the batches of several processes queue
 * on the chain head inside PostgreSQL (see commit).
 */
export class AuditWriter {
  private queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  /** batches committed and waiting for their WAL flush */
  private readonly flushing = new Set<Promise<void>>();
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
    await Promise.all(this.flushing);
  }

  private async drain(): Promise<void> {
    // Let the events of requests finishing in this same turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch);
        let written: ChainLink[];
        try {
          written = await this.commit(batch.map((p) => p.entry));
        } catch (error) {
          for (const p of batch) p.reject(error);
          continue;
        }
        // the next batch is appended while this one waits for the disk
        const flushed = this.durable().then(
          () => batch.forEach((p, i) => p.resolve(written[i])),
          (error) => batch.forEach((p) => p.reject(error)),
        );
        this.flushing.add(flushed);
        void flushed.finally(() => this.flushing.delete(flushed));
        if (this.flushing.size >= MAX_FLUSHING) await Promise.race(this.flushing);
      }
      // not waiting for the last flushes here: an event queued meanwhile would find the drain
      // still running and wait for nobody (close() waits for them)
    } finally {
      this.draining = null;
    }
  }

  /**
   * Resolves once everything committed so far is on disk. The append commits without
   * waiting for its WAL flush (synchronous_commit off inside the append function), so the
   * chain head's lock is held for the insert only, never for an fsync: other batches, of this
   * process and of others, go on while it is flushed. Then a transaction that writes WAL (an
   * empty transactional logical message: no table, no privilege needed) commits
   * synchronously, which flushes the WAL up to its own commit record — past the batch's — and
   * PostgreSQL flushes concurrent such commits together. (`txid_current()` would not do: a
   * transaction that wrote no WAL commits without flushing.) No response is released before
   * this resolves, so none leaves before its event is durable; if PostgreSQL crashes first, the
   * WAL is replayed as a prefix: the chain loses its newest events whole, in order, and only
   * events whose responses were never sent.
   */
  private async durable(): Promise<void> {
    await preparedRows(this.db, FLUSH, []);
  }

  /**
   * Appends a batch with ONE statement (events, their links and ledger rows, atomic on its
   * own), after storing the shapes this process has not seen (rare: a new client, operation
   * or outcome). The function serialises on the chain head with a transaction-scoped advisory
   * lock, so batches of every gateway process on the database queue there for a few
   * milliseconds instead of racing for the next sequence number: no conflict, no retry, no
   * spurious 503.
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
    let linked: Array<{ seq: string; prev_hash: string; hash: string }>;
    try {
      // prepared once per connection: each batch is only bound and executed
      linked = await preparedRows<{ seq: string; prev_hash: string; hash: string }>(this.db, APPEND, [
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
    if (linked.length !== entries.length) throw new Error(`audit append linked ${linked.length} of ${entries.length} events`);
    this.stats.commits += 1;
    this.stats.events += entries.length;
    auditCommitsTotal.inc();
    auditEventsTotal.inc(entries.length);
    return linked.map((row) => ({ seq: BigInt(row.seq), prevHash: row.prev_hash, hash: row.hash }));
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
