import { GraphQLError } from "graphql";
import { checkCorrection } from "../../kernel/data/correction";
import type { PurposeScopedData } from "../../kernel/data/purpose-scoped-data";
import type { LinkedRecord } from "../../kernel/data/records";
import { KernelCode } from "../../kernel/errors/catalogue";
import { CUSTOMER } from "../../kernel/personal-data/customer-tables";
import { Purpose } from "../../kernel/purposes/purpose";
import { provide, serviceKey } from "../../kernel/services";
import type { FeatureDb, FeatureTx } from "../../kernel/store/feature-db";
import { isUuid } from "../../kernel/validation/uuid";
import { RequestCode } from "./codes";
import { CORRECTABLE_KEYS, DataSubjectRequestKind, DataSubjectRequestStatus, OPEN_STATUSES, type CorrectableField } from "./request-enums";
import type { DataSubjectRequest } from "./request-types";

const bad = (message: string, code: string = KernelCode.BAD_USER_INPUT) => new GraphQLError(message, { extensions: { code } });

/**
 * Customers' requests (agreement 1.5): received, in progress, then completed or refused,
 * every step recorded. Reached only under DATA_SUBJECT_REQUEST. Completing a request does its
 * work in the same transaction as the status change; the work on the customer's data itself
 * (the export, the corrections, the erasure) is the kernel's, derived from the declaration.
 * Requests are read through the kernel too: a request's facts (kind, status, dates, history
 * steps) always; what it says (corrected values, notes, refusal reasons) only while the
 * purpose's row rule reaches its customer, i.e. while one of their requests is open.
 */
export class DataSubjectRequestStore {
  constructor(
    private readonly db: FeatureDb,
    private readonly data: PurposeScopedData,
    private readonly clientId: string | null,
    private readonly deadlineDays: number,
  ) {}

  async receive(
    customerId: string,
    kind: DataSubjectRequestKind,
    corrections: Array<{ field: CorrectableField; value: string }>,
    note: string | null,
  ) {
    if (kind === DataSubjectRequestKind.CORRECTION) {
      if (corrections.length === 0) throw bad("A correction request names at least one field and its corrected value.");
      const fields = new Set<string>();
      for (const c of corrections) {
        if (fields.has(c.field)) throw bad(`${c.field} is named twice.`);
        fields.add(c.field);
        checkCorrection(CUSTOMER, { key: keyOf(c.field), value: c.value });
      }
    } else if (corrections.length > 0) {
      throw bad("Only a CORRECTION request carries corrections.");
    }
    return this.db.transaction(async (tx) => {
      // any customer the store has held, even erased: a person may always ask what is left
      if (!(await this.data.knownCustomer(customerId, tx))) throw bad("No such customer.", RequestCode.NOT_FOUND);
      const [{ id }] = await tx.query(
        `INSERT INTO data_subject_request (customer_id, kind, status, due_at) VALUES ($1, $2, 'RECEIVED', now() + make_interval(days => $3)) RETURNING id`,
        [customerId, kind, this.deadlineDays],
      );
      for (const c of corrections) {
        await tx.query(`INSERT INTO data_subject_correction (request_id, field, requested_value) VALUES ($1, $2, $3)`, [
          id,
          c.field,
          c.value,
        ]);
      }
      await this.record(tx, id, DataSubjectRequestStatus.RECEIVED, note);
      return id as string;
    });
  }

  async start(id: string, note: string | null): Promise<void> {
    await this.db.transaction(async (tx) => {
      const request = await this.lockOpen(tx, id);
      if (request.status !== DataSubjectRequestStatus.RECEIVED)
        throw bad("Only a received request can be started.", RequestCode.INVALID_REQUEST_STATE);
      await tx.query(`UPDATE data_subject_request SET status = 'IN_PROGRESS' WHERE id = $1`, [id]);
      await this.record(tx, id, DataSubjectRequestStatus.IN_PROGRESS, note);
    });
  }

  async refuse(id: string, reason: string): Promise<void> {
    if (!reason.trim()) throw bad("A refusal needs a reason.");
    await this.db.transaction(async (tx) => {
      await this.lockOpen(tx, id);
      await tx.query(`UPDATE data_subject_request SET status = 'REFUSED', refusal_reason = $2, completed_at = now() WHERE id = $1`, [
        id,
        reason,
      ]);
      await this.record(tx, id, DataSubjectRequestStatus.REFUSED, reason);
    });
  }

