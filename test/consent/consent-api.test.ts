import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgreementRegistry } from "../../src/features/consent/agreement-registry";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer, openRequest } from "../support/fixtures";
import { codes, startTestGateway, type TestGateway } from "../support/test-gateway";
import { addRecipient } from "../disclosure/recipient-fixtures";
import { insertConsent, registerAgreement } from "./consent-support";

/** Consent through the API, and INDIVIDUAL_AGREEMENT operations reaching only consenting customers. */
let t: TestGateway;
let shop: string;
let office: string;
let survey: string;
let marketing: string;
let hanako: string;
let taro: string;

const GRANT = `mutation Grant($customerId: ID!, $agreement: String, $recipientId: ID, $policyVersion: String) @purpose(name: SERVICE_PROVISION) {
  grantConsent(customerId: $customerId, agreement: $agreement, recipientId: $recipientId, policyVersion: $policyVersion) {
    id kind agreement recipientId policyVersion grantedAt withdrawnAt
  }
}`;
const WITHDRAW = (
  purpose: string,
) => `mutation Withdraw($customerId: ID!, $agreement: String, $recipientId: ID) @purpose(name: ${purpose}) {
  withdrawConsent(customerId: $customerId, agreement: $agreement, recipientId: $recipientId) { id agreement policyVersion withdrawnAt }
}`;
const SURVEY_LIST = `query Survey @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "survey-2026") { customers(first: 100) { id fullName email } }`;

const surveyed = async () => {
  const res = await t.gql(SURVEY_LIST, { key: survey });
  expect(res.status).toBe(200);
  expect(res.body.errors).toBeUndefined();
  return (res.body.data.customers as Array<{ id: string }>).map((c) => c.id).sort();
};

beforeAll(async () => {
  t = await startTestGateway();
  shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  office = await t.client("privacy-office", [Purpose.DATA_SUBJECT_REQUEST]);
  survey = await t.client("survey-team", [Purpose.INDIVIDUAL_AGREEMENT]);
  marketing = await t.client("marketing", [Purpose.NOTIFICATION]);
  await registerAgreement(t.db, "survey-2026", "Customer survey 2026");
  await registerAgreement(t.db, "beta-tester");
  hanako = (await insertCustomer(t.db, { fullName: "Sato Hanako" })).id;
  taro = (await insertCustomer(t.db, { fullName: "Suzuki Taro" })).id;
});
afterAll(() => t?.stop());

