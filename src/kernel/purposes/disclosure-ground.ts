import { registerEnumType } from "type-graphql";

/**
 * The grounds on which personal information may go to a third party: exactly Section 3 of
 * the Personal Information Handling Agreement (3.1–3.5). Declared per operation with
 * `@disclosure(ground: …, reference: …)` and granted per recipient in the registry.
 */
export enum DisclosureGround {
  CUSTOMER_CONSENT = "CUSTOMER_CONSENT",
  ANONYMOUS_STATISTICS = "ANONYMOUS_STATISTICS",
  LEGAL_REQUEST = "LEGAL_REQUEST",
  OTHER_SERVICE_OPERATION = "OTHER_SERVICE_OPERATION",
  REQUIRED_BY_LAW = "REQUIRED_BY_LAW",
}

export const GROUND_CLAUSES: Record<DisclosureGround, { clause: string; text: string }> = {
  [DisclosureGround.CUSTOMER_CONSENT]: { clause: "3.1", text: "When the Customer Agrees" },
  [DisclosureGround.ANONYMOUS_STATISTICS]: {
    clause: "3.2",
    text: "When disclosing and providing statistics of personal information collected for the purpose of grasping usage trends of services to third parties in a form that cannot be specified as individual personal information",
  },
  [DisclosureGround.LEGAL_REQUEST]: {
    clause: "3.3",
    text: "When a public authority such as a court or the authorities concerned request that information is disclosed / provided",
  },
  [DisclosureGround.OTHER_SERVICE_OPERATION]: { clause: "3.4", text: "When it is necessary for the operation of other services" },
  [DisclosureGround.REQUIRED_BY_LAW]: { clause: "3.5", text: "When accepted by law" },
};

export const ALL_GROUNDS: readonly DisclosureGround[] = Object.values(DisclosureGround);

export function isDisclosureGround(value: unknown): value is DisclosureGround {
  return typeof value === "string" && (ALL_GROUNDS as readonly string[]).includes(value);
}

/** Grounds whose disclosure is lawful only with a named instrument (court order, statute). */
export const GROUNDS_NEEDING_REFERENCE: ReadonlySet<DisclosureGround> = new Set([
  DisclosureGround.LEGAL_REQUEST,
  DisclosureGround.REQUIRED_BY_LAW,
]);

registerEnumType(DisclosureGround, {
  name: "DisclosureGround",
  description: "Grounds for disclosure to a third party, Section 3 of the Personal Information Handling Agreement.",
  valuesConfig: Object.fromEntries(
    ALL_GROUNDS.map((g) => [g, { description: `Agreement ${GROUND_CLAUSES[g].clause}: "${GROUND_CLAUSES[g].text}"` }]),
  ) as Record<DisclosureGround, { description: string }>,
});