  /**
   * Does what the request asks, then marks it completed. A disclosure returns the export. The
   * request is returned as the completing step saw it (with what it changed), read before it
   * closed: once closed, what it says is shown again only while another request is open.
   */
  async complete(id: string, note: string | null): Promise<{ request: DataSubjectRequest; export: Record<string, unknown> | null }> {
    return this.db.transaction(async (tx) => {
      const request = await this.lockOpen(tx, id);
      const customer = await this.data.lockCustomer(request.customer_id, tx);
      let exported: Record<string, unknown> | null = null;
      switch (request.kind as DataSubjectRequestKind) {
        case DataSubjectRequestKind.DISCLOSURE:
          exported = await this.data.exportCustomer(request.customer_id, id, tx);
          break;
        case DataSubjectRequestKind.CORRECTION:
          await this.applyCorrections(tx, id, request.customer_id);
          break;
        case DataSubjectRequestKind.DELETION:
          break;
      }
      const [seen] = await this.load(`x.id = :id::uuid`, { id }, tx);
      await tx.query(`UPDATE data_subject_request SET status = 'COMPLETED', completed_at = now() WHERE id = $1`, [id]);
      await this.record(tx, id, DataSubjectRequestStatus.COMPLETED, note);
      if (request.kind === DataSubjectRequestKind.DELETION && !customer.erased) {
        // last, so the free text of this very step goes too; then every recipient is told
        await this.data.eraseCustomer(request.customer_id, tx);
        await this.queueErasureNotices(tx, request.customer_id, id);
      }
      const [closed] = await this.load(`x.id = :id::uuid`, { id }, tx);
      // the facts as they now are (status, dates, history); the values as the step saw them, unless erased
      const erased = request.kind === DataSubjectRequestKind.DELETION;
      return { request: { ...closed, corrections: erased ? closed.corrections : seen.corrections }, export: exported };
    });
  }

  private async applyCorrections(tx: FeatureTx, requestId: string, customerId: string): Promise<void> {
    const corrections: Array<{ field: CorrectableField; requested_value: string }> = await tx.query(
      `SELECT field, requested_value FROM data_subject_correction WHERE request_id = $1 ORDER BY id`,
      [requestId],
    );
    const applied = await this.data.correctCustomer(
      customerId,
      corrections.map((c) => ({ key: keyOf(c.field), value: c.requested_value })),
      tx,
    );
    // soft-deleted or erased: no purpose reaches the customer any more, and nothing is changed
    if (!applied) throw bad("The customer's record is deleted or erased: nothing to correct.", RequestCode.INVALID_REQUEST_STATE);
    for (const [i, c] of corrections.entries()) {
      await tx.query(
        `UPDATE data_subject_correction SET before_value = $3, after_value = $4, applied_at = now() WHERE request_id = $1 AND field = $2`,
        [requestId, c.field, applied[i].before, applied[i].after],
      );
    }
  }

  /** One notice per recipient that ever received the customer's data (from the disclosure ledger). */
  private async queueErasureNotices(tx: FeatureTx, customerId: string, requestId: string): Promise<void> {
    await tx.query(
      `INSERT INTO erasure_notification (request_id, customer_id, recipient_id)
       SELECT $2, $1, recipient_id FROM disclosure_record WHERE customer_id = $1 GROUP BY recipient_id
       ON CONFLICT (request_id, recipient_id) DO NOTHING`,
      [customerId, requestId],
    );
  }

  private async lockOpen(tx: FeatureTx, id: string) {
    if (!isUuid(id)) throw bad("No such request.", RequestCode.NOT_FOUND);
    const [request] = await tx.query(`SELECT id, customer_id, kind, status FROM data_subject_request WHERE id = $1 FOR UPDATE`, [id]);
    if (!request) throw bad("No such request.", RequestCode.NOT_FOUND);
    if (!(OPEN_STATUSES as readonly string[]).includes(request.status)) {
      throw bad(`The request is already ${request.status.toLowerCase()}.`, RequestCode.INVALID_REQUEST_STATE);
    }
    return request as { id: string; customer_id: string; kind: string; status: DataSubjectRequestStatus };
  }

  private async record(tx: FeatureTx, id: string, status: DataSubjectRequestStatus, note: string | null): Promise<void> {
    await tx.query(`INSERT INTO data_subject_request_event (request_id, status, note, client_id) VALUES ($1, $2, $3, $4)`, [
      id,
      status,
      note,
      this.clientId,
    ]);
  }

  // ---- reading (through the kernel) -------------------------------------------------------