describe("grant and withdraw take effect on the very next query", () => {
  it("reaches no one before any consent", async () => {
    expect(await surveyed()).toEqual([]);
  });

  it("grants through the API (SERVICE_PROVISION), recorded under the version in force", async () => {
    const res = await t.gql(GRANT, { key: shop, variables: { customerId: hanako, agreement: "survey-2026" } });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.grantConsent).toMatchObject({
      kind: "INDIVIDUAL_AGREEMENT",
      agreement: "survey-2026",
      recipientId: null,
      policyVersion: "2026.1",
      withdrawnAt: null,
    });
    const [row] = await t.db.query(`SELECT customer_id, kind, agreement_key, policy_version, withdrawn_at FROM consent WHERE id = $1`, [
      res.body.data.grantConsent.id,
    ]);
    expect(row).toEqual({
      customer_id: hanako,
      kind: "INDIVIDUAL_AGREEMENT",
      agreement_key: "survey-2026",
      policy_version: "2026.1",
      withdrawn_at: null,
    });
  });

  it("the next INDIVIDUAL_AGREEMENT query reaches the consenting customer, and only her", async () => {
    expect(await surveyed()).toEqual([hanako]);
    const one = await t.gql(`query One @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "survey-2026") { customer(id: "${taro}") { id } }`, {
      key: survey,
    });
    expect(one.body).toEqual({ data: { customer: null } });
  });

  it("granting again under the same version is idempotent", async () => {
    const again = await t.gql(GRANT, { key: shop, variables: { customerId: hanako, agreement: "survey-2026" } });
    expect(again.body.errors).toBeUndefined();
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM consent WHERE customer_id = $1`, [hanako]);
    expect(n).toBe(1);
  });

  it("withdraws through the API; the very next query no longer reaches her", async () => {
    const res = await t.gql(WITHDRAW("SERVICE_PROVISION"), { key: shop, variables: { customerId: hanako, agreement: "survey-2026" } });
    expect(res.status).toBe(200);
    expect(res.body.data.withdrawConsent).toMatchObject({ agreement: "survey-2026", policyVersion: "2026.1" });
    expect(res.body.data.withdrawConsent.withdrawnAt).not.toBeNull();
    expect(await surveyed()).toEqual([]);
  });

  it("withdrawing when nothing is active returns null and changes nothing", async () => {
    const res = await t.gql(WITHDRAW("SERVICE_PROVISION"), { key: shop, variables: { customerId: hanako, agreement: "survey-2026" } });
    expect(res.body).toEqual({ data: { withdrawConsent: null } });
  });

  it("the privacy office can withdraw on the customer's request (DATA_SUBJECT_REQUEST)", async () => {
    await t.gql(GRANT, { key: shop, variables: { customerId: taro, agreement: "survey-2026" } });
    expect(await surveyed()).toEqual([taro]);
    // DATA_SUBJECT_REQUEST reaches only customers with an open request (the requests' row rule)
    const unasked = await t.gql(WITHDRAW("DATA_SUBJECT_REQUEST"), {
      key: office,
      variables: { customerId: taro, agreement: "survey-2026" },
    });
    expect(unasked.body).toEqual({ data: { withdrawConsent: null } });
    expect(await surveyed()).toEqual([taro]);
    await openRequest(t.db, taro, "DELETION");
    const res = await t.gql(WITHDRAW("DATA_SUBJECT_REQUEST"), { key: office, variables: { customerId: taro, agreement: "survey-2026" } });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.withdrawConsent.withdrawnAt).not.toBeNull();
    expect(await surveyed()).toEqual([]);
  });

  it("keeps the history: the customer's consents, newest first, withdrawn ones included", async () => {
    await t.gql(GRANT, { key: shop, variables: { customerId: hanako, agreement: "survey-2026" } });
    const res = await t.gql(
      `query Mine @purpose(name: SERVICE_PROVISION) { customer(id: "${hanako}") { consents { agreement policyVersion grantedAt withdrawnAt } } }`,
      { key: shop },
    );
    const consents = res.body.data.customer.consents;
    expect(consents).toHaveLength(2);
    expect(consents[0].withdrawnAt).toBeNull();
    expect(consents[1].withdrawnAt).not.toBeNull();
    expect(new Date(consents[0].grantedAt).getTime()).toBeGreaterThanOrEqual(new Date(consents[1].grantedAt).getTime());
    expect(await surveyed()).toEqual([hanako]);
  });

  it("records consent to disclosure to a recipient (by its id)", async () => {
    const recipientId = await addRecipient(t, {
      name: "sakura-travel",
      kind: "THIRD_PARTY",
      contractRef: "DSA-2026-001",
      grounds: ["CUSTOMER_CONSENT"],
      fields: ["Query.customers", "Customer.fullName"],
    });
    const res = await t.gql(GRANT, { key: shop, variables: { customerId: taro, recipientId } });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.grantConsent).toMatchObject({
      kind: "THIRD_PARTY_DISCLOSURE",
      agreement: null,
      recipientId,
      policyVersion: "2026.1",
    });
    const withdrawn = await t.gql(WITHDRAW("SERVICE_PROVISION"), { key: shop, variables: { customerId: taro, recipientId } });
    expect(withdrawn.body.data.withdrawConsent.withdrawnAt).not.toBeNull();
  });

  it("refuses consent to disclosure to an id that is no registered consent-based third party (RECIPIENT_UNKNOWN), storing nothing", async () => {
    const processorId = await addRecipient(t, {
      name: "yamato-shipping",
      kind: "PROCESSOR",
      contractRef: "DPA-2026-001",
      purposes: ["PRIZE_DELIVERY"],
      fields: [],
    });
    for (const recipientId of ["0b9f3c1e-5a4d-4c2b-9e8f-123456789abc", processorId]) {
      const res = await t.gql(GRANT, { key: shop, variables: { customerId: taro, recipientId } });
      expect(codes(res)).toEqual(["RECIPIENT_UNKNOWN"]);
      expect(res.body.data?.grantConsent ?? null).toBeNull();
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM consent WHERE customer_id = $1 AND recipient_id = $2`, [
        taro,
        recipientId,
      ]);
      expect(n).toBe(0);
    }
  });
});

