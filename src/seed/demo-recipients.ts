import type { DataSource } from "typeorm";
import { ComplianceRole } from "../kernel/caller/roles";
import { ClientRegistry } from "../clients/client-registry";
import { RecipientRegistry, type RecipientInput } from "../features/disclosure/recipient-registry";

/**
 * The demo's recipients (agreement Sections 3 and 4), each with the demo client acting for
 * it: a shipping company and an e-mail magazine service (processors), and a partner
 * travel service that receives customers' names and e-mail addresses by their consent.
 */
export const DEMO_RECIPIENTS: ReadonlyArray<RecipientInput & { client: string }> = [
  {
    name: "yamato-prize-shipping",
    kind: "PROCESSOR",
    contractRef: "OUT-2026-014 (prize delivery)",
    purposes: ["PRIZE_DELIVERY"],
    fields: [
      "GiftCampaign.winners",
      "CampaignEntry.customer",
      "Customer.fullName",
      "Customer.postalCode",
      "Customer.prefecture",
      "Customer.streetAddress",
      "Customer.phone",
    ],
    client: "demo-shipping",
  },
  {
    name: "mailwise-magazine",
    kind: "PROCESSOR",
    contractRef: "OUT-2026-022 (e-mail magazine distribution)",
    purposes: ["NOTIFICATION"],
    fields: ["Query.customers", "Customer.email"],
    client: "demo-mailer",
  },
  {
    name: "sakura-travel-partner",
    kind: "THIRD_PARTY",
    contractRef: "DSA-2026-003 (joint travel offers)",
    grounds: ["CUSTOMER_CONSENT", "ANONYMOUS_STATISTICS"],
    fields: ["Query.customers", "Query.customer", "Customer.id", "Customer.fullName", "Customer.email"],
    client: "demo-partner",
  },
];

/** The demo client that acts as the privacy officer. */
export const DEMO_PRIVACY_OFFICER = "demo-privacy-office";

/**
 * Registers the demo recipients (once), lets their demo clients act for them, gives the
 * privacy office its role, and seeds consents to the partner: every 8th active customer,
 * a few of them since withdrawn, under the policy version in force. Run after the demo
 * clients exist and the gateway has started (it puts the first policy version in force); idempotent.
 */
export async function seedDemoRecipients(db: DataSource): Promise<void> {
  const registry = new RecipientRegistry(db);
  for (const { client, ...recipient } of DEMO_RECIPIENTS) {
    const existing = await registry.get(recipient.name);
    if (!existing) await registry.create(recipient);
    await registry.attachClient(client, recipient.name);
  }
  await new ClientRegistry(db).setRoles(DEMO_PRIVACY_OFFICER, [ComplianceRole.PRIVACY_OFFICER]);

  const partner = (await registry.get("sakura-travel-partner"))!;
  await db.query(
    `INSERT INTO consent (customer_id, kind, recipient_id, policy_version, granted_at, withdrawn_at)
     SELECT c.id, 'THIRD_PARTY_DISCLOSURE', $1,
            (SELECT version FROM policy_version WHERE effective_at <= now() ORDER BY effective_at DESC LIMIT 1), c.created_at,
            CASE WHEN c.rn % 40 = 0 THEN c.created_at + interval '30 days' END
       FROM (SELECT id, created_at, row_number() OVER (ORDER BY id) AS rn FROM customer WHERE deleted_at IS NULL AND erased_at IS NULL) c
      WHERE c.rn % 8 = 0
        AND NOT EXISTS (SELECT 1 FROM consent WHERE kind = 'THIRD_PARTY_DISCLOSURE' AND recipient_id = $1)`,
    [partner.id],
  );
}

/** The demo's example calls for the recipients and the privacy officer (printed by `--demo`). */
export function accountabilityDemoCalls(curl: (client: string, query: string) => string): string[] {
  return [
    "The shipping company (processor) gets exactly its contract: winners' name, address and phone:",
    curl(
      "demo-shipping",
      "query Ship @purpose(name: PRIZE_DELIVERY) { campaigns { name winners { customer { fullName postalCode prefecture streetAddress phone } } } }",
    ),
    "",
    "The e-mail magazine service (processor) gets subscribers' e-mail addresses, nothing else:",
    curl("demo-mailer", "query Mail @purpose(name: NOTIFICATION) { customers(first: 3) { email } }"),
    "",
    "The partner (third party) receives customers who consented to it, on the ground it declares:",
    curl(
      "demo-partner",
      "query Offers @purpose(name: SERVICE_PROVISION) @disclosure(ground: CUSTOMER_CONSENT) { customers(first: 3) { id fullName email } }",
    ),
    "",
    "The privacy officer: who saw whose data, and why (audit trail, disclosure ledger):",
    curl(
      "demo-privacy-office",
      "query Who @purpose(name: DATA_SUBJECT_REQUEST) { auditEvents(first: 5) { seq occurredAt clientName purpose disclosureGround operationName fields customerIds outcome errorCodes } }",
    ),
    curl(
      "demo-privacy-office",
      "query Ledger @purpose(name: DATA_SUBJECT_REQUEST) { disclosures(first: 5) { disclosedAt recipientName recipientKind customerId dataItems ground purpose reference } }",
    ),
    "",
  ];
}
