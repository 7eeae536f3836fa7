import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { addRecipient, auditRows, lastSeq, type AuditRow } from "../disclosure/recipient-fixtures";
import { registerAgreement } from "./consent-support";

/**
 * Granting and withdrawing consent through the API is recorded (the consent table) and
 * audited: each is one ACCEPTED event naming the customer whose consent it changed and the
 * coordinates the operation released.
 */
let t: TestGateway;
let shop: string;
let shopId: string;
let hanako: string;
let taro: string;
let partnerId: string;

const GRANT = `mutation Grant($customerId: ID!, $agreement: String, $recipientId: ID) @purpose(name: SERVICE_PROVISION) {
  grantConsent(customerId: $customerId, agreement: $agreement, recipientId: $recipientId) { id kind agreement recipientId policyVersion withdrawnAt }
}`;
const WITHDRAW = `mutation Withdraw($customerId: ID!, $agreement: String, $recipientId: ID) @purpose(name: SERVICE_PROVISION) {
  withdrawConsent(customerId: $customerId, agreement: $agreement, recipientId: $recipientId) { id agreement recipientId withdrawnAt }
}`;

/** Sends one operation; returns its response and the one audit event it produced. */
async function audited(
  query: string,
  variables: Record<string, unknown>,
): Promise<{ res: Awaited<ReturnType<TestGateway["gql"]>>; event: AuditRow }> {
  const seq = await lastSeq(t);
  const res = await t.gql(query, { key: shop, variables });
  const events = await auditRows(t, seq);
  expect(events).toHaveLength(1);
  return { res, event: events[0] };
}

beforeAll(async () => {
  t = await startTestGateway();
  shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  [{ id: shopId }] = await t.db.query(`SELECT id FROM api_client WHERE name = 'shop'`);
  await registerAgreement(t.db, "survey-2026", "Customer survey 2026");
  partnerId = await addRecipient(t, {
    name: "sakura-travel",
    kind: "THIRD_PARTY",
    contractRef: "DSA-2026-001",
    grounds: ["CUSTOMER_CONSENT"],
    fields: ["Query.customers", "Customer.fullName"],
  });
  hanako = (await insertCustomer(t.db, { fullName: "Sato Hanako" })).id;
  taro = (await insertCustomer(t.db, { fullName: "Suzuki Taro" })).id;
});
afterAll(() => t?.stop());

describe("consent changes through the API are audited", () => {
  it("grantConsent (individual agreement): ACCEPTED, the customer and the released coordinates recorded", async () => {
    const { res, event } = await audited(GRANT, { customerId: hanako, agreement: "survey-2026" });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.grantConsent).toMatchObject({ kind: "INDIVIDUAL_AGREEMENT", agreement: "survey-2026", withdrawnAt: null });
    expect(event).toMatchObject({
      client_id: shopId,
      client_name: "shop",
      purpose: "SERVICE_PROVISION",
      operation_name: "Grant",
      operation_type: "mutation",
      outcome: "ACCEPTED",
      error_codes: [],
      http_status: 200,
      customer_ids: [hanako],
    });
    expect(event.fields).toEqual(
      [
        "Consent.agreement",
        "Consent.id",
        "Consent.kind",
        "Consent.policyVersion",
        "Consent.recipientId",
        "Consent.withdrawnAt",
        "Mutation.grantConsent",
      ].sort(),
    );
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM consent WHERE customer_id = $1 AND agreement_key = 'survey-2026' AND withdrawn_at IS NULL`,
      [hanako],
    );
    expect(n).toBe(1);
  });

  it("withdrawConsent: ACCEPTED, the customer and the released coordinates recorded", async () => {
    const { res, event } = await audited(WITHDRAW, { customerId: hanako, agreement: "survey-2026" });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.withdrawConsent).toMatchObject({ agreement: "survey-2026", withdrawnAt: expect.any(String) });
    expect(event).toMatchObject({
      client_name: "shop",
      purpose: "SERVICE_PROVISION",
      operation_name: "Withdraw",
      operation_type: "mutation",
      outcome: "ACCEPTED",
      error_codes: [],
      http_status: 200,
      customer_ids: [hanako],
    });
    expect(event.fields).toEqual(
      ["Consent.agreement", "Consent.id", "Consent.recipientId", "Consent.withdrawnAt", "Mutation.withdrawConsent"].sort(),
    );
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM consent WHERE customer_id = $1 AND withdrawn_at IS NULL`, [hanako]);
    expect(n).toBe(0);
  });

  it("a consent to disclosure to a third party (3.1), granted and withdrawn, is audited the same way", async () => {
    const granted = await audited(GRANT, { customerId: taro, recipientId: partnerId });
    expect(granted.res.body.errors).toBeUndefined();
    expect(granted.res.body.data.grantConsent).toMatchObject({ kind: "THIRD_PARTY_DISCLOSURE", recipientId: partnerId });
    expect(granted.event).toMatchObject({ operation_name: "Grant", outcome: "ACCEPTED", customer_ids: [taro] });
    expect(granted.event.fields).toContain("Mutation.grantConsent");

    const withdrawn = await audited(WITHDRAW, { customerId: taro, recipientId: partnerId });
    expect(withdrawn.res.body.errors).toBeUndefined();
    expect(withdrawn.res.body.data.withdrawConsent).toMatchObject({ recipientId: partnerId, withdrawnAt: expect.any(String) });
    expect(withdrawn.event).toMatchObject({ operation_name: "Withdraw", outcome: "ACCEPTED", customer_ids: [taro] });
    expect(withdrawn.event.fields).toContain("Mutation.withdrawConsent");
  });

  it("a grant for a customer the purpose cannot reach changes nothing and records no customer", async () => {
    const gone = await insertCustomer(t.db, { fullName: "Gone Customer", deletedAt: new Date() });
    const { res, event } = await audited(GRANT, { customerId: gone.id, agreement: "survey-2026" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { grantConsent: null } });
    expect(event).toMatchObject({ outcome: "ACCEPTED", customer_ids: [] });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM consent WHERE customer_id = $1`, [gone.id]);
    expect(n).toBe(0);
  });
});