describe("individual-agreement operations", () => {
  it("refuses INDIVIDUAL_AGREEMENT without an agreement (400 AGREEMENT_REQUIRED), before any data is read", async () => {
    const before = await t.dataQueries();
    const res = await t.gql(`query Q @purpose(name: INDIVIDUAL_AGREEMENT) { customers { id } }`, { key: survey });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["AGREEMENT_REQUIRED"]);
    expect(res.body.data).toBeUndefined();
    expect(await t.dataQueries()).toBe(before);
  });

  it("refuses an empty agreement name like a missing one", async () => {
    const res = await t.gql(`query Q @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "") { customers { id } }`, { key: survey });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["AGREEMENT_REQUIRED"]);
  });

  it("refuses `agreement` on another purpose (400 AGREEMENT_NOT_APPLICABLE)", async () => {
    const res = await t.gql(`query Q @purpose(name: NOTIFICATION, agreement: "survey-2026") { customers { id email } }`, {
      key: marketing,
    });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["AGREEMENT_NOT_APPLICABLE"]);
  });

  it("refuses an unregistered agreement (400 AGREEMENT_UNKNOWN), before any data is read", async () => {
    const before = await t.dataQueries();
    const res = await t.gql(`query Q @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "survey-2099") { customers { id } }`, { key: survey });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["AGREEMENT_UNKNOWN"]);
    expect(res.body.errors![0].extensions).toMatchObject({ agreement: "survey-2099" });
    expect(await t.dataQueries()).toBe(before);
  });

  it("refuses a malformed agreement key, also when given through a variable", async () => {
    const res = await t.gql(`query Q($a: String) @purpose(name: INDIVIDUAL_AGREEMENT, agreement: $a) { customers { id } }`, {
      key: survey,
      variables: { a: "Survey 2026; DROP TABLE consent" },
    });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["AGREEMENT_UNKNOWN"]);
  });

  it("takes the agreement from a variable like a literal", async () => {
    const res = await t.gql(`query Q($a: String) @purpose(name: INDIVIDUAL_AGREEMENT, agreement: $a) { customers { id } }`, {
      key: survey,
      variables: { a: "survey-2026" },
    });
    expect(res.body.data.customers.map((c: any) => c.id)).toEqual([hanako]);
  });

  it("a consent to one agreement does not reach the customer under another", async () => {
    const res = await t.gql(`query Q @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "beta-tester") { customers { id } }`, { key: survey });
    expect(res.status).toBe(200);
    expect(res.body.data.customers).toEqual([]);
    await insertConsent(t.db, taro, "beta-tester");
    const after = await t.gql(`query Q @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "beta-tester") { customers { id } }`, {
      key: survey,
    });
    expect(after.body.data.customers).toEqual([{ id: taro }]);
  });

  it("still refuses fields the purpose does not allow, whatever the consent", async () => {
    const res = await t.gql(`query Q @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "survey-2026") { customers { phone birthDate } }`, {
      key: survey,
    });
    expect(res.status).toBe(403);
    expect(codes(res)).toEqual(["PURPOSE_NOT_PERMITTED", "PURPOSE_NOT_PERMITTED"]);
  });

  it("never reaches a soft-deleted or erased customer, consent or not", async () => {
    const gone = await insertCustomer(t.db, { deletedAt: new Date() });
    const erased = await insertCustomer(t.db, { erasedAt: new Date() });
    await insertConsent(t.db, gone.id, "survey-2026");
    await insertConsent(t.db, erased.id, "survey-2026");
    expect(await surveyed()).toEqual([hanako]);
  });

  it("a retired agreement is refused from the next request on; its consents can still be withdrawn", async () => {
    await registerAgreement(t.db, "old-campaign");
    await insertConsent(t.db, hanako, "old-campaign");
    const q = `query Q @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "old-campaign") { customers { id } }`;
    expect((await t.gql(q, { key: survey })).body.data.customers).toEqual([{ id: hanako }]);
    await new AgreementRegistry(t.db).retire("old-campaign");
    const res = await t.gql(q, { key: survey });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["AGREEMENT_UNKNOWN"]);
    const withdrawn = await t.gql(WITHDRAW("SERVICE_PROVISION"), {
      key: shop,
      variables: { customerId: hanako, agreement: "old-campaign" },
    });
    expect(withdrawn.body.data.withdrawConsent.withdrawnAt).not.toBeNull();
    const grant = await t.gql(GRANT, { key: shop, variables: { customerId: hanako, agreement: "old-campaign" } });
    expect(codes(grant)).toEqual(["AGREEMENT_UNKNOWN"]);
  });
});

