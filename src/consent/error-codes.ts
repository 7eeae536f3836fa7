import { registerStatus } from "../governance/errors";
import { allowSafeErrorCode } from "../server/format-error";

/**
 * The error codes of consent and individual agreements, with their HTTP status (for
 * refusals before execution) and marked safe to show (their messages are written for the
 * caller and carry no personal values). Registered once, on import.
 */
export const ConsentCode = {
  /** INDIVIDUAL_AGREEMENT without `agreement:` */
  AGREEMENT_REQUIRED: "AGREEMENT_REQUIRED",
  /** `agreement:` on a purpose other than INDIVIDUAL_AGREEMENT */
  AGREEMENT_NOT_APPLICABLE: "AGREEMENT_NOT_APPLICABLE",
  /** an agreement key that is malformed, not registered, or retired */
  AGREEMENT_UNKNOWN: "AGREEMENT_UNKNOWN",
  /** a policy version that does not exist (or none is in force yet) */
  POLICY_VERSION_UNKNOWN: "POLICY_VERSION_UNKNOWN",
  /** consent to disclosure naming no registered third party that receives on CUSTOMER_CONSENT */
  RECIPIENT_UNKNOWN: "RECIPIENT_UNKNOWN",
} as const;

registerStatus(ConsentCode.AGREEMENT_REQUIRED, 400);
registerStatus(ConsentCode.AGREEMENT_NOT_APPLICABLE, 400);
registerStatus(ConsentCode.AGREEMENT_UNKNOWN, 400);
registerStatus(ConsentCode.POLICY_VERSION_UNKNOWN, 400);
registerStatus(ConsentCode.RECIPIENT_UNKNOWN, 400);
for (const code of Object.values(ConsentCode)) allowSafeErrorCode(code);
