import type { FeatureDb } from "../../kernel/store/feature-db";
import type { AuditEvent, AuditOutcome } from "./audit-event";
import { SqlFilter } from "../../kernel/store/sql-filter";

export interface AuditEventFilter {
  customerId?: string | null;
  clientId?: string | null;
  requestId?: string | null;
  purpose?: string | null;
  outcome?: AuditOutcome | null;
  from?: Date | null;
  to?: Date | null;
}

/** Audit events matching the filter, newest first, `first` at a time before sequence `before`. */
export async function searchAuditEvents(
  db: FeatureDb,
  filter: AuditEventFilter,
  page: { first: number; before?: bigint | null },
): Promise<AuditEvent[]> {
  const f = new SqlFilter()
    .add("customer_ids @> ARRAY[$?::uuid]", filter.customerId)
    .add("client_id = $?::uuid", filter.clientId)
    .add("request_id = $?", filter.requestId)
    .add("purpose = $?", filter.purpose)
    .add("outcome = $?", filter.outcome)
    .add("occurred_at >= $?", filter.from)
    .add("occurred_at < $?", filter.to)
    .add("seq < $?::bigint", page.before?.toString());
  const rows = await db.query(
    `SELECT ${AUDIT_COLUMNS} FROM audit_event ${f.where} ORDER BY audit_event.seq DESC LIMIT ${f.param(page.first)}`,
    f.params,
  );
  return rows.map(toAuditEvent);
}

export const AUDIT_COLUMNS = `seq::text AS seq, occurred_at, request_id, client_id, client_name, recipient_id, purpose, agreement,
  disclosure_ground, disclosure_reference, operation_name, operation_type, document_hash, fields, customer_ids, outcome,
  error_codes, http_status, prev_hash, hash`;

export function toAuditEvent(row: any): AuditEvent {
  return {
    seq: BigInt(row.seq),
    occurredAt: row.occurred_at,
    requestId: row.request_id,
    clientId: row.client_id,
    clientName: row.client_name,
    recipientId: row.recipient_id,
    purpose: row.purpose,
    agreement: row.agreement,
    disclosureGround: row.disclosure_ground,
    disclosureReference: row.disclosure_reference,
    operationName: row.operation_name,
    operationType: row.operation_type,
    documentHash: row.document_hash,
    fields: row.fields,
    customerIds: row.customer_ids,
    outcome: row.outcome,
    errorCodes: row.error_codes,
    httpStatus: row.http_status,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
