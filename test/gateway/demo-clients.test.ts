import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientRegistry } from "../../src/clients/client-registry";
import { issueDemoKeys } from "../../src/seed/demo-clients";
import { seedDemoData } from "../../src/seed/demo-data";
import { codes, eventually, startTestGateway, type TestGateway } from "../support/test-gateway";

/** The demo: seeded data, demo clients, and the README's example operations for each. */
let t: TestGateway;
let keys: Record<string, string>;

beforeAll(async () => {
  t = await startTestGateway();
  expect(await seedDemoData(t.db, { customers: 300 })).toBe(true);
  expect(await seedDemoData(t.db, { customers: 300 })).toBe(false); // only on an empty store
  keys = Object.fromEntries((await issueDemoKeys(new ClientRegistry(t.db))).map((k) => [k.name, k.key]));
});
afterAll(() => t?.stop());

describe("demo clients get their data", () => {
  it("shop frontend: customers with their service usage (SERVICE_PROVISION)", async () => {
    const res = await t.gql(
      `query Shop @purpose(name: SERVICE_PROVISION) { customers(first: 5) { id fullName email serviceUsage { service amount occurredAt } } }`,
      { key: keys["demo-shop-frontend"] },
    );
    expect(res.status).toBe(200);
    expect(res.body.data.customers).toHaveLength(5);
    expect(res.body.data.customers[0].fullName).toEqual(expect.any(String));
  });

  it("campaign office: winners' shipping addresses (PRIZE_DELIVERY)", async () => {
    const res = await t.gql(
      `query Ship @purpose(name: PRIZE_DELIVERY) { campaigns { name winners { id shippedAt customer { fullName postalCode prefecture streetAddress phone } } } }`,
      { key: keys["demo-campaign-office"] },
    );
    expect(res.status).toBe(200);
    const winners = res.body.data.campaigns.flatMap((c: any) => c.winners);
    expect(winners.length).toBeGreaterThan(0);
    expect(winners.every((w: any) => w.customer === null || typeof w.customer.streetAddress === "string")).toBe(true);
  });

  it("marketing: subscribers' e-mail (NOTIFICATION) and prefecture/gender (PRODUCT_IMPROVEMENT)", async () => {
    const mail = await t.gql(
      `query Mail @purpose(name: NOTIFICATION) { customers(first: 10) { email subscriptions { channel optedIn } } }`,
      {
        key: keys["demo-marketing"],
      },
    );
    expect(mail.body.data.customers.length).toBe(10);
    for (const c of mail.body.data.customers) expect(c.subscriptions.some((s: any) => s.optedIn)).toBe(true);
    const improve = await t.gql(
      `query Improve @purpose(name: PRODUCT_IMPROVEMENT) { customers(first: 10) { prefecture gender serviceUsage { service amount } } }`,
      {
        key: keys["demo-marketing"],
      },
    );
    expect(improve.body.data.customers.length).toBe(10);
  });

  it("privacy office: everything about one customer (DATA_SUBJECT_REQUEST)", async () => {
    const [{ id }] = await t.db.query(`SELECT customer_id AS id FROM data_subject_request WHERE status = 'RECEIVED' LIMIT 1`);
    const res = await t.gql(
      `query Disclose @purpose(name: DATA_SUBJECT_REQUEST) { customer(id: "${id}") { fullName email phone birthDate gender streetAddress serviceUsage { amount } campaignEntries { won } subscriptions { channel optedIn } } }`,
      { key: keys["demo-privacy-office"] },
    );
    expect(res.status).toBe(200);
    expect(res.body.data.customer.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("analyst: no individual-level data at all", async () => {
    const res = await t.gql(`query A @purpose(name: USAGE_STATISTICS) { customers(first: 1) { prefecture } }`, {
      key: keys["demo-analyst"],
    });
    expect(res.status).toBe(403);
    expect(codes(res)).toContain("PURPOSE_NOT_PERMITTED");
  });

  it("issuing demo keys again invalidates the previous ones", async () => {
    const old = keys["demo-shop-frontend"];
    await issueDemoKeys(new ClientRegistry(t.db));
    await eventually(async () => expect((await t.gql(`{ viewer { name } }`, { key: old })).status).toBe(401));
  });
});
