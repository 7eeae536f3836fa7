import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Organisations } from "../../src/features/statistics/budget/organisations";
import { organisation, setCompanyBudget } from "../statistics/helpers";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { codes, startTestGateway, type TestGateway } from "../support/test-gateway";
import { addRecipient, auditRows, consentTo, lastSeq, ledgerRows, recipientClient } from "./recipient-fixtures";

let t: TestGateway;
let partnerKey: string;
let statsKey: string;
let shopKey: string;
let partnerId: string;
const ids: Record<"consented" | "notConsented" | "withdrawn", string> = {} as never;

const list = (ground: string, fields = "id fullName") =>
  `query P @purpose(name: SERVICE_PROVISION) ${ground} { customers(first: 50) { ${fields} } }`;

beforeAll(async () => {
  t = await startTestGateway();
  ids.consented = (await insertCustomer(t.db, { fullName: "Consenting Customer" })).id;
  ids.notConsented = (await insertCustomer(t.db, { fullName: "Silent Customer" })).id;
  ids.withdrawn = (await insertCustomer(t.db, { fullName: "Withdrawn Customer" })).id;
  partnerId = await addRecipient(t, {
    name: "sakura-travel",
    kind: "THIRD_PARTY",
    contractRef: "DSA-2026-001",
    grounds: ["CUSTOMER_CONSENT", "LEGAL_REQUEST", "OTHER_SERVICE_OPERATION", "REQUIRED_BY_LAW"],
    fields: ["Query.customers", "Query.customer", "Customer.id", "Customer.fullName", "Customer.email"],
  });
  const statsId = await addRecipient(t, {
    name: "stats-partner",
    kind: "THIRD_PARTY",
    contractRef: "DSA-2026-002",
    grounds: ["ANONYMOUS_STATISTICS"],
    fields: [],
  });
  partnerKey = await recipientClient(t, "partner-client", [Purpose.SERVICE_PROVISION], "sakura-travel");
  statsKey = await recipientClient(t, "stats-client", [Purpose.USAGE_STATISTICS, Purpose.SERVICE_PROVISION], statsId);
  shopKey = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  // the statistics recipient is an organisation with a share of the company's privacy budget
  await setCompanyBudget(t, 10);
  await organisation(t, "stats-partner", 5);
  await new Organisations(t.db).assignClient("stats-client", "stats-partner");
  await consentTo(t, ids.consented, partnerId);
  await consentTo(t, ids.withdrawn, partnerId, true);
});
afterAll(() => t?.stop());

describe("a third party must declare a ground (agreement Section 3)", () => {
  it("refuses an operation without @disclosure: DISCLOSURE_GROUND_REQUIRED, 400, nothing read", async () => {
    const before = await t.dataQueries();
    const res = await t.gql(list(""), { key: partnerKey });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["DISCLOSURE_GROUND_REQUIRED"]);
    expect(res.body.data).toBeUndefined();
    expect(await t.dataQueries()).toBe(before);
  });

  it("refuses a ground the registry does not grant: DISCLOSURE_GROUND_NOT_GRANTED, 403", async () => {
    const res = await t.gql(list("@disclosure(ground: CUSTOMER_CONSENT)"), { key: statsKey });
    expect(res.status).toBe(403);
    expect(codes(res)).toEqual(["DISCLOSURE_GROUND_NOT_GRANTED"]);
    expect(res.body.errors![0].extensions).toMatchObject({ ground: "CUSTOMER_CONSENT", recipient: "stats-partner" });
  });

  it("refuses @disclosure from a client that acts for no third party: DISCLOSURE_NOT_THIRD_PARTY", async () => {
    const res = await t.gql(list("@disclosure(ground: CUSTOMER_CONSENT)"), { key: shopKey });
    expect(res.status).toBe(403);
    expect(codes(res)).toEqual(["DISCLOSURE_NOT_THIRD_PARTY"]);
  });

  it("takes the ground from variables too, and refuses an invalid one as bad input", async () => {
    const q = `query P($g: DisclosureGround!) @purpose(name: SERVICE_PROVISION) @disclosure(ground: $g) { customers { fullName } }`;
    const ok = await t.gql(q, { key: partnerKey, variables: { g: "CUSTOMER_CONSENT" } });
    expect(ok.status).toBe(200);
    const bad = await t.gql(q, { key: partnerKey, variables: { g: "BECAUSE_WE_CAN" } });
    expect(bad.status).toBe(400);
    expect(bad.body.data).toBeUndefined();
  });
});