describe("the consent API is governed like any personal data", () => {
  it("granting needs SERVICE_PROVISION: refused for INDIVIDUAL_AGREEMENT and NOTIFICATION", async () => {
    const asSurvey = await t.gql(GRANT.replace("SERVICE_PROVISION", 'INDIVIDUAL_AGREEMENT, agreement: "survey-2026"'), {
      key: survey,
      variables: { customerId: taro, agreement: "survey-2026" },
    });
    expect(asSurvey.status).toBe(403);
    expect(codes(asSurvey)).toContain("PURPOSE_NOT_PERMITTED");
    const asMarketing = await t.gql(GRANT.replace("SERVICE_PROVISION", "NOTIFICATION"), {
      key: marketing,
      variables: { customerId: taro, agreement: "survey-2026" },
    });
    expect(asMarketing.status).toBe(403);
    expect(codes(asMarketing)).toContain("PURPOSE_NOT_PERMITTED");
  });

  it("the privacy office may withdraw but not grant", async () => {
    const res = await t.gql(GRANT.replace("SERVICE_PROVISION", "DATA_SUBJECT_REQUEST"), {
      key: office,
      variables: { customerId: taro, agreement: "survey-2026" },
    });
    expect(res.status).toBe(403);
    expect(codes(res)).toContain("PURPOSE_NOT_PERMITTED");
  });

  it("consents are not readable for INDIVIDUAL_AGREEMENT", async () => {
    const res = await t.gql(
      `query Q @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "survey-2026") { customers { consents { agreement } } }`,
      { key: survey },
    );
    expect(res.status).toBe(403);
    expect(codes(res)).toEqual(["PURPOSE_NOT_PERMITTED", "PURPOSE_NOT_PERMITTED"]);
  });

  it("needs a key", async () => {
    const res = await t.gql(GRANT, { variables: { customerId: taro, agreement: "survey-2026" } });
    expect(res.status).toBe(401);
  });

  it("rejects bad targets and versions with clear codes, recording nothing", async () => {
    const [{ n: before }] = await t.db.query(`SELECT count(*)::int AS n FROM consent`);
    const both = await t.gql(GRANT, {
      key: shop,
      variables: { customerId: taro, agreement: "survey-2026", recipientId: "0b9f3c1e-5a4d-4c2b-9e8f-123456789abc" },
    });
    expect(codes(both)).toEqual(["BAD_USER_INPUT"]);
    const neither = await t.gql(GRANT, { key: shop, variables: { customerId: taro } });
    expect(codes(neither)).toEqual(["BAD_USER_INPUT"]);
    const unknown = await t.gql(GRANT, { key: shop, variables: { customerId: taro, agreement: "no-such-thing" } });
    expect(codes(unknown)).toEqual(["AGREEMENT_UNKNOWN"]);
    const version = await t.gql(GRANT, { key: shop, variables: { customerId: taro, agreement: "survey-2026", policyVersion: "1999.1" } });
    expect(codes(version)).toEqual(["POLICY_VERSION_UNKNOWN"]);
    expect(version.body.errors![0].message).toContain("1999.1");
    const [{ n: after }] = await t.db.query(`SELECT count(*)::int AS n FROM consent`);
    expect(after).toBe(before);
  });

  it("does not reach a customer the purpose cannot reach (null, nothing recorded)", async () => {
    const gone = await insertCustomer(t.db, { deletedAt: new Date() });
    const res = await t.gql(GRANT, { key: shop, variables: { customerId: gone.id, agreement: "survey-2026" } });
    expect(res.body).toEqual({ data: { grantConsent: null } });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM consent WHERE customer_id = $1`, [gone.id]);
    expect(n).toBe(0);
  });

  it("lists consents of many customers in the customers' own statement", async () => {
    for (let i = 0; i < 5; i++) await insertConsent(t.db, (await insertCustomer(t.db)).id, "beta-tester");
    const before = await t.dataQueries();
    const res = await t.gql(`query All @purpose(name: SERVICE_PROVISION) { customers(first: 50) { id consents { agreement } } }`, {
      key: shop,
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.customers.length).toBeGreaterThanOrEqual(7);
    expect(res.body.data.customers.filter((c: any) => c.consents.some((x: any) => x.agreement === "beta-tester"))).toHaveLength(6);
    expect((await t.dataQueries()) - before).toBe(1); // the customers, each with their consents (JSON built in PostgreSQL)
  });
});

describe("renewal under a newer version", () => {
  it("closes the old record and opens one under the version shown", async () => {
    // an announced (upcoming) version the customer has been shown
    await t.db.query(
      `INSERT INTO policy_version (version, effective_at, text, text_sha256, purposes, grounds, change_summary, field_policy)
       SELECT '2027.1', now() + interval '30 days', text, text_sha256, purposes, grounds, 'Next year', field_policy FROM policy_version WHERE version = '2026.1'`,
    );
    const res = await t.gql(GRANT, { key: shop, variables: { customerId: hanako, agreement: "survey-2026", policyVersion: "2027.1" } });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.grantConsent.policyVersion).toBe("2027.1");
    const rows = await t.db.query(
      `SELECT policy_version, withdrawn_at IS NULL AS active FROM consent WHERE customer_id = $1 AND agreement_key = 'survey-2026' ORDER BY granted_at, policy_version`,
      [hanako],
    );
    expect(rows.filter((r: any) => r.active)).toEqual([{ policy_version: "2027.1", active: true }]);
    expect(await surveyed()).toEqual([hanako]);
  });
});
