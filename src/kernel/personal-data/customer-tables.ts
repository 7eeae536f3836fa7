import { DATA_CATEGORIES as C } from "./categories";
import { declareTable } from "./declaration";
import { ageBandSql, regionSql } from "./generalisations";
import { PREFECTURE_NAMES } from "./prefectures";
import { Purpose } from "../purposes/purpose";

const GENDERS = ["FEMALE", "MALE", "OTHER", "UNDISCLOSED"];

const validDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString().startsWith(v);
const text200 = { hint: "1–200 characters", valid: (v: string) => v.trim().length >= 1 && v.length <= 200 };

/** The customer: the person the agreement protects. */
export const CUSTOMER = declareTable({
  table: "customer",
  owner: "kernel",
  type: "Customer",
  link: { kind: "self" },
  columns: {
    id: { column: "id", kind: "key", sqlType: "uuid", category: C.UNIQUE_ID, field: "id" },
    fullName: {
      column: "full_name",
      kind: "personal",
      sqlType: "text",
      category: C.NAME,
      field: "fullName",
      correction: text200,
      example: (n) => `Test Person ${n}`,
    },
    email: {
      column: "email",
      kind: "personal",
      sqlType: "text",
      category: C.EMAIL,
      field: "email",
      correction: { hint: "an e-mail address", valid: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) && v.length <= 254 },
      example: (n) => `person${n}@example.jp`,
    },
    phone: {
      column: "phone",
      kind: "personal",
      sqlType: "text",
      category: C.PHONE,
      field: "phone",
      correction: { hint: "digits, spaces, dashes", valid: (v) => /^[0-9+][0-9 -]{6,19}$/.test(v) },
      example: (n) => `090-0000-${String(n).padStart(4, "0")}`,
    },
    postalCode: {
      column: "postal_code",
      kind: "personal",
      sqlType: "text",
      category: C.POSTAL_CODE,
      field: "postalCode",
      correction: { hint: "NNN-NNNN", valid: (v) => /^\d{3}-\d{4}$/.test(v) },
      example: () => "100-0001",
    },
    prefecture: {
      column: "prefecture",
      kind: "personal",
      sqlType: "text",
      category: C.PREFECTURE,
      field: "prefecture",
      correction: { hint: "one of the 47 prefectures", valid: (v) => PREFECTURE_NAMES.includes(v) },
      example: () => "Tokyo",
    },
    streetAddress: {
      column: "street_address",
      kind: "personal",
      sqlType: "text",
      category: C.STREET_ADDRESS,
      field: "streetAddress",
      correction: text200,
      example: (n) => `Chiyoda 1-${n}`,
    },
    birthDate: {
      column: "birth_date",
      kind: "personal",
      sqlType: "date",
      category: C.BIRTH_DATE,
      field: "birthDate",
      correction: { hint: "YYYY-MM-DD", valid: validDate },
      example: () => "1990-04-01",
    },
    gender: {
      column: "gender",
      kind: "personal",
      sqlType: "text",
      category: C.GENDER,
      field: "gender",
      correction: { hint: "FEMALE, MALE, OTHER or UNDISCLOSED", valid: (v) => GENDERS.includes(v) },
      example: () => "FEMALE",
    },
    createdAt: {
      column: "created_at",
      kind: "personal",
      sqlType: "timestamptz",
      category: C.SIGN_UP,
      field: "createdAt",
      example: () => new Date("2025-01-15T00:00:00Z"),
    },
    deletedAt: {
      column: "deleted_at",
      kind: "lifecycle",
      sqlType: "timestamptz",
      reason: "soft deletion: such customers are never reached under any purpose",
    },
    erasedAt: {
      column: "erased_at",
      kind: "lifecycle",
      sqlType: "timestamptz",
      reason: "erasure: the tombstone that keeps references valid",
    },
  },
  generalisations: [
    { field: "ageBand", category: C.AGE_BAND, sources: ["birthDate"], sql: (alias) => ageBandSql(`${alias}.birth_date`) },
    { field: "region", category: C.REGION, sources: ["prefecture"], sql: (alias) => regionSql(`${alias}.prefecture`) },
  ],
  derived: [{ field: "activity", fromRelations: ["serviceUsage", "campaignEntries"] }],
  erasure: { action: "tombstone" },
  export: { section: "customer", order: "x.id" },
});

