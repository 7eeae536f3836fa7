import { defineCodes } from "../../kernel/errors/catalogue";

/** Refusal codes of the disclosure and processor rules (agreement Sections 3 and 4). */
export const DisclosureCodes = defineCodes({
  DISCLOSURE_GROUND_REQUIRED: { status: 400, safe: true, meaning: "a third party's operation did not declare `@disclosure`" },
  DISCLOSURE_GROUND_NOT_GRANTED: { status: 403, safe: true, meaning: "the declared ground is not granted to the caller's recipient" },
  DISCLOSURE_REFERENCE_REQUIRED: {
    status: 400,
    safe: true,
    meaning: "LEGAL_REQUEST / REQUIRED_BY_LAW without a reference (court order, statute)",
  },
  DISCLOSURE_NOT_THIRD_PARTY: { status: 403, safe: true, meaning: "`@disclosure` from a client that does not act for a third party" },
  DISCLOSURE_STATISTICS_ONLY: { status: 403, safe: true, meaning: "ANONYMOUS_STATISTICS reaching anything but the statistics API" },
  RECIPIENT_FIELD_NOT_REGISTERED: {
    status: 403,
    safe: true,
    meaning: "a third party reaching a personal field outside its registered fields",
  },
  PROCESSOR_PURPOSE_NOT_CONTRACTED: { status: 403, safe: true, meaning: "a processor declaring a purpose its contract does not cover" },
  PROCESSOR_FIELD_NOT_CONTRACTED: { status: 403, safe: true, meaning: "a processor reaching a personal field outside its contract" },
});
export const DisclosureCode = DisclosureCodes.codes;
