import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeLike } from "../../src/kernel/data/purpose-scoped-data";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer, insertUsage, subscribe } from "../support/fixtures";
import { codes, startTestGateway, type TestGateway } from "../support/test-gateway";
import { receive } from "../requests/requests-support";

/**
 * The leaks independent attack suites found, each through the public interface: a
 * soft-deleted customer's data in a disclosure export and a correction applied to them,
 * `__typename` through `node` telling a purpose an object of a type it may not read exists,
 * and a subscription passing the gate unchecked. (Closed requests' values: request-audit.test.ts.)
 */
let t: TestGateway;
let privacy: string;
let mailer: string;
let shop: string;
let deleted: Awaited<ReturnType<typeof insertCustomer>>;
let subscriber: Awaited<ReturnType<typeof insertCustomer>>;
let usageId: string;

beforeAll(async () => {
  t = await startTestGateway();
  privacy = await t.client("privacy", [Purpose.DATA_SUBJECT_REQUEST]);
  mailer = await t.client("mailer", [Purpose.NOTIFICATION]);
  shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  deleted = await insertCustomer(t.db, { fullName: "Closed Account", email: "closed.account@example.jp", birthDate: "1971-02-03" });
  subscriber = await insertCustomer(t.db, { fullName: "Sub Scriber" });
  await subscribe(t.db, subscriber.id, "EMAIL_MAGAZINE", true);
  usageId = await insertUsage(t.db, subscriber.id, "Mobile", 3000, "2026-05-05T00:00:00Z");
});
afterAll(() => t?.stop());

const completion = (id: string) =>
  `mutation C @purpose(name: DATA_SUBJECT_REQUEST) { completeDataSubjectRequest(id: "${id}") { request { status corrections { beforeValue afterValue } } export } }`;

describe("a soft-deleted customer is unreachable under every purpose, the export and corrections too", () => {
  it("exports only the facts (no personal value) of a customer soft-deleted since their request", async () => {
    const id = await receive(t, privacy, deleted.id, "DISCLOSURE");
    await t.db.query(`UPDATE customer SET deleted_at = now() WHERE id = $1`, [deleted.id]);
    const res = await t.gql(completion(id), { key: privacy });
    expect(res.body.errors).toBeUndefined();
    const exported = res.body.data.completeDataSubjectRequest.export;
    expect(exported.customer).toMatchObject({
      id: deleted.id,
      fullName: null,
      email: null,
      birthDate: null,
      deletedAt: expect.any(String),
    });
    for (const value of [deleted.fullName, deleted.email, deleted.birthDate, deleted.phone, deleted.streetAddress]) {
      expect(JSON.stringify(exported)).not.toContain(value);
    }
  });

  it("refuses to apply a correction to them, and changes nothing", async () => {
    const id = await receive(t, privacy, deleted.id, "CORRECTION", `, corrections: [{ field: EMAIL, value: "new.address@example.jp" }]`);
    const res = await t.gql(completion(id), { key: privacy });
    expect(codes(res)).toEqual(["INVALID_REQUEST_STATE"]);
    expect(res.body.data).toBeNull();
    const [row] = await t.db.query(`SELECT email FROM customer WHERE id = $1`, [deleted.id]);
    expect(row.email).toBe(deleted.email);
    const [request] = await t.db.query(`SELECT status FROM data_subject_request WHERE id = $1`, [id]);
    expect(request.status).toBe("RECEIVED"); // the transaction rolled back: still open, to be refused
  });
});

describe("__typename reveals nothing the purpose may not read", () => {
  it("node(id) { __typename } finds no service usage for NOTIFICATION, which may not read it", async () => {
    const res = await t.gql(`query N @purpose(name: NOTIFICATION) { node(id: "${usageId}") { __typename } }`, { key: mailer });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { node: null } });
  });

  it("while SERVICE_PROVISION, which may, finds it", async () => {
    const res = await t.gql(`query N @purpose(name: SERVICE_PROVISION) { node(id: "${usageId}") { __typename } }`, { key: shop });
    expect(res.body).toEqual({ data: { node: { __typename: "ServiceUsage" } } });
  });

  it("and NOTIFICATION still finds the subscriber it may read", async () => {
    const res = await t.gql(`query N @purpose(name: NOTIFICATION) { node(id: "${subscriber.id}") { __typename } }`, { key: mailer });
    expect(res.body).toEqual({ data: { node: { __typename: "Customer" } } });
  });
});

describe("operations the gateway does not serve", () => {
  it("refuses a subscription with a clear 400, runs nothing, and audits it as refused", async () => {
    const before = await t.dataQueries();
    const res = await t.gql(`subscription S @purpose(name: SERVICE_PROVISION) { customers { id } }`, { key: shop });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["OPERATION_NOT_SUPPORTED"]);
    expect(res.body.data).toBeUndefined();
    expect(await t.dataQueries()).toBe(before);
    const [event] = await t.db.query(`SELECT outcome, error_codes, http_status, operation_type FROM audit_event ORDER BY seq DESC LIMIT 1`);
    expect(event).toEqual({
      outcome: "REFUSED",
      error_codes: ["OPERATION_NOT_SUPPORTED"],
      http_status: 400,
      operation_type: "subscription",
    });
  });
});

describe("bad input is refused, never a 500", () => {
  it.each([
    ["an id that is no UUID", `query Q @purpose(name: SERVICE_PROVISION) { customer(id: "1 OR 1=1") { id } }`, {}],
    ["an id given in a variable", `query Q($id: ID!) @purpose(name: SERVICE_PROVISION) { customer(id: $id) { id } }`, { id: "../../etc" }],
    [
      "an id in an input object",
      `query Q @purpose(name: DATA_SUBJECT_REQUEST) { dataSubjectRequests(filter: { customerId: "x" }) { id } }`,
      {},
    ],
    ["a NUL byte", `query Q @purpose(name: SERVICE_PROVISION) { customers(filter: { prefecture: "Tok\\u0000yo" }) { id } }`, {}],
    [
      "an overlong string in a variable",
      `query Q($p: String) @purpose(name: SERVICE_PROVISION) { customers(filter: { prefecture: $p }) { id } }`,
      { p: "x".repeat(5000) },
    ],
  ])("%s: BAD_USER_INPUT, 400, nothing read", async (_name, query, variables) => {
    const before = await t.dataQueries();
    const key = query.includes("DATA_SUBJECT_REQUEST") ? privacy : shop;
    const res = await t.gql(query, { key, variables });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.body.data).toBeUndefined();
    expect(await t.dataQueries()).toBe(before);
  });

  it("validates input objects: an e-mail domain filter of '%' no longer matches everyone", async () => {
    const res = await t.gql(`query Q @purpose(name: NOTIFICATION) { customers(filter: { emailDomain: "%" }) { id } }`, { key: mailer });
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.body.data).toBeNull();
  });

  it("escapes LIKE patterns, so a filter value is matched literally (defence beside the validation)", () => {
    expect(escapeLike("50%_off\\x")).toBe("50\\%\\_off\\\\x");
  });
});
