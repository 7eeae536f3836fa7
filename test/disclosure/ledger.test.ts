import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditWriter } from "../../src/features/audit/audit-writer";
import { loadSettings } from "../../src/config/settings";
import { purgeExpiredDisclosures } from "../../src/features/disclosure/ledger-queries";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { codes, startTestGateway, type TestGateway } from "../support/test-gateway";
import { addRecipient, auditRows, consentTo, lastSeq, ledgerRows, officerClient, recipientClient } from "./recipient-fixtures";

let t: TestGateway;
let partnerKey: string;
let shopKey: string;
let officerKey: string;
let partnerId: string;
let alice: string;
let bob: string;
const DAY = 86_400_000;

const consentList = `query P @purpose(name: SERVICE_PROVISION) @disclosure(ground: CUSTOMER_CONSENT) { customers(first: 10) { fullName email } }`;

beforeAll(async () => {
  t = await startTestGateway();
  alice = (await insertCustomer(t.db, { fullName: "Alice Ledger" })).id;
  bob = (await insertCustomer(t.db, { fullName: "Bob Ledger" })).id;
  await insertCustomer(t.db, { fullName: "Carol NoConsent" });
  partnerId = await addRecipient(t, {
    name: "partner",
    kind: "THIRD_PARTY",
    contractRef: "DSA-1",
    grounds: ["CUSTOMER_CONSENT", "LEGAL_REQUEST"],
    fields: ["Query.customers", "Query.customer", "Customer.fullName", "Customer.email"],
  });
  await consentTo(t, alice, partnerId);
  await consentTo(t, bob, partnerId);
  partnerKey = await recipientClient(t, "partner-client", [Purpose.SERVICE_PROVISION], "partner");
  shopKey = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  officerKey = await officerClient(t, "privacy-officer");
});
afterAll(() => t?.stop());

describe("the disclosure ledger (APPI Art. 29)", () => {
  it("records recipient, customer, data items, ground, date and retention for each customer disclosed", async () => {
    const seq = await lastSeq(t);
    const res = await t.gql(consentList, { key: partnerKey });
    expect(res.body.data.customers).toHaveLength(2);
    const [event] = await auditRows(t, seq);
    const ledger = await ledgerRows(t, seq);
    expect(ledger.map((r) => r.customer_id).sort()).toEqual([alice, bob].sort());
    for (const row of ledger) {
      expect(row).toMatchObject({
        event_seq: event.seq,
        recipient_id: partnerId,
        recipient_kind: "THIRD_PARTY",
        data_items: ["Customer.email", "Customer.fullName"],
        ground: "CUSTOMER_CONSENT",
        purpose: "SERVICE_PROVISION",
        reference: null,
      });
      expect(row.disclosed_at.getTime()).toBe(event.occurred_at.getTime());
      expect(row.retain_until.getTime() - row.disclosed_at.getTime()).toBe(1095 * DAY);
    }
    // ids and coordinates only: no name or address reaches the ledger
    expect(JSON.stringify(ledger)).not.toMatch(/Alice|Bob|example\.jp/);
  });

  it("records nothing for a refused operation, a first party, or a disclosure that returned nobody", async () => {
    const seq = await lastSeq(t);
    await t.gql(consentList.replace("email", "phone"), { key: partnerKey }); // refused
    await t.gql(`query Q @purpose(name: SERVICE_PROVISION) { customers { fullName } }`, { key: shopKey }); // first party
    await t.gql(
      `query Q @purpose(name: SERVICE_PROVISION) @disclosure(ground: CUSTOMER_CONSENT) { customer(id: "00000000-0000-4000-8000-000000000000") { fullName } }`,
      {
        key: partnerKey,
      },
    );
    expect(await lastSeq(t)).toBe(seq + 3);
    expect(await ledgerRows(t, seq)).toEqual([]);
  });

  it("cannot be altered, nor deleted before its retention date", async () => {
    const [row] = await ledgerRows(t);
    await expect(t.db.query(`UPDATE disclosure_record SET customer_id = $1 WHERE id = $2`, [bob, row.id])).rejects.toThrow(/refused/);
    await expect(t.db.query(`DELETE FROM disclosure_record WHERE id = $1`, [row.id])).rejects.toThrow(/refused/);
  });

  it("the purge removes only records past their retention date", async () => {
    const before = (await ledgerRows(t)).length;
    const [{ seq }] = await t.db.query(`SELECT max(seq)::text AS seq FROM audit_event`);
    await t.db.query(
      `INSERT INTO disclosure_record (event_seq, recipient_id, recipient_kind, customer_id, data_items, ground, disclosed_at, retain_until)
       VALUES ($1, $2, 'THIRD_PARTY', $3, '{Customer.email}', 'CUSTOMER_CONSENT', now() - interval '4 years', now() - interval '1 year')`,
      [seq, partnerId, alice],
    );
    expect(await purgeExpiredDisclosures(t.db)).toBe(1);
    expect((await ledgerRows(t)).length).toBe(before);
  });

  it("keeps records for LEDGER_RETENTION_DAYS when configured", async () => {
    expect(loadSettings({}).audit.ledgerRetentionDays).toBe(1095);
    const config = loadSettings({ LEDGER_RETENTION_DAYS: "30" }).audit;
    expect(() => loadSettings({ LEDGER_RETENTION_DAYS: "0" })).toThrow(/LEDGER_RETENTION_DAYS/);
    const writer = new AuditWriter(t.db, { maxBatch: 10, ledgerRetentionDays: config.ledgerRetentionDays });
    const event = await writer.append({
      event: {
        occurredAt: new Date(),
        requestId: "retention-test",
        clientId: null,
        clientName: "retention-test",
        recipientId: partnerId,
        purpose: "SERVICE_PROVISION",
        agreement: null,
        disclosureGround: "LEGAL_REQUEST",
        disclosureReference: "order 1",
        operationName: null,
        operationType: "query",
        documentHash: null,
        fields: ["Customer.email", "Query.customers"],
        customerIds: [alice],
        outcome: "ACCEPTED",
        errorCodes: [],
        httpStatus: 200,
      },
      ledger: { recipientKind: "THIRD_PARTY", dataItems: ["Customer.email"] },
    });
    const [row] = await t.db.query(`SELECT disclosed_at, retain_until FROM disclosure_record WHERE event_seq = $1`, [event.seq.toString()]);
    expect(row.retain_until.getTime() - row.disclosed_at.getTime()).toBe(30 * DAY);
  });
});

