import { Purpose } from "../purposes/purpose";

/**
 * The data categories of the personal-data store and the purposes each may be used for:
 * the taxonomy, as data (after fideslang's data categories and data uses). Every grant of
 * a purpose to a category names the clause of the Personal Information Handling Agreement
 * it rests on and says why, so the privacy officer can read the policy here and nowhere
 * else. A personal column is declared with its category (declaration.ts); the SDL's
 * `@allowedFor`, the data layer's column lists, the export, the erasure and the corrections
 * derive from that declaration. Versioned with the policy: changing a grant changes the
 * field policy the next published policy version snapshots (`npm run policy -- diff`).
 */
export interface CategoryGrant {
  readonly purpose: Purpose;
  /** the agreement's clause, e.g. "1.1" */
  readonly clause: string;
  readonly why: string;
}

export interface DataCategory {
  /** dotted name, fideslang style: user.contact.email */
  readonly name: string;
  readonly description: string;
  readonly grants: readonly CategoryGrant[];
  /** for a generalisation: the categories it is computed from (it may be used where its own grants say) */
  readonly generalises?: readonly string[];
}

const {
  SERVICE_PROVISION: SP,
  PRIZE_DELIVERY: PD,
  PRODUCT_IMPROVEMENT: PI,
  NOTIFICATION: NO,
  DATA_SUBJECT_REQUEST: DSR,
  INDIVIDUAL_AGREEMENT: IA,
} = Purpose;

const CLAUSE: Record<Purpose, string> = {
  SERVICE_PROVISION: "1.1",
  PRIZE_DELIVERY: "1.2",
  PRODUCT_IMPROVEMENT: "1.3",
  NOTIFICATION: "1.4",
  DATA_SUBJECT_REQUEST: "1.5",
  USAGE_STATISTICS: "1.6",
  INDIVIDUAL_AGREEMENT: "1.7",
};

const grant = (purpose: Purpose, why: string): CategoryGrant => ({ purpose, clause: CLAUSE[purpose], why });
/** Every category may be disclosed to the customer who asks for it (1.5). */
const answerRequests = grant(DSR, "disclosed, corrected or erased when the customer asks");
/** Statistics never read categories: they get aggregates over generalised dimensions only (1.6). */

function category(name: string, description: string, grants: CategoryGrant[], generalises?: string[]): DataCategory {
  return Object.freeze({
    name,
    description,
    grants: Object.freeze([...grants, answerRequests]),
    ...(generalises ? { generalises: Object.freeze(generalises) } : {}),
  });
}

export const DATA_CATEGORIES = {
  UNIQUE_ID: category("user.unique_id", "The id the company gives a customer (or one of their records).", [
    grant(SP, "to serve the customer's account"),
    grant(PD, "to match a winner to their prize"),
    grant(PI, "to tell records of one customer apart, without knowing who they are"),
    grant(NO, "to address a notification to the subscriber"),
    grant(IA, "to act on what the customer separately agreed to"),
  ]),
  NAME: category("user.name", "The customer's full name.", [
    grant(SP, "to address the customer about their service"),
    grant(PD, "to address the prize parcel"),
    grant(NO, "to address the notification"),
    grant(IA, "to address the customer about what they agreed to"),
  ]),
  EMAIL: category("user.contact.email", "The customer's e-mail address.", [
    grant(SP, "to communicate about the service"),
    grant(NO, "to send the notifications the customer subscribed to"),
    grant(IA, "to contact the customer about what they agreed to"),
  ]),
  PHONE: category("user.contact.phone_number", "The customer's telephone number.", [
    grant(SP, "to communicate about the service"),
    grant(PD, "for the delivery of the prize"),
  ]),
  POSTAL_CODE: category("user.contact.address.postal_code", "The postal code of the customer's address.", [
    grant(SP, "to provide and bill the service"),
    grant(PD, "to ship the prize"),
  ]),
  PREFECTURE: category("user.contact.address.state", "The prefecture of the customer's address.", [
    grant(SP, "to provide and bill the service"),
    grant(PD, "to ship the prize"),
    grant(PI, "to see where products are used, at prefecture level"),
    grant(IA, "where the agreement concerns the customer's area"),
  ]),
  STREET_ADDRESS: category("user.contact.address.street", "The street address of the customer's address.", [
    grant(SP, "to provide and bill the service"),
    grant(PD, "to ship the prize"),
  ]),
  BIRTH_DATE: category("user.demographic.date_of_birth", "The customer's date of birth.", []),
  GENDER: category("user.demographic.gender", "The customer's gender.", [grant(PI, "to understand who uses which products")]),
  SIGN_UP: category("user.account.sign_up", "When the customer's account was created.", [
    grant(SP, "to serve the account"),
    grant(PI, "to understand how long customers use a product"),
  ]),
  SERVICE_USAGE: category("user.behavior.service_usage", "A customer's uses of a service: what, how much was paid, when.", [
    grant(SP, "to collate and communicate the service provided (1.1 itself)"),
    grant(PI, "to improve products from how they are used"),
  ]),
  CAMPAIGN_ENTRY: category("user.behavior.campaign_entry", "A customer's entries in gift campaigns, whether they won, shipping.", [
    grant(SP, "to show the customer their entries"),
    grant(PD, "to send prizes to winners (1.2 itself)"),
  ]),
  NOTIFICATION_PREFERENCE: category("user.contact.preferences", "Which notifications a customer subscribed to.", [
    grant(SP, "to let the customer manage their subscriptions"),
    grant(NO, "to notify only subscribers"),
  ]),
  CONSENT: category("user.consent", "What a customer individually agreed to, and under which policy version.", [
    grant(SP, "to let the customer see and change what they agreed to"),
  ]),
  REQUEST_CONTENT: category("user.request", "What a customer's request says: corrected values, notes, reasons.", []),
  AGE_BAND: category(
    "user.demographic.age_range",
    "A ten-year age band computed from the date of birth (under 20 and 80+ pooled): a generalisation.",
    [grant(PI, "to understand which age groups use which products, without the birth date")],
    ["user.demographic.date_of_birth"],
  ),
  REGION: category(
    "user.contact.address.region",
    "The region of Japan of the customer's prefecture (8 regions): a generalisation.",
    [
      grant(SP, "as the prefecture"),
      grant(PD, "as the prefecture"),
      grant(PI, "to see where products are used, at region level"),
      grant(IA, "as the prefecture"),
    ],
    ["user.contact.address.state"],
  ),
} as const satisfies Record<string, DataCategory>;

export type CategoryKey = keyof typeof DATA_CATEGORIES;

/** The purposes a category may be used for, in the order of the Purpose enum. */
export function purposesOf(category: DataCategory): Purpose[] {
  const granted = new Set(category.grants.map((g) => g.purpose));
  return Object.values(Purpose).filter((p) => granted.has(p));
}

/** The purposes every one of `categories` may be used for (a value derived from all of them). */
export function commonPurposes(categories: readonly DataCategory[]): Purpose[] {
  return Object.values(Purpose).filter((p) => categories.every((c) => purposesOf(c).includes(p)));
}
