import { createHash } from "node:crypto";

export type AuditOutcome = "ACCEPTED" | "REFUSED";

/**
 * One audited operation, as recorded. Never a personal value: ids, field coordinates,
 * codes and the SHA-256 of the document (documents and variables may carry personal
 * values, so neither is stored). An erasure therefore never has to rewrite the chain.
 */
export interface AuditEventInput {
  occurredAt: Date;
  requestId: string;
  clientId: string | null;
  clientName: string | null;
  recipientId: string | null;
  purpose: string | null;
  agreement: string | null;
  disclosureGround: string | null;
  disclosureReference: string | null;
  operationName: string | null;
  operationType: string | null;
  documentHash: string | null;
  /** field coordinates released (an accepted operation's reach); none for a refusal */
  fields: readonly string[];
  /** customers whose rows the response carried */
  customerIds: readonly string[];
  outcome: AuditOutcome;
  errorCodes: readonly string[];
  httpStatus: number;
}

export interface AuditEvent extends AuditEventInput {
  seq: bigint;
  prevHash: string;
  hash: string;
}

/** The chain's anchor: the predecessor of event 1. */
export const GENESIS_HASH = "0".repeat(64);

/** The event with its arrays in a stable order (what is stored is what is hashed). */
export function normalise(event: AuditEventInput): AuditEventInput {
  return {
    ...event,
    fields: [...new Set(event.fields)].sort(),
    customerIds: [...new Set(event.customerIds.map((id) => id.toLowerCase()))].sort(),
    errorCodes: [...event.errorCodes],
  };
}

/**
 * The canonical text an event's hash covers: JSON with sorted keys, the time in ISO form
 * (millisecond precision, as stored), the sequence number as a decimal string.
 */
export function canonicalEvent(seq: bigint, event: AuditEventInput): string {
  return canonicalJson({
    seq: seq.toString(),
    occurredAt: event.occurredAt.toISOString(),
    requestId: event.requestId,
    clientId: event.clientId,
    clientName: event.clientName,
    recipientId: event.recipientId,
    purpose: event.purpose,
    agreement: event.agreement,
    disclosureGround: event.disclosureGround,
    disclosureReference: event.disclosureReference,
    operationName: event.operationName,
    operationType: event.operationType,
    documentHash: event.documentHash,
    fields: [...event.fields],
    customerIds: [...event.customerIds],
    outcome: event.outcome,
    errorCodes: [...event.errorCodes],
    httpStatus: event.httpStatus,
  });
}

/** `hash = sha256(prev_hash || canonical JSON of the event)`, hex. */
export function chainHash(prevHash: string, seq: bigint, event: AuditEventInput): string {
  return sha256(prevHash + canonicalEvent(seq, event));
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}
