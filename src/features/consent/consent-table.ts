import { DATA_CATEGORIES as C } from "../../kernel/personal-data/categories";
import { declareTable } from "../../kernel/personal-data/declaration";

const kept = "proof that the consent was given and under which version (kept after an erasure, withdrawn)";

/** Consent records (agreement 1.7 and 3.1): never deleted; a withdrawal closes one. */
export const CONSENT = declareTable({
  table: "consent",
  owner: "consent",
  type: "Consent",
  link: { kind: "column", column: "customer_id" },
  columns: {
    id: { column: "id", kind: "key", sqlType: "uuid", category: C.CONSENT, field: "id" },
    customerId: { column: "customer_id", kind: "link", sqlType: "uuid", exportAs: null },
    kind: { column: "kind", kind: "record", sqlType: "text", category: C.CONSENT, field: "kind", reason: kept },
    agreementKey: { column: "agreement_key", kind: "record", sqlType: "text", category: C.CONSENT, field: "agreement", reason: kept },
    recipientId: { column: "recipient_id", kind: "record", sqlType: "uuid", category: C.CONSENT, field: "recipientId", reason: kept },
    policyVersion: { column: "policy_version", kind: "record", sqlType: "text", category: C.CONSENT, field: "policyVersion", reason: kept },
    grantedAt: { column: "granted_at", kind: "record", sqlType: "timestamptz", category: C.CONSENT, field: "grantedAt", reason: kept },
    withdrawnAt: {
      column: "withdrawn_at",
      kind: "record",
      sqlType: "timestamptz",
      category: C.CONSENT,
      field: "withdrawnAt",
      reason: kept,
    },
  },
  customerRelation: { field: "consents", order: "granted_at DESC, id" },
  // consents are kept as proof that they were given; any still active is withdrawn
  erasure: { action: "keep", set: { withdrawn_at: "coalesce(withdrawn_at, now())" } },
  export: { section: "consents", order: "x.granted_at, x.id" },
});
