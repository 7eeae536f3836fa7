import { GraphQLError } from "graphql";
import type { DataSource, EntityManager } from "typeorm";
import { KernelCode } from "../../kernel/errors/catalogue";
import { Purpose } from "../../kernel/purposes/purpose";
import { provide, serviceKey } from "../../kernel/services";
import { CORRECTABLE } from "./correctable-fields";
import { buildDisclosureExport } from "./disclosure-export";
import { eraseCustomer, eraseRequestFreeText } from "./erasure";
import { CorrectableField, DataSubjectRequestKind, DataSubjectRequestStatus, OPEN_STATUSES } from "./request-enums";
import type { DataSubjectRequest } from "./request-types";

const bad = (message: string, code = "BAD_USER_INPUT") => new GraphQLError(message, { extensions: { code } });

/**
 * Customers' requests (agreement 1.5): received, in progress, then completed or refused,
 * every step recorded. Reached only through the data layer under DATA_SUBJECT_REQUEST.
 * Completing a request does its work in the same transaction as the status change.
 */
export class DataSubjectRequestStore {
  constructor(
    private readonly db: DataSource,
    private readonly clientId: string | null,
    /** ids of customers whose personal data this request releases (for the audit trail) */
    private readonly released: Set<string>,
    private readonly deadlineDays: number,
  ) {}

  async receive(customerId: string, kind: DataSubjectRequestKind, corrections: Array<{ field: CorrectableField; value: string }>, note: string | null) {
    if (kind === DataSubjectRequestKind.CORRECTION) {
      if (corrections.length === 0) throw bad("A correction request names at least one field and its corrected value.");
      const fields = new Set<string>();
      for (const c of corrections) {
        if (fields.has(c.field)) throw bad(`${c.field} is named twice.`);
        fields.add(c.field);
        if (!CORRECTABLE[c.field].valid(c.value)) throw bad(`Invalid value for ${c.field}: expected ${CORRECTABLE[c.field].hint}.`);
      }
    } else if (corrections.length > 0) {
      throw bad("Only a CORRECTION request carries corrections.");
    }
    return this.db.transaction(async (m) => {
      // any customer the store has held, even erased: a person may always ask what is left
      const [exists] = await m.query(`SELECT 1 FROM customer WHERE id = $1`, [customerId]);
      if (!exists) throw bad("No such customer.", "NOT_FOUND");
      const [{ id }] = await m.query(
        `INSERT INTO data_subject_request (customer_id, kind, status, due_at) VALUES ($1, $2, 'RECEIVED', now() + make_interval(days => $3)) RETURNING id`,
        [customerId, kind, this.deadlineDays],
      );
      for (const c of corrections) {
        await m.query(`INSERT INTO data_subject_correction (request_id, field, requested_value) VALUES ($1, $2, $3)`, [id, c.field, c.value]);
      }
      await this.record(m, id, DataSubjectRequestStatus.RECEIVED, note);
      return id as string;
    });
  }

  async start(id: string, note: string | null): Promise<void> {
    await this.db.transaction(async (m) => {
      const request = await this.lockOpen(m, id);
      if (request.status !== DataSubjectRequestStatus.RECEIVED) throw bad("Only a received request can be started.", "INVALID_REQUEST_STATE");
      await m.query(`UPDATE data_subject_request SET status = 'IN_PROGRESS' WHERE id = $1`, [id]);
      await this.record(m, id, DataSubjectRequestStatus.IN_PROGRESS, note);
    });
  }

  async refuse(id: string, reason: string): Promise<void> {
    if (!reason.trim()) throw bad("A refusal needs a reason.");
    await this.db.transaction(async (m) => {
      await this.lockOpen(m, id);
      await m.query(`UPDATE data_subject_request SET status = 'REFUSED', refusal_reason = $2, completed_at = now() WHERE id = $1`, [id, reason]);
      await this.record(m, id, DataSubjectRequestStatus.REFUSED, reason);
    });
  }

  /** Does what the request asks, then marks it completed. A disclosure returns the export. */
  async complete(id: string, note: string | null): Promise<Record<string, unknown> | null> {
    return this.db.transaction(async (m) => {
      const request = await this.lockOpen(m, id);
      let exported: Record<string, unknown> | null = null;
      const [customer] = await m.query(`SELECT erased_at FROM customer WHERE id = $1 FOR UPDATE`, [request.customer_id]);
      switch (request.kind as DataSubjectRequestKind) {
        case DataSubjectRequestKind.DISCLOSURE:
          exported = await buildDisclosureExport(m, request.customer_id, id);
          if (!customer.erased_at) this.released.add(request.customer_id);
          break;
        case DataSubjectRequestKind.CORRECTION:
          if (customer.erased_at) throw bad("The customer's data has been erased: nothing to correct.", "INVALID_REQUEST_STATE");
          await this.applyCorrections(m, id, request.customer_id);
          this.released.add(request.customer_id);
          break;
        case DataSubjectRequestKind.DELETION:
          if (!customer.erased_at) await eraseCustomer(m, request.customer_id, id);
          break;
      }
      await m.query(`UPDATE data_subject_request SET status = 'COMPLETED', completed_at = now() WHERE id = $1`, [id]);
      await this.record(m, id, DataSubjectRequestStatus.COMPLETED, note);
      if (request.kind === DataSubjectRequestKind.DELETION) await eraseRequestFreeText(m, request.customer_id);
      return exported;
    });
  }

