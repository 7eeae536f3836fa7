import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer, subscribe } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { auditRows, lastSeq } from "../disclosure/recipient-fixtures";

let t: TestGateway;
let shopKey: string;
let shopId: string;
let hanako: string;
let taro: string;

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** The events a block of requests produced. */
async function eventsOf(work: () => Promise<unknown>) {
  const seq = await lastSeq(t);
  await work();
  return auditRows(t, seq);
}

beforeAll(async () => {
  t = await startTestGateway();
  shopKey = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  [{ id: shopId }] = await t.db.query(`SELECT id FROM api_client WHERE name = 'shop'`);
  hanako = (await insertCustomer(t.db, { fullName: "Sato Hanako", email: "hanako@example.jp", streetAddress: "Chiyoda 1-1" })).id;
  taro = (await insertCustomer(t.db, { fullName: "Suzuki Taro", email: "taro@example.jp" })).id;
});
afterAll(() => t?.stop());

describe("one audit event per operation", () => {
  it("an accepted operation: client, purpose, operation, document hash, fields and the customers released", async () => {
    const query = `query Shop @purpose(name: SERVICE_PROVISION) { customers(first: 10) { fullName email } }`;
    const events = await eventsOf(() => t.gql(query, { key: shopKey }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      client_id: shopId,
      client_name: "shop",
      purpose: "SERVICE_PROVISION",
      disclosure_ground: null,
      operation_name: "Shop",
      operation_type: "query",
      document_hash: sha256(query),
      fields: ["Customer.email", "Customer.fullName", "Query.customers"],
      outcome: "ACCEPTED",
      error_codes: [],
      http_status: 200,
    });
    expect([...events[0].customer_ids].sort()).toEqual([hanako, taro].sort());
  });

  it("a refused operation: its codes and status, no fields, no customers", async () => {
    const events = await eventsOf(() =>
      t.gql(`query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${hanako}") { fullName birthDate gender } }`, { key: shopKey }),
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      client_name: "shop",
      purpose: "SERVICE_PROVISION",
      outcome: "REFUSED",
      error_codes: ["PURPOSE_NOT_PERMITTED", "PURPOSE_NOT_PERMITTED"],
      http_status: 403,
      fields: [],
      customer_ids: [],
    });
  });

  it("parse and validation errors are audited too (with the purpose as written, once it parses)", async () => {
    const events = await eventsOf(async () => {
      await t.gql(`query Broken @purpose(name: SERVICE_PROVISION) { customers {`, { key: shopKey });
      await t.gql(`query Invalid @purpose(name: SERVICE_PROVISION) { customers { noSuchField } }`, { key: shopKey });
    });
    expect(events.map((e) => [e.outcome, e.error_codes, e.purpose])).toEqual([
      ["REFUSED", ["GRAPHQL_PARSE_FAILED"], null],
      ["REFUSED", ["GRAPHQL_VALIDATION_FAILED"], "SERVICE_PROVISION"],
    ]);
    expect(events[1].operation_name).toBe("Invalid");
  });

  it("a bad API key is audited (client unknown) before the 401 leaves", async () => {
    const events = await eventsOf(async () => {
      const res = await t.gql(`{ viewer { name } }`, { key: "pgw_" + "x".repeat(43) });
      expect(res.status).toBe(401);
    });
    expect(events).toEqual([
      expect.objectContaining({ client_id: null, outcome: "REFUSED", error_codes: ["UNAUTHENTICATED"], http_status: 401 }),
    ]);
  });

  it("an anonymous public query is audited as accepted, with no customers", async () => {
    const events = await eventsOf(() => t.gql(`query Pub { campaigns { name } }`));
    expect(events).toEqual([
      expect.objectContaining({ client_id: null, outcome: "ACCEPTED", fields: ["GiftCampaign.name", "Query.campaigns"], customer_ids: [] }),
    ]);
  });

  it("a live customer the purpose's row rule excludes is not recorded; the ones returned are", async () => {
    // NOTIFICATION reaches only customers opted in to a channel: Hanako is, Taro opted out
    await subscribe(t.db, hanako, "EMAIL_MAGAZINE", true);
    await subscribe(t.db, taro, "EMAIL_MAGAZINE", false);
    const notifier = await t.client("notifier", [Purpose.NOTIFICATION]);
    const events = await eventsOf(async () => {
      const list = await t.gql(
        `query L @purpose(name: NOTIFICATION) { customers(first: 100, filter: { emailDomain: "example.jp" }) { id email } }`,
        { key: notifier },
      );
      expect(list.status).toBe(200);
      expect(list.body.errors).toBeUndefined();
      expect(list.body.data.customers.map((c: any) => c.id)).toEqual([hanako]); // Taro's address matches the filter too
      const one = await t.gql(`query One @purpose(name: NOTIFICATION) { customer(id: "${taro}") { email } }`, { key: notifier });
      expect(one.status).toBe(200);
      expect(one.body).toEqual({ data: { customer: null } });
    });
    expect(events.map((e) => e.outcome)).toEqual(["ACCEPTED", "ACCEPTED"]);
    expect(events[0].customer_ids).toEqual([hanako]);
    expect(events[0].customer_ids).not.toContain(taro);
    expect(events[1].customer_ids).toEqual([]);
  });

  it("never stores personal values: not the document's literals, not the variables", async () => {
    const events = await eventsOf(() =>
      t.gql(
        `mutation Fix($id: ID!, $a: AddressInput!) @purpose(name: SERVICE_PROVISION) { updateCustomerAddress(customerId: $id, address: $a) { fullName streetAddress } }`,
        {
          key: shopKey,
          variables: { id: hanako, a: { postalCode: "150-0001", prefecture: "Tokyo", streetAddress: "Jingumae 9-9-9 Secret" } },
        },
      ),
    );
    expect(events[0]).toMatchObject({ outcome: "ACCEPTED", operation_type: "mutation", customer_ids: [hanako] });
    const [{ everything }] = await t.db.query(`SELECT string_agg(row_to_json(a)::text, ' ') AS everything FROM audit_event a`);
    expect(everything).not.toMatch(/Jingumae|Secret|Sato Hanako|hanako@example|Chiyoda|150-0001/);
  });
});

describe("events cannot be changed", () => {
  it("UPDATE and DELETE on the audit table are rejected by the database", async () => {
    await expect(t.db.query(`UPDATE audit_event SET outcome = 'ACCEPTED' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`DELETE FROM audit_event WHERE seq = 1`)).rejects.toThrow(/append-only/);
    // the tables behind the view too: the events and their shapes
    await expect(t.db.query(`UPDATE audit_chain SET request_id = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`DELETE FROM audit_chain WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`UPDATE audit_shape SET outcome = 'ACCEPTED'`)).rejects.toThrow(/append-only/);
  });

  it("the gateway offers no way to change them: no mutation touches the trail", async () => {
    const mutations = Object.keys(t.gateway.schema.getMutationType()?.getFields() ?? {});
    expect(mutations.filter((m) => /audit|disclosure|ledger/i.test(m))).toEqual([]);
  });
});
