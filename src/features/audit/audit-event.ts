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

/**
 * An event as chained: `hash = sha256(prev_hash || its shape's digest || its canonical text)`,
 * computed inside PostgreSQL by the append function (see verify-chain.ts for the texts).
 */
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

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