  private async applyCorrections(m: EntityManager, requestId: string, customerId: string): Promise<void> {
    const corrections: Array<{ field: CorrectableField; requested_value: string }> = await m.query(
      `SELECT field, requested_value FROM data_subject_correction WHERE request_id = $1 ORDER BY id`,
      [requestId],
    );
    for (const c of corrections) {
      const { column } = CORRECTABLE[c.field];
      // column names come from the fixed CORRECTABLE table, never from input
      const [before] = await m.query(`SELECT ${column}::text AS v FROM customer WHERE id = $1`, [customerId]);
      await m.query(`UPDATE customer SET ${column} = $2 WHERE id = $1`, [customerId, c.requested_value]);
      const [after] = await m.query(`SELECT ${column}::text AS v FROM customer WHERE id = $1`, [customerId]);
      await m.query(
        `UPDATE data_subject_correction SET before_value = $3, after_value = $4, applied_at = now() WHERE request_id = $1 AND field = $2`,
        [requestId, c.field, before.v, after.v],
      );
    }
  }

  private async lockOpen(m: EntityManager, id: string) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw bad("No such request.", "NOT_FOUND");
    const [request] = await m.query(`SELECT id, customer_id, kind, status FROM data_subject_request WHERE id = $1 FOR UPDATE`, [id]);
    if (!request) throw bad("No such request.", "NOT_FOUND");
    if (!(OPEN_STATUSES as readonly string[]).includes(request.status)) {
      throw bad(`The request is already ${request.status.toLowerCase()}.`, "INVALID_REQUEST_STATE");
    }
    return request as { id: string; customer_id: string; kind: string; status: DataSubjectRequestStatus };
  }

  private async record(m: EntityManager, id: string, status: DataSubjectRequestStatus, note: string | null): Promise<void> {
    await m.query(`INSERT INTO data_subject_request_event (request_id, status, note, client_id) VALUES ($1, $2, $3, $4)`, [id, status, note, this.clientId]);
  }

  // ---- reading --------------------------------------------------------------------------

  async get(id: string): Promise<DataSubjectRequest | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return (await this.load(`r.id = $1`, [id]))[0] ?? null;
  }

  async list(filter: { status?: DataSubjectRequestStatus | null; customerId?: string | null; overdue?: boolean | null }): Promise<DataSubjectRequest[]> {
    const where: string[] = ["TRUE"];
    const params: unknown[] = [];
    if (filter.status) where.push(`r.status = $${params.push(filter.status)}`);
    if (filter.customerId) where.push(`r.customer_id = $${params.push(filter.customerId)}`);
    if (filter.overdue) where.push(`r.status IN ('RECEIVED', 'IN_PROGRESS') AND r.due_at < now()`);
    return this.load(where.join(" AND "), params);
  }

  /** Requests with their history, corrections and erasure notices: four statements, whatever the count. */
  private async load(where: string, params: unknown[]): Promise<DataSubjectRequest[]> {
    const rows = await this.db.query(
      `SELECT r.id, r.customer_id AS "customerId", r.kind, r.status, r.refusal_reason AS "refusalReason",
              r.received_at AS "receivedAt", r.due_at AS "dueAt", r.completed_at AS "completedAt"
         FROM data_subject_request r WHERE ${where} ORDER BY r.received_at DESC LIMIT 500`,
      params,
    );
    if (rows.length === 0) return [];
    // A request is personal data about its customer (corrections carry old and new values):
    // whoever reads it has read that customer's data, and the audit event must say so.
    for (const r of rows as Array<{ customerId: string }>) this.released.add(r.customerId);
    const ids = rows.map((r: { id: string }) => r.id);
    const [history, corrections, notices] = await Promise.all([
      this.db.query(`SELECT request_id, status, note, at FROM data_subject_request_event WHERE request_id = ANY($1) ORDER BY id`, [ids]),
      this.db.query(
        `SELECT request_id, field, requested_value AS "requestedValue", before_value AS "beforeValue", after_value AS "afterValue", applied_at AS "appliedAt"
           FROM data_subject_correction WHERE request_id = ANY($1) ORDER BY id`,
        [ids],
      ),
      this.db.query(
        `SELECT n.request_id, n.recipient_id AS "recipientId", r.name AS "recipientName", n.status, n.attempts, n.last_error AS "lastError", n.delivered_at AS "deliveredAt"
           FROM erasure_notification n JOIN recipient r ON r.id = n.recipient_id WHERE n.request_id = ANY($1) ORDER BY r.name`,
        [ids],
      ),
    ]);
    const group = <T extends { request_id: string }>(items: T[], id: string) =>
      items.filter((x) => x.request_id === id).map(({ request_id: _r, ...rest }) => rest);
    return rows.map((r: DataSubjectRequest) => ({
      ...r,
      history: group(history, r.id),
      corrections: group(corrections, r.id),
      erasureNotifications: group(notices, r.id),
    })) as DataSubjectRequest[];
  }
}

export const REQUESTS = serviceKey<DataSubjectRequestStore>("requests.store");

/** The request store of a request: only under DATA_SUBJECT_REQUEST. */
export const requestStore = (db: DataSource, deadlineDays: number) =>
  provide(REQUESTS, (ctx) => {
    const { scope, released } = ctx.data;
    if (scope.purpose !== Purpose.DATA_SUBJECT_REQUEST) {
      throw new GraphQLError("Customers' requests are handled only under DATA_SUBJECT_REQUEST.", { extensions: { code: KernelCode.FORBIDDEN } });
    }
    return new DataSubjectRequestStore(db, scope.caller?.id ?? null, released, deadlineDays);
  });
