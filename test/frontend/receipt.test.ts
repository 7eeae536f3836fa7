import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { registerAgreement, insertConsent } from "../consent/consent-support";
import { addRecipient, consentTo, recipientClient } from "../disclosure/recipient-fixtures";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/**
 * The receipt (`extensions.governance`) on every answer: purpose, agreement or ground, the
 * policy version in force, the request id, the committed audit event, how many customers.
 */
let t: TestGateway;
let shop: string;
let survey: string;
let partner: string;
const ids: string[] = [];

beforeAll(async () => {
  t = await startTestGateway();
  shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  survey = await t.client("survey", [Purpose.INDIVIDUAL_AGREEMENT]);
  for (let i = 0; i < 3; i++) ids.push((await insertCustomer(t.db)).id);
  await registerAgreement(t.db, "survey-2026");
  await insertConsent(t.db, ids[0], "survey-2026");
  const recipient = await addRecipient(t, {
    name: "travel-partner",
    kind: "THIRD_PARTY",
    contractRef: "DSA-1",
    grounds: ["CUSTOMER_CONSENT"],
    fields: ["Query.customers", "Customer.id", "Customer.fullName"],
  });
  partner = await recipientClient(t, "partner", [Purpose.SERVICE_PROVISION], recipient);
  await consentTo(t, ids[1], recipient);
  await consentTo(t, ids[2], recipient);
});
afterAll(() => t?.stop());

async function eventOf(seq: string) {
  const [row] = await t.db.query(`SELECT request_id, purpose, customer_ids, outcome FROM audit_event WHERE seq = $1`, [seq]);
  return row;
}

describe("the receipt", () => {
  it("names the purpose, the policy in force, the committed audit event and the customers carried", async () => {
    const res = await t.gql(`query Shop @purpose(name: SERVICE_PROVISION) { customers(first: 10) { id fullName } }`, { key: shop });
    expect(res.body.data.customers).toHaveLength(3);
    const [{ version }] = await t.db.query(
      `SELECT version FROM policy_version WHERE effective_at <= now() ORDER BY effective_at DESC LIMIT 1`,
    );
    expect(res.receipt).toEqual({
      requestId: res.headers.get("x-request-id"),
      purpose: "SERVICE_PROVISION",
      agreement: null,
      disclosureGround: null,
      policyVersion: version,
      auditSeq: expect.stringMatching(/^\d+$/),
      customers: 3,
    });
    const event = await eventOf(res.receipt!.auditSeq!);
    expect(event).toMatchObject({ request_id: res.receipt!.requestId, purpose: "SERVICE_PROVISION", outcome: "ACCEPTED" });
    expect(event.customer_ids).toHaveLength(res.receipt!.customers);
  });

  it("is the newest event's: consecutive answers carry consecutive sequence numbers", async () => {
    const a = await t.gql(`{ campaigns { name } }`);
    const b = await t.gql(`{ campaigns { name } }`);
    expect(BigInt(b.receipt!.auditSeq!)).toBeGreaterThan(BigInt(a.receipt!.auditSeq!));
    expect(a.receipt!.customers).toBe(0);
  });

  it("names the individual agreement", async () => {
    const res = await t.gql(
      `query S @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "survey-2026") { customers(first: 10) { fullName } }`,
      { key: survey },
    );
    expect(res.body.data.customers).toHaveLength(1);
    expect(res.receipt).toMatchObject({ purpose: "INDIVIDUAL_AGREEMENT", agreement: "survey-2026", customers: 1 });
  });

  it("names the disclosure ground of a third party's answer", async () => {
    const res = await t.gql(
      `query O @purpose(name: SERVICE_PROVISION) @disclosure(ground: CUSTOMER_CONSENT) { customers(first: 10) { id fullName } }`,
      { key: partner },
    );
    expect(res.body.data.customers).toHaveLength(2);
    expect(res.receipt).toMatchObject({ purpose: "SERVICE_PROVISION", disclosureGround: "CUSTOMER_CONSENT", customers: 2 });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM disclosure_record WHERE event_seq = $1`, [res.receipt!.auditSeq]);
    expect(n).toBe(2);
  });

  it("comes with a refusal too: no customers, the refusal's audit event", async () => {
    const res = await t.gql(`query Q @purpose(name: SERVICE_PROVISION) { customers(first: 10) { birthDate } }`, { key: shop });
    expect(res.status).toBe(403);
    expect(res.receipt).toMatchObject({ purpose: "SERVICE_PROVISION", customers: 0, auditSeq: expect.stringMatching(/^\d+$/) });
    expect(await eventOf(res.receipt!.auditSeq!)).toMatchObject({ outcome: "REFUSED", customer_ids: [] });
  });

  it("comes with a parse failure", async () => {
    const res = await t.gql(`{ campaigns { name `, { key: shop });
    expect(res.status).toBe(400);
    expect(res.receipt).toMatchObject({ purpose: null, customers: 0, auditSeq: expect.stringMatching(/^\d+$/) });
  });
});
