import { registerStatus } from "../governance/errors";
import { allowSafeErrorCode } from "../server/format-error";

export const AuditCode = {
  /** the audit event could not be committed: the response is withheld (fail closed) */
  AUDIT_UNAVAILABLE: "AUDIT_UNAVAILABLE",
  /** a field needs a compliance role (e.g. PRIVACY_OFFICER) the client does not hold */
  ROLE_REQUIRED: "ROLE_REQUIRED",
} as const;

registerStatus(AuditCode.AUDIT_UNAVAILABLE, 503);
registerStatus(AuditCode.ROLE_REQUIRED, 403);
allowSafeErrorCode(AuditCode.AUDIT_UNAVAILABLE);
allowSafeErrorCode(AuditCode.ROLE_REQUIRED);
