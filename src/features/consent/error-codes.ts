import { defineCodes } from "../../kernel/errors/catalogue";

/**
 * The error codes of consent and individual agreements, with their HTTP status (for
 * refusals before execution); their messages are written for the caller and carry no
 * personal values.
 */
export const ConsentCodes = defineCodes({
  AGREEMENT_REQUIRED: { status: 400, safe: true, meaning: "INDIVIDUAL_AGREEMENT without `agreement:`" },
  AGREEMENT_NOT_APPLICABLE: { status: 400, safe: true, meaning: "`agreement:` on a purpose other than INDIVIDUAL_AGREEMENT" },
  AGREEMENT_UNKNOWN: { status: 400, safe: true, meaning: "an agreement key that is malformed, not registered, or retired" },
  POLICY_VERSION_UNKNOWN: { status: 400, safe: true, meaning: "a policy version that does not exist (or none is in force yet)" },
  RECIPIENT_UNKNOWN: {
    status: 400,
    safe: true,
    meaning: "consent to disclosure naming no registered third party that receives on CUSTOMER_CONSENT",
  },
});
export const ConsentCode = ConsentCodes.codes;