  async get(id: string): Promise<DataSubjectRequest | null> {
    if (!isUuid(id)) return null;
    return (await this.load(`x.id = :id::uuid`, { id }))[0] ?? null;
  }

  async list(filter: {
    status?: DataSubjectRequestStatus | null;
    customerId?: string | null;
    overdue?: boolean | null;
  }): Promise<DataSubjectRequest[]> {
    const where: string[] = ["TRUE"];
    const params: Record<string, unknown> = {};
    if (filter.status) {
      where.push("x.status = :status");
      params.status = filter.status;
    }
    if (filter.customerId) {
      where.push("x.customer_id = :customerId::uuid");
      params.customerId = filter.customerId;
    }
    if (filter.overdue) where.push(`x.status IN ('RECEIVED', 'IN_PROGRESS') AND x.due_at < now()`);
    return this.load(where.join(" AND "), params);
  }

  /** Requests with their history, corrections and erasure notices: four statements, whatever the count. */
  private async load(where: string, params: Record<string, unknown>, tx?: FeatureTx): Promise<DataSubjectRequest[]> {
    const requests = await this.data.records("data_subject_request", { where, params, order: "x.received_at DESC, x.id", limit: 500 }, tx);
    if (requests.length === 0) return [];
    const ids = requests.map((r) => r.id as string);
    const children = (table: string, order: string) =>
      this.data.records(table, { where: "x.request_id = ANY(:ids::uuid[])", params: { ids }, order }, tx);
    // one after the other: inside a transaction its one connection runs one statement at a time
    const history = await children("data_subject_request_event", "x.id");
    const corrections = await children("data_subject_correction", "x.id");
    const notices = await this.notices(ids, tx);
    const of = <T extends Record<string, unknown>>(items: readonly T[], id: string) => items.filter((x) => x.requestId === id);
    return requests.map((r) => ({
      id: r.id as string,
      customerId: r.customerId,
      kind: r.kind as DataSubjectRequestKind,
      status: r.status as DataSubjectRequestStatus,
      refusalReason: (r.refusalReason as string | null) ?? null,
      receivedAt: r.receivedAt as Date,
      dueAt: r.dueAt as Date,
      completedAt: (r.completedAt as Date | null) ?? null,
      history: of(history, r.id as string).map((h) => ({
        status: h.status as DataSubjectRequestStatus,
        note: (h.note as string | null) ?? null,
        at: h.at as Date,
      })),
      corrections: of(corrections, r.id as string).map(toCorrection),
      erasureNotifications: of(notices, r.id as string),
    })) as unknown as DataSubjectRequest[];
  }

  /** Erasure notices hold no personal values (recipients and delivery facts). */
  private async notices(ids: string[], tx?: FeatureTx) {
    const rows = await (tx ?? this.db).query(
      `SELECT n.request_id AS "requestId", n.recipient_id AS "recipientId", r.name AS "recipientName", n.status, n.attempts, n.last_error AS "lastError", n.delivered_at AS "deliveredAt"
         FROM erasure_notification n JOIN recipient r ON r.id = n.recipient_id WHERE n.request_id = ANY($1) ORDER BY r.name`,
      [ids],
    );
    return rows as Array<Record<string, unknown>>;
  }
}

function toCorrection(c: LinkedRecord) {
  return {
    field: c.field as CorrectableField,
    requestedValue: (c.requestedValue as string | null) ?? null,
    beforeValue: (c.beforeValue as string | null) ?? null,
    afterValue: (c.afterValue as string | null) ?? null,
    appliedAt: (c.appliedAt as Date | null) ?? null,
  };
}

/** The declaration key of a correctable field's name (FULL_NAME → fullName). */
function keyOf(field: CorrectableField): string {
  const key = CORRECTABLE_KEYS.get(field);
  if (!key) throw bad(`${field} cannot be corrected.`);
  return key;
}

export const REQUESTS = serviceKey<DataSubjectRequestStore>("requests.store");

/** The request store of a request: only under DATA_SUBJECT_REQUEST. */
export const requestStore = (db: FeatureDb, deadlineDays: number) =>
  provide(REQUESTS, (ctx) => {
    const { scope } = ctx.data;
    if (scope.purpose !== Purpose.DATA_SUBJECT_REQUEST) {
      throw new GraphQLError("Customers' requests are handled only under DATA_SUBJECT_REQUEST.", {
        extensions: { code: KernelCode.FORBIDDEN },
      });
    }
    return new DataSubjectRequestStore(db, ctx.data, scope.caller?.id ?? null, deadlineDays);
  });
