import type { FeatureDb } from "../../kernel/store/feature-db";
import type { RecipientKind } from "../../kernel/caller/recipient";
import { normalise, type AuditEvent, type AuditEventInput } from "./audit-event";

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

interface Pending {
  entry: AuditEntry;
  resolve(event: AuditEvent): void;
  reject(error: unknown): void;
}

/** Batches waiting for the disk at once (each holds a pool connection while it waits). */
const MAX_FLUSHING = 3;

/** One statement per batch: the chain is linked inside PostgreSQL (migration 1764610000000). */
const APPEND = `SELECT o_ord, o_seq::text AS seq, o_prev_hash AS prev_hash, o_hash AS hash FROM pgw_audit_append($1::jsonb, $2::jsonb, $3::int) ORDER BY o_ord`;

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

  constructor(
    private readonly db: FeatureDb,
    private readonly options: { maxBatch: number; ledgerRetentionDays: number },
  ) {}

  append(entry: AuditEntry): Promise<AuditEvent> {
    if (this.closed) return Promise.reject(new Error("audit writer closed"));
    return new Promise<AuditEvent>((resolve, reject) => {
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
        let written: AuditEvent[];
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
    await this.db.query(`SELECT pg_logical_emit_message(true, 'pgw-audit-flush', '')`);
  }

  /**
   * Appends a batch with ONE statement (events, their links and ledger rows, atomic on its
   * own). The function serialises on the chain head with a transaction-scoped advisory lock,
   * so batches of every gateway process on the database queue there for a few milliseconds
   * instead of racing for the next sequence number: no conflict, no retry, no spurious 503.
   */
  private async commit(entries: AuditEntry[]): Promise<AuditEvent[]> {
    const rows: unknown[] = [];
    const ledger: unknown[] = [];
    entries.forEach(({ event, ledger: draft }, i) => {
      rows.push({ ...toRow(event), ord: i + 1 });
      if (draft && event.recipientId && event.customerIds.length > 0) {
        ledger.push({ ord: i + 1, recipient_kind: draft.recipientKind, data_items: [...draft.dataItems].sort() });
      }
    });
    const linked: Array<{ seq: string; prev_hash: string; hash: string }> = await this.db.query(APPEND, [
      JSON.stringify(rows),
      JSON.stringify(ledger),
      this.options.ledgerRetentionDays,
    ]);
    if (linked.length !== entries.length) throw new Error(`audit append linked ${linked.length} of ${entries.length} events`);
    this.stats.commits += 1;
    this.stats.events += entries.length;
    return entries.map(({ event }, i) => ({ ...event, seq: BigInt(linked[i].seq), prevHash: linked[i].prev_hash, hash: linked[i].hash }));
  }
}

function toRow(e: AuditEventInput) {
  return {
    occurred_at: e.occurredAt.toISOString(),
    request_id: e.requestId,
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
    customer_ids: e.customerIds,
    outcome: e.outcome,
    error_codes: e.errorCodes,
    http_status: e.httpStatus,
  };
}
