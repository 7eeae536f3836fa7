import { registerEnumType } from "type-graphql";

/**
 * The purposes of use, exactly Section 1 of the Personal Information Handling Agreement.
 * This enum is the single source of truth: the GraphQL `Purpose` enum, the `@allowedFor`
 * and `@purpose` directives, client grants and the database all derive from it.
 */
export enum Purpose {
  SERVICE_PROVISION = "SERVICE_PROVISION",
  PRIZE_DELIVERY = "PRIZE_DELIVERY",
  PRODUCT_IMPROVEMENT = "PRODUCT_IMPROVEMENT",
  NOTIFICATION = "NOTIFICATION",
  DATA_SUBJECT_REQUEST = "DATA_SUBJECT_REQUEST",
  USAGE_STATISTICS = "USAGE_STATISTICS",
  INDIVIDUAL_AGREEMENT = "INDIVIDUAL_AGREEMENT",
}

/** Each purpose's clause in the agreement and its text, quoted. */
export const PURPOSE_CLAUSES: Record<Purpose, { clause: string; text: string }> = {
  [Purpose.SERVICE_PROVISION]: {
    clause: "1.1",
    text: "In order to collate and communicate service provision in our business",
  },
  [Purpose.PRIZE_DELIVERY]: {
    clause: "1.2",
    text: "In order to send prizes to winners of gift campaigns etc.",
  },
  [Purpose.PRODUCT_IMPROVEMENT]: {
    clause: "1.3",
    text: "In order to improve products and services and develop new products",
  },
  [Purpose.NOTIFICATION]: {
    clause: "1.4",
    text: "Notification of various information on the services and products in our business",
  },
  [Purpose.DATA_SUBJECT_REQUEST]: {
    clause: "1.5",
    text: "In order to respond to customer requests for disclosure, correction, deletion etc.",
  },
  [Purpose.USAGE_STATISTICS]: {
    clause: "1.6",
    text: "To prepare statistical data such as usage trends of services in our business",
  },
  [Purpose.INDIVIDUAL_AGREEMENT]: {
    clause: "1.7",
    text: "In order to use it for the purpose for which we have separately contacted the customer and accepted individually",
  },
};

export const ALL_PURPOSES: readonly Purpose[] = Object.values(Purpose);

export function isPurpose(value: unknown): value is Purpose {
  return typeof value === "string" && (ALL_PURPOSES as readonly string[]).includes(value);
}

registerEnumType(Purpose, {
  name: "Purpose",
  description: "Purposes of use, Section 1 of the Personal Information Handling Agreement.",
  valuesConfig: Object.fromEntries(
    ALL_PURPOSES.map((p) => [p, { description: `Agreement ${PURPOSE_CLAUSES[p].clause}: "${PURPOSE_CLAUSES[p].text}"` }]),
  ) as Record<Purpose, { description: string }>,
});
