import { DATA_CATEGORIES as C } from "../../kernel/personal-data/categories";
import { declareTable } from "../../kernel/personal-data/declaration";

const proof = "the record of a customer's request and how it was answered (agreement 1.5)";

/** A customer's request for disclosure, correction or deletion. */
export const DATA_SUBJECT_REQUEST = declareTable({
  table: "data_subject_request",
  owner: "requests",
  link: { kind: "column", column: "customer_id" },
  columns: {
    id: { column: "id", kind: "key", sqlType: "uuid", category: C.REQUEST_CONTENT },
    customerId: { column: "customer_id", kind: "link", sqlType: "uuid", exportAs: null },
    kind: { column: "kind", kind: "record", sqlType: "text", reason: proof },
    status: { column: "status", kind: "record", sqlType: "text", reason: proof },
    // free text staff wrote: may quote personal values
    refusalReason: { column: "refusal_reason", kind: "personal", sqlType: "text", category: C.REQUEST_CONTENT },
    receivedAt: { column: "received_at", kind: "record", sqlType: "timestamptz", reason: proof },
    dueAt: { column: "due_at", kind: "record", sqlType: "timestamptz", reason: proof },
    completedAt: { column: "completed_at", kind: "record", sqlType: "timestamptz", reason: proof },
  },
  erasure: { action: "keep" },
  export: { section: "requests", order: "x.received_at, x.id", children: ["data_subject_request_event", "data_subject_correction"] },
});

/** A step in a request's history. */
export const DATA_SUBJECT_REQUEST_EVENT = declareTable({
  table: "data_subject_request_event",
  owner: "requests",
  link: { kind: "via", column: "request_id", table: "data_subject_request" },
  columns: {
    id: { column: "id", kind: "key", sqlType: "bigint", category: C.REQUEST_CONTENT, exportAs: null },
    requestId: { column: "request_id", kind: "link", sqlType: "uuid", exportAs: null },
    status: { column: "status", kind: "record", sqlType: "text", reason: proof },
    note: { column: "note", kind: "personal", sqlType: "text", category: C.REQUEST_CONTENT },
    clientId: { column: "client_id", kind: "record", sqlType: "uuid", reason: "which API client took the step", exportAs: null },
    at: { column: "at", kind: "record", sqlType: "timestamptz", reason: proof },
  },
  erasure: { action: "keep" },
  export: { section: "history", order: "x.id" },
});

/** A requested correction, with the values before and after (erased with the customer). */
export const DATA_SUBJECT_CORRECTION = declareTable({
  table: "data_subject_correction",
  owner: "requests",
  link: { kind: "via", column: "request_id", table: "data_subject_request" },
  columns: {
    id: { column: "id", kind: "key", sqlType: "bigint", category: C.REQUEST_CONTENT, exportAs: null },
    requestId: { column: "request_id", kind: "link", sqlType: "uuid", exportAs: null },
    field: { column: "field", kind: "record", sqlType: "text", reason: "which field the customer asked to correct (a name, no value)" },
    requestedValue: { column: "requested_value", kind: "personal", sqlType: "text", category: C.REQUEST_CONTENT },
    beforeValue: { column: "before_value", kind: "personal", sqlType: "text", category: C.REQUEST_CONTENT },
    afterValue: { column: "after_value", kind: "personal", sqlType: "text", category: C.REQUEST_CONTENT },
    appliedAt: { column: "applied_at", kind: "record", sqlType: "timestamptz", reason: proof },
    erasedAt: {
      column: "erased_at",
      kind: "lifecycle",
      sqlType: "timestamptz",
      reason: "when its values were erased with the customer",
      exportAs: null,
    },
  },
  erasure: { action: "keep", set: { erased_at: "coalesce(erased_at, now())" } },
  export: { section: "corrections", order: "x.id" },
});

/** The notice of an erasure to a recipient that had received the customer's data. */
export const ERASURE_NOTIFICATION = declareTable({
  table: "erasure_notification",
  owner: "requests",
  link: { kind: "column", column: "customer_id" },
  columns: {
    id: { column: "id", kind: "key", sqlType: "uuid", category: C.REQUEST_CONTENT, exportAs: null },
    requestId: { column: "request_id", kind: "record", sqlType: "uuid", reason: "which request the notice answers", exportAs: null },
    customerId: { column: "customer_id", kind: "link", sqlType: "uuid", exportAs: null },
    recipientId: { column: "recipient_id", kind: "record", sqlType: "uuid", reason: "who must be told", exportAs: null },
    status: { column: "status", kind: "record", sqlType: "text", reason: "whether the recipient was told" },
    attempts: { column: "attempts", kind: "record", sqlType: "integer", reason: "delivery attempts" },
    nextAttemptAt: { column: "next_attempt_at", kind: "record", sqlType: "timestamptz", reason: "delivery schedule", exportAs: null },
    lastError: {
      column: "last_error",
      kind: "record",
      sqlType: "text",
      reason: "why the last delivery failed (the recipient's answer, no personal value)",
      exportAs: null,
    },
    deliveredAt: { column: "delivered_at", kind: "record", sqlType: "timestamptz", reason: "when the recipient was told" },
    createdAt: { column: "created_at", kind: "record", sqlType: "timestamptz", reason: "when the erasure was done", exportAs: null },
  },
  erasure: { action: "keep" },
  export: {
    section: "erasureNotifications",
    order: "x.created_at",
    lookups: { recipient: { table: "recipient", via: "recipient_id", column: "name" } },
  },
});

export const REQUEST_TABLES = [DATA_SUBJECT_REQUEST, DATA_SUBJECT_REQUEST_EVENT, DATA_SUBJECT_CORRECTION, ERASURE_NOTIFICATION] as const;
