import { declareTable } from "../../kernel/personal-data/declaration";
import { ComplianceRole } from "../../kernel/caller/roles";

const fact = "accountability: who received which data, when, for what purpose and on which ground (no personal value)";

/**
 * The audit trail: one hash-chained event per request. Events name the customers whose data
 * a response carried, by id only, so an erasure never touches the trail (or breaks its chain).
 * `audit_event` is a view (migration 1764610000000): the chain's events with their shape (what
 * repeats between events, stored once in `audit_shape`), the hashes in hex; it is what the
 * officer searches and what a customer's export reads.
 */
export const AUDIT_EVENT = declareTable({
  table: "audit_event",
  owner: "audit",
  link: { kind: "array", column: "customer_ids" },
  columns: {
    seq: { column: "seq", kind: "record", sqlType: "bigint", reason: fact, exportAs: null },
    occurredAt: { column: "occurred_at", kind: "record", sqlType: "timestamptz", reason: fact, exportAs: "at" },
    requestId: { column: "request_id", kind: "record", sqlType: "text", reason: fact, exportAs: null },
    clientId: { column: "client_id", kind: "record", sqlType: "uuid", reason: fact, exportAs: null },
    clientName: { column: "client_name", kind: "record", sqlType: "text", reason: fact, exportAs: "client" },
    recipientId: { column: "recipient_id", kind: "record", sqlType: "uuid", reason: fact, exportAs: null },
    purpose: { column: "purpose", kind: "record", sqlType: "text", reason: fact },
    agreement: { column: "agreement", kind: "record", sqlType: "text", reason: fact },
    disclosureGround: { column: "disclosure_ground", kind: "record", sqlType: "text", reason: fact },
    disclosureReference: { column: "disclosure_reference", kind: "record", sqlType: "text", reason: fact },
    operationName: { column: "operation_name", kind: "record", sqlType: "text", reason: fact, exportAs: "operation" },
    operationType: { column: "operation_type", kind: "record", sqlType: "text", reason: fact, exportAs: null },
    documentHash: { column: "document_hash", kind: "record", sqlType: "text", reason: fact, exportAs: null },
    fields: { column: "fields", kind: "record", sqlType: "text[]", reason: fact },
    customerIds: { column: "customer_ids", kind: "link", sqlType: "uuid[]", exportAs: null },
    outcome: { column: "outcome", kind: "record", sqlType: "text", reason: fact },
    errorCodes: { column: "error_codes", kind: "record", sqlType: "text[]", reason: fact, exportAs: null },
    httpStatus: { column: "http_status", kind: "record", sqlType: "integer", reason: fact, exportAs: null },
    prevHash: { column: "prev_hash", kind: "record", sqlType: "text", reason: "the hash chain", exportAs: null },
    hash: { column: "hash", kind: "record", sqlType: "text", reason: "the hash chain", exportAs: null },
  },
  erasure: { action: "keep" },
  export: { section: "accessLog", order: "x.seq", lookups: { recipient: { table: "recipient", via: "recipient_id", column: "name" } } },
  complianceRole: ComplianceRole.PRIVACY_OFFICER,
});

/**
 * The chain itself, behind the view: per event only what differs (time, request, customers)
 * and its links. Exported through `audit_event`, not on its own.
 */
export const AUDIT_CHAIN = declareTable({
  table: "audit_chain",
  owner: "audit",
  link: { kind: "array", column: "customer_ids" },
  columns: {
    seq: { column: "seq", kind: "record", sqlType: "bigint", reason: fact },
    occurredAt: { column: "occurred_at", kind: "record", sqlType: "timestamptz", reason: fact },
    shapeId: { column: "shape_id", kind: "record", sqlType: "integer", reason: fact },
    requestId: { column: "request_id", kind: "record", sqlType: "text", reason: fact },
    customerIds: { column: "customer_ids", kind: "link", sqlType: "uuid[]" },
    prevHash: { column: "prev_hash", kind: "record", sqlType: "bytea", reason: "the hash chain" },
    hash: { column: "hash", kind: "record", sqlType: "bytea", reason: "the hash chain" },
  },
  erasure: { action: "keep" },
  exportedThrough: "audit_event",
  complianceRole: ComplianceRole.PRIVACY_OFFICER,
});

/**
 * The disclosure ledger (APPI Art. 29): one record per customer per provision to a third
 * party or processor, written with the audit event. Read by the privacy officer's ledger view
 * (disclosure feature) and by an erasure, which tells every recipient (requests feature).
 */
export const DISCLOSURE_RECORD = declareTable({
  table: "disclosure_record",
  owner: "audit",
  readers: ["disclosure", "requests"],
  link: { kind: "column", column: "customer_id" },
  columns: {
    id: { column: "id", kind: "record", sqlType: "bigint", reason: fact, exportAs: null },
    eventSeq: { column: "event_seq", kind: "record", sqlType: "bigint", reason: fact, exportAs: null },
    recipientId: { column: "recipient_id", kind: "record", sqlType: "uuid", reason: fact, exportAs: null },
    recipientKind: { column: "recipient_kind", kind: "record", sqlType: "text", reason: fact },
    customerId: { column: "customer_id", kind: "link", sqlType: "uuid", exportAs: null },
    dataItems: { column: "data_items", kind: "record", sqlType: "text[]", reason: fact },
    ground: { column: "ground", kind: "record", sqlType: "text", reason: fact },
    purpose: { column: "purpose", kind: "record", sqlType: "text", reason: fact },
    reference: { column: "reference", kind: "record", sqlType: "text", reason: fact },
    disclosedAt: { column: "disclosed_at", kind: "record", sqlType: "timestamptz", reason: fact, exportAs: "at" },
    retainUntil: {
      column: "retain_until",
      kind: "record",
      sqlType: "timestamptz",
      reason: "kept for its retention period (LEDGER_RETENTION_DAYS)",
      exportAs: null,
    },
  },
  erasure: { action: "keep" },
  export: {
    section: "thirdPartyDisclosures",
    order: "x.id",
    lookups: {
      recipient: { table: "recipient", via: "recipient_id", column: "name" },
      contract: { table: "recipient", via: "recipient_id", column: "contract_ref" },
    },
  },
  complianceRole: ComplianceRole.PRIVACY_OFFICER,
});

export const AUDIT_TABLES = [AUDIT_EVENT, AUDIT_CHAIN, DISCLOSURE_RECORD] as const;