describe("the privacy officer reads the ledger", () => {
  const q = `query L($f: DisclosureFilterInput) @purpose(name: DATA_SUBJECT_REQUEST) {
    disclosures(filter: $f) { customerId recipientName recipientKind dataItems ground reference disclosedAt retainUntil eventSeq }
  }`;

  it("per customer: every provision of that customer's data", async () => {
    const res = await t.gql(q, { key: officerKey, variables: { f: { customerId: bob } } });
    expect(res.status).toBe(200);
    expect(res.body.data.disclosures.length).toBeGreaterThanOrEqual(1);
    expect(res.body.data.disclosures.every((d: any) => d.customerId === bob && d.recipientName === "partner")).toBe(true);
  });

  it("per recipient and ground", async () => {
    const res = await t.gql(q, { key: officerKey, variables: { f: { recipientId: partnerId, ground: "LEGAL_REQUEST" } } });
    expect(res.body.data.disclosures).toEqual([
      expect.objectContaining({ customerId: alice, ground: "LEGAL_REQUEST", reference: "order 1" }),
    ]);
  });

  it("lists the recipients registry", async () => {
    const res = await t.gql(
      `query R @purpose(name: DATA_SUBJECT_REQUEST) { recipients { name kind contractRef grounds fields clients } }`,
      { key: officerKey },
    );
    expect(res.body.data.recipients).toEqual([
      {
        name: "partner",
        kind: "THIRD_PARTY",
        contractRef: "DSA-1",
        grounds: ["CUSTOMER_CONSENT", "LEGAL_REQUEST"],
        fields: expect.any(Array),
        clients: ["partner-client"],
      },
    ]);
  });

  it("is refused to a client without the PRIVACY_OFFICER role, even with the purpose", async () => {
    const plain = await officerClient(t, "dsr-desk", []);
    const res = await t.gql(q, { key: plain });
    expect(res.status).toBe(403);
    expect(codes(res)).toEqual(["ROLE_REQUIRED"]);
  });
});
