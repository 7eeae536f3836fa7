import type { FeatureDb } from "../../kernel/store/feature-db";
import type { RecipientKind } from "../../kernel/caller/recipient";
import { chainHash, GENESIS_HASH, normalise, type AuditEvent, type AuditEventInput } from "./audit-event";

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

const INSERT = `
  WITH ev AS (
    INSERT INTO audit_event (seq, occurred_at, request_id, client_id, client_name, recipient_id, purpose, agreement,
      disclosure_ground, disclosure_reference, operation_name, operation_type, document_hash, fields, customer_ids,
      outcome, error_codes, http_status, prev_hash, hash)
    SELECT seq, occurred_at, request_id, client_id, client_name, recipient_id, purpose, agreement,
      disclosure_ground, disclosure_reference, operation_name, operation_type, document_hash, fields, customer_ids,
      outcome, error_codes, http_status, prev_hash, hash
    FROM jsonb_to_recordset($1::jsonb) AS x(seq bigint, occurred_at timestamptz, request_id text, client_id uuid,
      client_name text, recipient_id uuid, purpose text, agreement text, disclosure_ground text, disclosure_reference text,
      operation_name text, operation_type text, document_hash text, fields text[], customer_ids uuid[], outcome text,
      error_codes text[], http_status integer, prev_hash text, hash text)
    RETURNING seq, recipient_id, customer_ids, disclosure_ground, purpose, disclosure_reference, occurred_at
  )
  INSERT INTO disclosure_record (event_seq, recipient_id, recipient_kind, customer_id, data_items, ground, purpose, reference, disclosed_at, retain_until)
  SELECT ev.seq, ev.recipient_id, l.recipient_kind, c.id, l.data_items, ev.disclosure_ground, ev.purpose, ev.disclosure_reference,
         ev.occurred_at, ev.occurred_at + make_interval(days => $3::int)
  FROM ev
  JOIN jsonb_to_recordset($2::jsonb) AS l(seq bigint, recipient_kind text, data_items text[]) ON l.seq = ev.seq
  CROSS JOIN LATERAL unnest(ev.customer_ids) AS c(id)`;

/**
 * Appends audit events to the hash chain with group commit: events that arrive while a
 * commit is in flight queue in memory and go together in the next one (one transaction,
 * one statement for the events and their ledger rows). Each caller's promise resolves only
 * after COMMIT, so a response never leaves before its event is durable; if the commit
 * fails every waiter of that batch is rejected (the plugin then withholds the response).
 * One flush at a time per process; other processes are ordered by the primary key.
 */
export class AuditWriter {
  private queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  private head: ChainHead | null = null;
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
  }

  private async drain(): Promise<void> {
    // Let the events of requests finishing in this same turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch);
        try {
          const written = await this.commit(batch.map((p) => p.entry));
          batch.forEach((p, i) => p.resolve(written[i]));
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.draining = null;
    }
  }

  /**
   * Appends a batch with ONE statement (events and ledger rows, atomic on its own). The chain
   * head is remembered between commits; if another process appended meanwhile, our first
   * sequence number is taken, the primary key rejects the whole statement, and we re-read
   * the head and chain again. So sequence numbers never repeat or skip, across processes,
   * without holding a transaction open across round trips.
   */
  private async commit(entries: AuditEntry[]): Promise<AuditEvent[]> {
    for (let attempt = 1; ; attempt++) {
      const head = (this.head ??= await this.readHead());
      const { events, rows, ledger } = chain(head, entries);
      try {
        await this.db.query(INSERT, [JSON.stringify(rows), JSON.stringify(ledger), this.options.ledgerRetentionDays]);
      } catch (error) {
        this.head = null; // unknown after any failure: read it again next time
        if (isSeqConflict(error) && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
      const last = events[events.length - 1];
      this.head = { seq: last.seq, hash: last.hash };
      this.stats.commits += 1;
      this.stats.events += events.length;
      return events;
    }
  }

  private async readHead(): Promise<ChainHead> {
    const [row] = await this.db.query(`SELECT seq::text AS seq, hash FROM audit_event ORDER BY audit_event.seq DESC LIMIT 1`);
    return row ? { seq: BigInt(row.seq), hash: row.hash } : { seq: 0n, hash: GENESIS_HASH };
  }
}

interface ChainHead {
  seq: bigint;
  hash: string;
}

/** Tries per batch when other processes keep taking the next sequence number first. */
const MAX_ATTEMPTS = 8;

function chain(head: ChainHead, entries: AuditEntry[]) {
  let seq = head.seq;
  let prevHash = head.hash;
  const events: AuditEvent[] = [];
  const rows: unknown[] = [];
  const ledger: unknown[] = [];
  for (const { event, ledger: draft } of entries) {
    seq += 1n;
    const hash = chainHash(prevHash, seq, event);
    events.push({ ...event, seq, prevHash, hash });
    rows.push(toRow(seq, event, prevHash, hash));
    if (draft && event.recipientId && event.customerIds.length > 0) {
      ledger.push({ seq: seq.toString(), recipient_kind: draft.recipientKind, data_items: [...draft.dataItems].sort() });
    }
    prevHash = hash;
  }
  return { events, rows, ledger };
}

function isSeqConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.driverError?.code ?? e.code;
  const constraint = e.driverError?.constraint ?? e.constraint;
  return code === "23505" && constraint === "audit_event_pkey";
}

function toRow(seq: bigint, e: AuditEventInput, prevHash: string, hash: string) {
  return {
    seq: seq.toString(),
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
    prev_hash: prevHash,
    hash,
  };
}
