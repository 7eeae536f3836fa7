import { defineCodes } from "../../kernel/errors/catalogue";

export const AuditCodes = defineCodes({
  AUDIT_UNAVAILABLE: { status: 503, safe: true, meaning: "the audit event could not be committed: the response is withheld (fail closed)" },
});
export const AuditCode = AuditCodes.codes;