describe("CUSTOMER_CONSENT (3.1): only customers with an active consent to this recipient", () => {
  it("lists only the consenting customer, not the silent or withdrawn ones", async () => {
    const res = await t.gql(list("@disclosure(ground: CUSTOMER_CONSENT)"), { key: partnerKey });
    expect(res.status).toBe(200);
    expect(res.body.data.customers).toEqual([{ id: ids.consented, fullName: "Consenting Customer" }]);
  });

  it("answers null for a customer without consent, looked up by id", async () => {
    const q = (id: string) =>
      `query P @purpose(name: SERVICE_PROVISION) @disclosure(ground: CUSTOMER_CONSENT) { customer(id: "${id}") { fullName } }`;
    expect((await t.gql(q(ids.notConsented), { key: partnerKey })).body.data.customer).toBeNull();
    expect((await t.gql(q(ids.consented), { key: partnerKey })).body.data.customer).toEqual({ fullName: "Consenting Customer" });
  });

  it("a consent to another recipient does not count", async () => {
    const otherId = await addRecipient(t, {
      name: "other-partner",
      kind: "THIRD_PARTY",
      contractRef: "DSA-X",
      grounds: ["CUSTOMER_CONSENT"],
      fields: ["Query.customers", "Customer.fullName"],
    });
    await consentTo(t, ids.notConsented, otherId);
    const res = await t.gql(list("@disclosure(ground: CUSTOMER_CONSENT)", "fullName"), { key: partnerKey });
    expect(res.body.data.customers).toEqual([{ fullName: "Consenting Customer" }]);
  });

  it("a withdrawal takes effect on the very next query (enforced in SQL)", async () => {
    const late = await insertCustomer(t.db, { fullName: "Late Withdrawer" });
    await consentTo(t, late.id, partnerId);
    const before = await t.gql(list("@disclosure(ground: CUSTOMER_CONSENT)", "fullName"), { key: partnerKey });
    expect(before.body.data.customers.map((c: any) => c.fullName)).toContain("Late Withdrawer");
    await t.db.query(`UPDATE consent SET withdrawn_at = now() WHERE customer_id = $1`, [late.id]);
    const after = await t.gql(list("@disclosure(ground: CUSTOMER_CONSENT)", "fullName"), { key: partnerKey });
    expect(after.body.data.customers.map((c: any) => c.fullName)).not.toContain("Late Withdrawer");
  });
});

