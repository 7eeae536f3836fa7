import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { codes, startTestGateway, type TestGateway } from "../support/test-gateway";
import { officerClient } from "../disclosure/recipient-fixtures";

let t: TestGateway;
let officerKey: string;
let shopKey: string;
let marketingKey: string;
let shopId: string;
let hanako: string;
let taro: string;
let middle: Date;

const search = `query A($f: AuditEventFilterInput, $first: Int, $before: String) @purpose(name: DATA_SUBJECT_REQUEST) {
  auditEvents(filter: $f, first: $first, before: $before) { seq occurredAt clientName purpose operationName fields customerIds outcome errorCodes hash prevHash }
}`;

beforeAll(async () => {
  t = await startTestGateway();
  officerKey = await officerClient(t, "privacy-officer");
  shopKey = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  marketingKey = await t.client("marketing", [Purpose.PRODUCT_IMPROVEMENT]);
  [{ id: shopId }] = await t.db.query(`SELECT id FROM api_client WHERE name = 'shop'`);
  hanako = (await insertCustomer(t.db)).id;
  taro = (await insertCustomer(t.db)).id;
  await t.gql(`query ShopHanako @purpose(name: SERVICE_PROVISION) { customer(id: "${hanako}") { fullName email } }`, { key: shopKey });
  await t.gql(`query ShopTaro @purpose(name: SERVICE_PROVISION) { customer(id: "${taro}") { fullName } }`, { key: shopKey });
  await new Promise((r) => setTimeout(r, 20));
  middle = new Date();
  await new Promise((r) => setTimeout(r, 20));
  await t.gql(`query Trends @purpose(name: PRODUCT_IMPROVEMENT) { customers(first: 10) { prefecture gender } }`, { key: marketingKey });
});
afterAll(() => t?.stop());

describe("who saw this customer's data, and why", () => {
  it("by customer: every operation that released Hanako's data, with client, purpose and fields", async () => {
    const res = await t.gql(search, { key: officerKey, variables: { f: { customerId: hanako } } });
    expect(res.status).toBe(200);
    expect(res.body.data.auditEvents).toEqual([
      expect.objectContaining({
        clientName: "marketing",
        purpose: "PRODUCT_IMPROVEMENT",
        operationName: "Trends",
        fields: ["Customer.gender", "Customer.prefecture", "Query.customers"],
      }),
      expect.objectContaining({
        clientName: "shop",
        purpose: "SERVICE_PROVISION",
        operationName: "ShopHanako",
        fields: ["Customer.email", "Customer.fullName", "Query.customer"],
      }),
    ]);
  });

  it("by client, purpose and time", async () => {
    const byClient = await t.gql(search, { key: officerKey, variables: { f: { clientId: shopId } } });
    expect(byClient.body.data.auditEvents.map((e: any) => e.operationName)).toEqual(["ShopTaro", "ShopHanako"]);
    const byPurpose = await t.gql(search, { key: officerKey, variables: { f: { purpose: "PRODUCT_IMPROVEMENT" } } });
    expect(byPurpose.body.data.auditEvents.map((e: any) => e.operationName)).toEqual(["Trends"]);
    const before = await t.gql(search, { key: officerKey, variables: { f: { to: middle.toISOString(), customerId: hanako } } });
    expect(before.body.data.auditEvents.map((e: any) => e.operationName)).toEqual(["ShopHanako"]);
    const after = await t.gql(search, { key: officerKey, variables: { f: { from: middle.toISOString(), customerId: hanako } } });
    expect(after.body.data.auditEvents.map((e: any) => e.operationName)).toEqual(["Trends"]);
  });

  it("pages newest first with `before`", async () => {
    const first = await t.gql(search, { key: officerKey, variables: { first: 2 } });
    const page = first.body.data.auditEvents;
    expect(page).toHaveLength(2);
    const next = await t.gql(search, { key: officerKey, variables: { first: 2, before: page[1].seq } });
    expect(Number(next.body.data.auditEvents[0].seq)).toBe(Number(page[1].seq) - 1);
  });

  it("the officer's own searches are audited like any operation", async () => {
    const res = await t.gql(search, {
      key: officerKey,
      variables: { f: { clientId: (await t.db.query(`SELECT id FROM api_client WHERE name = 'privacy-officer'`))[0].id } },
    });
    expect(res.body.data.auditEvents.length).toBeGreaterThan(0);
    expect(res.body.data.auditEvents.every((e: any) => e.fields.includes("Query.auditEvents"))).toBe(true);
  });
});

describe("compliance queries need the purpose and the PRIVACY_OFFICER role", () => {
  it("refuses a client with DATA_SUBJECT_REQUEST but without the role: ROLE_REQUIRED, nothing read", async () => {
    const desk = await officerClient(t, "dsr-desk", []);
    const res = await t.gql(search, { key: desk });
    expect(res.status).toBe(403);
    expect(codes(res)).toEqual(["ROLE_REQUIRED"]);
    expect(res.body.errors![0].extensions).toMatchObject({ coordinate: "Query.auditEvents", role: "PRIVACY_OFFICER" });
  });

  it("refuses any other purpose, even to the officer", async () => {
    const res = await t.gql(search.replace("DATA_SUBJECT_REQUEST", "SERVICE_PROVISION"), { key: officerKey });
    expect(codes(res)).toContain("PURPOSE_NOT_GRANTED");
    const shop = await t.gql(search.replace("DATA_SUBJECT_REQUEST", "SERVICE_PROVISION"), { key: shopKey });
    expect(shop.status).toBe(403);
    expect(new Set(codes(shop))).toEqual(new Set(["PURPOSE_NOT_PERMITTED"]));
  });

  it("rejects a malformed filter as bad input", async () => {
    const res = await t.gql(search, { key: officerKey, variables: { f: { customerId: "not-a-uuid" } } });
    expect(res.body.data?.auditEvents ?? null).toBeNull();
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
  });
});
