/**
 * The receipt every GraphQL answer carries in `extensions.governance`: on what the answer
 * was given (purpose, individual agreement or disclosure ground, the policy version in
 * force), how to find it again (the request id and the audit event's sequence number) and
 * how many customers' data it carries. Never a personal value.
 */
export interface GovernanceReceipt {
  requestId: string;
  purpose: string | null;
  /** the individual agreement named with INDIVIDUAL_AGREEMENT (1.7) */
  agreement: string | null;
  /** the ground a third party receives the data on (Section 3) */
  disclosureGround: string | null;
  /** the version of the agreement in force when the answer was given (Section 5) */
  policyVersion: string | null;
  /** the audit event recording this answer; null when it was not recorded */
  auditSeq: string | null;
  /** how many distinct customers' data the answer carries */
  customers: number;
}

export const RECEIPT_EXTENSION = "governance";

interface ResultWithExtensions {
  extensions?: Record<string, unknown>;
}

/**
 * Adds to the receipt in a result, creating it when absent. The parts come from different
 * plugins (the receipt plugin, the audit trail once it committed), in whatever order their
 * hooks finish, so each merges what it knows.
 */
export function addToReceipt(result: ResultWithExtensions, part: Partial<GovernanceReceipt>): GovernanceReceipt {
  result.extensions ??= {};
  const existing = result.extensions[RECEIPT_EXTENSION] as GovernanceReceipt | undefined;
  const receipt = Object.assign(existing ?? emptyReceipt(), part);
  result.extensions[RECEIPT_EXTENSION] = receipt;
  return receipt;
}

export function receiptIn(result: ResultWithExtensions): GovernanceReceipt | undefined {
  return result.extensions?.[RECEIPT_EXTENSION] as GovernanceReceipt | undefined;
}

function emptyReceipt(): GovernanceReceipt {
  return { requestId: "", purpose: null, agreement: null, disclosureGround: null, policyVersion: null, auditSeq: null, customers: 0 };
}