/** One use of a service by a customer. */
export const SERVICE_USAGE = declareTable({
  table: "service_usage",
  owner: "kernel",
  type: "ServiceUsage",
  link: { kind: "column", column: "customer_id" },
  columns: {
    id: { column: "id", kind: "key", sqlType: "uuid", category: C.SERVICE_USAGE, field: "id" },
    customerId: { column: "customer_id", kind: "link", sqlType: "uuid", exportAs: null },
    service: { column: "service", kind: "personal", sqlType: "text", category: C.SERVICE_USAGE, field: "service", example: () => "Mobile" },
    amount: { column: "amount", kind: "personal", sqlType: "integer", category: C.SERVICE_USAGE, field: "amount", example: () => 1000 },
    occurredAt: {
      column: "occurred_at",
      kind: "personal",
      sqlType: "timestamptz",
      category: C.SERVICE_USAGE,
      field: "occurredAt",
      example: () => new Date("2026-01-10T00:00:00Z"),
    },
  },
  customerRelation: { field: "serviceUsage", order: "occurred_at DESC, id" },
  erasure: { action: "delete" },
  export: { section: "serviceUsage", order: "x.occurred_at, x.id" },
});

/** A customer's entry in a gift campaign. */
export const CAMPAIGN_ENTRY = declareTable({
  table: "campaign_entry",
  owner: "kernel",
  type: "CampaignEntry",
  link: { kind: "column", column: "customer_id" },
  columns: {
    id: { column: "id", kind: "key", sqlType: "uuid", category: C.CAMPAIGN_ENTRY, field: "id" },
    customerId: { column: "customer_id", kind: "link", sqlType: "uuid", exportAs: null },
    campaignId: { column: "campaign_id", kind: "personal", sqlType: "uuid", category: C.CAMPAIGN_ENTRY, exportAs: null },
    enteredAt: { column: "entered_at", kind: "personal", sqlType: "timestamptz", category: C.CAMPAIGN_ENTRY, field: "enteredAt" },
    won: { column: "won", kind: "personal", sqlType: "boolean", category: C.CAMPAIGN_ENTRY, field: "won" },
    shippedAt: { column: "shipped_at", kind: "personal", sqlType: "timestamptz", category: C.CAMPAIGN_ENTRY, field: "shippedAt" },
  },
  customerRelation: {
    field: "campaignEntries",
    order: "entered_at DESC, id",
    only: {
      purposes: [Purpose.SERVICE_PROVISION, Purpose.DATA_SUBJECT_REQUEST],
      why: "under PRIZE_DELIVERY a customer is reached only through their winning entry, never their other entries",
    },
  },
  references: {
    campaign: { table: "gift_campaign", via: "campaign_id" },
    // under PRIZE_DELIVERY only a winning entry leads to its customer: whether it won is needed
    customer: { table: "customer", via: "customer_id", alsoLoads: ["won"] },
  },
  erasure: { action: "delete" },
  export: {
    section: "campaignEntries",
    order: "x.entered_at, x.id",
    lookups: { campaign: { table: "gift_campaign", via: "campaign_id", column: "name" } },
  },
});

/** Whether a customer is opted in to a notification channel. */
export const NOTIFICATION_SUBSCRIPTION = declareTable({
  table: "notification_subscription",
  owner: "kernel",
  type: "NotificationSubscription",
  link: { kind: "column", column: "customer_id" },
  columns: {
    id: { column: "id", kind: "key", sqlType: "uuid", category: C.NOTIFICATION_PREFERENCE, field: "id", exportAs: null },
    customerId: { column: "customer_id", kind: "link", sqlType: "uuid", exportAs: null },
    channel: { column: "channel", kind: "personal", sqlType: "text", category: C.NOTIFICATION_PREFERENCE, field: "channel" },
    optedIn: { column: "opted_in", kind: "personal", sqlType: "boolean", category: C.NOTIFICATION_PREFERENCE, field: "optedIn" },
    changedAt: { column: "changed_at", kind: "personal", sqlType: "timestamptz", category: C.NOTIFICATION_PREFERENCE, field: "changedAt" },
  },
  customerRelation: { field: "subscriptions", order: "channel ASC, id" },
  erasure: { action: "delete" },
  export: { section: "notificationSubscriptions", order: "x.channel" },
});

/** The kernel's own tables: the customer and the rows the customer API serves. */
export const CUSTOMER_TABLES = [CUSTOMER, SERVICE_USAGE, CAMPAIGN_ENTRY, NOTIFICATION_SUBSCRIPTION] as const;
