import { registerStatus } from "../governance/errors";
import { allowSafeErrorCode } from "../server/format-error";

/** Refusal codes of the disclosure and processor rules (agreement Sections 3 and 4). */
export const DisclosureCode = {
  /** a third party's operation did not declare `@disclosure` */
  DISCLOSURE_GROUND_REQUIRED: "DISCLOSURE_GROUND_REQUIRED",
  /** the declared ground is not granted to the caller's recipient */
  DISCLOSURE_GROUND_NOT_GRANTED: "DISCLOSURE_GROUND_NOT_GRANTED",
  /** LEGAL_REQUEST / REQUIRED_BY_LAW without a usable reference (court order, statute) */
  DISCLOSURE_REFERENCE_REQUIRED: "DISCLOSURE_REFERENCE_REQUIRED",
  /** `@disclosure` from a client that does not act for a third party */
  DISCLOSURE_NOT_THIRD_PARTY: "DISCLOSURE_NOT_THIRD_PARTY",
  /** ANONYMOUS_STATISTICS reaching anything but the statistics API */
  DISCLOSURE_STATISTICS_ONLY: "DISCLOSURE_STATISTICS_ONLY",
  /** a third party reaching a personal field outside its registered fields */
  RECIPIENT_FIELD_NOT_REGISTERED: "RECIPIENT_FIELD_NOT_REGISTERED",
  /** a processor declaring a purpose its contract does not cover */
  PROCESSOR_PURPOSE_NOT_CONTRACTED: "PROCESSOR_PURPOSE_NOT_CONTRACTED",
  /** a processor reaching a personal field outside its contract */
  PROCESSOR_FIELD_NOT_CONTRACTED: "PROCESSOR_FIELD_NOT_CONTRACTED",
} as const;

const STATUSES: Record<keyof typeof DisclosureCode, number> = {
  DISCLOSURE_GROUND_REQUIRED: 400,
  DISCLOSURE_GROUND_NOT_GRANTED: 403,
  DISCLOSURE_REFERENCE_REQUIRED: 400,
  DISCLOSURE_NOT_THIRD_PARTY: 403,
  DISCLOSURE_STATISTICS_ONLY: 403,
  RECIPIENT_FIELD_NOT_REGISTERED: 403,
  PROCESSOR_PURPOSE_NOT_CONTRACTED: 403,
  PROCESSOR_FIELD_NOT_CONTRACTED: 403,
};

for (const [code, status] of Object.entries(STATUSES)) {
  registerStatus(code, status);
  allowSafeErrorCode(code);
}