describe("LEGAL_REQUEST (3.3) and REQUIRED_BY_LAW (3.5): a reference is mandatory and recorded", () => {
  for (const ground of ["LEGAL_REQUEST", "REQUIRED_BY_LAW"]) {
    it(`${ground} without a reference is refused: DISCLOSURE_REFERENCE_REQUIRED, 400`, async () => {
      const before = await t.dataQueries();
      const res = await t.gql(list(`@disclosure(ground: ${ground})`), { key: partnerKey });
      expect(res.status).toBe(400);
      expect(codes(res)).toEqual(["DISCLOSURE_REFERENCE_REQUIRED"]);
      const blank = await t.gql(list(`@disclosure(ground: ${ground}, reference: "   ")`), { key: partnerKey });
      expect(codes(blank)).toEqual(["DISCLOSURE_REFERENCE_REQUIRED"]);
      expect(await t.dataQueries()).toBe(before);
    });

    it(`${ground} with a reference reaches every customer of the purpose and records the reference`, async () => {
      const seq = await lastSeq(t);
      const reference = ground === "LEGAL_REQUEST" ? "Tokyo District Court order 2026(ra)123" : "APPI Art. 27(1)(i)";
      const res = await t.gql(list(`@disclosure(ground: ${ground}, reference: "${reference}")`, "id"), { key: partnerKey });
      expect(res.status).toBe(200);
      expect(res.body.data.customers.map((c: any) => c.id)).toEqual(
        expect.arrayContaining([ids.consented, ids.notConsented, ids.withdrawn]),
      );
      const [event] = await auditRows(t, seq);
      expect(event).toMatchObject({ disclosure_ground: ground, disclosure_reference: reference, outcome: "ACCEPTED" });
      const ledger = await ledgerRows(t, seq);
      expect(ledger.length).toBe(res.body.data.customers.length);
      expect(ledger.every((r) => r.ground === ground && r.reference === reference)).toBe(true);
    });
  }

  it("refuses an overlong reference as bad input", async () => {
    const res = await t.gql(list(`@disclosure(ground: LEGAL_REQUEST, reference: "${"x".repeat(201)}")`), { key: partnerKey });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("OTHER_SERVICE_OPERATION (3.4): only the recipient's registered fields", () => {
  it("serves the registered fields", async () => {
    const res = await t.gql(list("@disclosure(ground: OTHER_SERVICE_OPERATION)", "id fullName email"), { key: partnerKey });
    expect(res.status).toBe(200);
    expect(res.body.data.customers.length).toBeGreaterThanOrEqual(3);
  });

  it("refuses each unregistered field before execution, even one the purpose allows", async () => {
    const before = await t.dataQueries();
    const res = await t.gql(list("@disclosure(ground: OTHER_SERVICE_OPERATION)", "fullName phone streetAddress"), { key: partnerKey });
    expect(res.status).toBe(403);
    expect(codes(res)).toEqual(["RECIPIENT_FIELD_NOT_REGISTERED", "RECIPIENT_FIELD_NOT_REGISTERED"]);
    expect(res.body.errors!.map((e) => e.extensions!.coordinate)).toEqual(["Customer.phone", "Customer.streetAddress"]);
    expect(res.body.data).toBeUndefined();
    expect(await t.dataQueries()).toBe(before);
  });

  it("caps the other individual-data grounds to the registered fields as well", async () => {
    const res = await t.gql(list("@disclosure(ground: CUSTOMER_CONSENT)", "phone"), { key: partnerKey });
    expect(codes(res)).toEqual(["RECIPIENT_FIELD_NOT_REGISTERED"]);
  });
});

describe("ANONYMOUS_STATISTICS (3.2): only the statistics API", () => {
  it("refuses individual data and every other root field, one error each", async () => {
    const before = await t.dataQueries();
    const res = await t.gql(
      `query S @purpose(name: SERVICE_PROVISION) @disclosure(ground: ANONYMOUS_STATISTICS) { customers { prefecture } campaigns { name } }`,
      { key: statsKey },
    );
    expect(res.status).toBe(403);
    expect(codes(res)).toEqual(["DISCLOSURE_STATISTICS_ONLY", "DISCLOSURE_STATISTICS_ONLY"]);
    expect(res.body.errors!.map((e) => e.extensions!.coordinate).sort()).toEqual(["Query.campaigns", "Query.customers"]);
    expect(await t.dataQueries()).toBe(before);
  });

  it("answers a statistics query over HTTP, audits it under the ground, and records no ledger entry (no individual data)", async () => {
    const seq = await lastSeq(t);
    const res = await t.gql(
      `query S @purpose(name: USAGE_STATISTICS) @disclosure(ground: ANONYMOUS_STATISTICS) { statistics { customers(groupBy: [GENDER]) { buckets { customers } suppressedBuckets } } }`,
      { key: statsKey },
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const answer = res.body.data.statistics.customers;
    expect(Array.isArray(answer.buckets)).toBe(true);
    expect(Number.isInteger(answer.suppressedBuckets)).toBe(true);
    expect(answer.buckets.length + answer.suppressedBuckets).toBe(4); // the four genders, released or withheld

    const events = await auditRows(t, seq);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      client_name: "stats-client",
      purpose: "USAGE_STATISTICS",
      disclosure_ground: "ANONYMOUS_STATISTICS",
      outcome: "ACCEPTED",
      error_codes: [],
      http_status: 200,
      customer_ids: [],
    });
    expect(events[0].fields).toContain("Query.statistics");
    expect(await ledgerRows(t, seq)).toEqual([]);
  });
});
