import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCampaign, insertCustomer, insertEntry, insertUsage, openRequest } from "../support/fixtures";
import { codes, eventually, startTestGateway, type GqlResponse, type TestGateway } from "../support/test-gateway";
import { ClientRegistry } from "../../src/clients/client-registry";

/**
 * The gate refuses an operation that can reach a field not permitted for its declared
 * purpose — however the field is reached — before any resolver runs: no data, no SQL.
 */
let t: TestGateway;
let shop: string; // SERVICE_PROVISION
let privacy: string; // DATA_SUBJECT_REQUEST
let marketing: string; // NOTIFICATION, PRODUCT_IMPROVEMENT
let customerId: string;
const SECRET_BIRTH_DATE = "1971-02-03";

beforeAll(async () => {
  t = await startTestGateway();
  shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  privacy = await t.client("privacy", [Purpose.DATA_SUBJECT_REQUEST]);
  marketing = await t.client("marketing", [Purpose.NOTIFICATION, Purpose.PRODUCT_IMPROVEMENT]);
  customerId = (await insertCustomer(t.db, { fullName: "Yamada Taro", birthDate: SECRET_BIRTH_DATE })).id;
  await insertUsage(t.db, customerId, "Mobile", 3200, "2026-05-01T10:00:00Z");
  const campaign = await insertCampaign(t.db);
  await insertEntry(t.db, campaign, customerId, true);
  await openRequest(t.db, customerId); // DATA_SUBJECT_REQUEST reaches only customers who asked
});
afterAll(() => t?.stop());

/** Sends the request and asserts a refusal: status, codes, no data, no SQL, no secret. */
async function expectRefused(send: () => Promise<GqlResponse>, status: number, code: string, coordinates?: string[]): Promise<GqlResponse> {
  const before = await t.dataQueries();
  const res = await send();
  expect(res.status).toBe(status);
  expect(res.body.data).toBeUndefined();
  expect(new Set(codes(res))).toEqual(new Set([code]));
  if (coordinates) expect(new Set(res.body.errors!.map((e) => e.extensions?.coordinate))).toEqual(new Set(coordinates));
  expect(JSON.stringify(res.body)).not.toContain(SECRET_BIRTH_DATE);
  expect(JSON.stringify(res.body)).not.toContain("Yamada");
  expect(await t.dataQueries()).toBe(before);
  return res;
}

const sp = (body: string) => `query Q @purpose(name: SERVICE_PROVISION) ${body}`;

describe("a permitted operation", () => {
  it("returns data for a purpose every field allows", async () => {
    const res = await t.gql(sp(`{ customer(id: "${customerId}") { fullName email serviceUsage { service amount } } }`), { key: shop });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: { customer: { fullName: "Yamada Taro", email: expect.any(String), serviceUsage: [{ service: "Mobile", amount: 3200 }] } },
    });
  });

  it("returns birthDate to DATA_SUBJECT_REQUEST, the purpose that allows it", async () => {
    const res = await t.gql(
      `query Q @purpose(name: DATA_SUBJECT_REQUEST) { node(id: "${customerId}") { ... on Customer { birthDate } } }`,
      { key: privacy },
    );
    expect(res.body).toEqual({ data: { node: { birthDate: SECRET_BIRTH_DATE } } });
  });
});

describe("a field not permitted for the declared purpose is refused", () => {
  const refusedFor = (query: string, request: Parameters<TestGateway["gql"]>[1] = {}, coordinates = ["Customer.birthDate"]) =>
    expectRefused(() => t.gql(query, { key: shop, ...request }), 403, "PURPOSE_NOT_PERMITTED", coordinates);

  it("directly, naming the field, the purpose and the permitted purposes", async () => {
    const res = await refusedFor(sp(`{ customer(id: "${customerId}") { fullName birthDate } }`));
    expect(res.body.errors![0]).toMatchObject({
      message: expect.stringContaining("Customer.birthDate"),
      extensions: {
        code: "PURPOSE_NOT_PERMITTED",
        coordinate: "Customer.birthDate",
        purpose: "SERVICE_PROVISION",
        allowedPurposes: ["DATA_SUBJECT_REQUEST"],
      },
    });
  });

  it("with one error per offending field", async () => {
    await refusedFor(sp(`{ customer(id: "${customerId}") { birthDate gender fullName } }`), {}, ["Customer.birthDate", "Customer.gender"]);
  });

  it("under an alias", async () => {
    await refusedFor(sp(`{ customer(id: "${customerId}") { name: fullName dob: birthDate } }`));
  });

  it("in a named fragment", async () => {
    await refusedFor(
      `query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${customerId}") { ...F } } fragment F on Customer { fullName birthDate }`,
    );
  });

  it("in an inline fragment", async () => {
    await refusedFor(sp(`{ customer(id: "${customerId}") { ... on Customer { birthDate } } }`));
  });

  it("in nested fragments", async () => {
    await refusedFor(
      `query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${customerId}") { ...A } }
       fragment A on Customer { fullName ...B }
       fragment B on Customer { ... on Customer { ...C } }
       fragment C on Customer { birthDate }`,
    );
  });

  it("through an interface (node → Customer)", async () => {
    await refusedFor(sp(`{ node(id: "${customerId}") { id ... on Customer { birthDate } } }`));
  });

  it("through a union (activity → CampaignEntry → customer)", async () => {
    await refusedFor(
      sp(
        `{ customer(id: "${customerId}") { activity { ... on ServiceUsage { amount } ... on CampaignEntry { customer { birthDate } } } } }`,
      ),
    );
  });

  it("through a fragment on the interface spread inside a union member", async () => {
    await refusedFor(
      `query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${customerId}") { activity { ...N } } }
       fragment N on Node { ... on CampaignEntry { customer { ...D } } }
       fragment D on Customer { birthDate }`,
    );
  });

  for (const [directive, value] of [
    ["include", true],
    ["include", false],
    ["skip", true],
    ["skip", false],
  ] as const) {
    it(`under @${directive}(if: $v) with $v = ${value}`, async () => {
      await refusedFor(
        `query Q($v: Boolean!) @purpose(name: SERVICE_PROVISION) { customer(id: "${customerId}") { fullName birthDate @${directive}(if: $v) } }`,
        { variables: { v: value } },
      );
    });
  }

  it("under a literal @skip(if: true)", async () => {
    await refusedFor(sp(`{ customer(id: "${customerId}") { fullName ... @skip(if: true) { birthDate } } }`));
  });

  it("in a mutation's selection, and the mutation does not run", async () => {
    const mutation = `mutation M @purpose(name: SERVICE_PROVISION) {
      updateCustomerAddress(customerId: "${customerId}", address: { postalCode: "530-0001", prefecture: "Osaka", streetAddress: "Umeda 1-1" }) { fullName birthDate }
    }`;
    await refusedFor(mutation);
    const [row] = await t.db.query(`SELECT prefecture FROM customer WHERE id = $1`, [customerId]);
    expect(row.prefecture).toBe("Tokyo");
  });

  it("when the field is only used as a filter (oracle), literally or through variables", async () => {
    const coordinates = ["Customer.birthDate"];
    const check = (query: string, variables?: Record<string, unknown>) =>
      expectRefused(() => t.gql(query, { key: shop, variables }), 403, "PURPOSE_NOT_PERMITTED", coordinates);
    await check(sp(`{ customers(filter: { bornFrom: "1971-01-01", bornTo: "1971-03-01" }) { id } }`));
    await check(`query Q($f: CustomerFilter) @purpose(name: SERVICE_PROVISION) { customers(filter: $f) { id } }`, {
      f: { bornFrom: "1971-01-01" },
    });
    await check(`query Q($from: String) @purpose(name: SERVICE_PROVISION) { customers(filter: { bornFrom: $from }) { id } }`, {
      from: "1971-01-01",
    });
    await check(
      `query Q($f: CustomerFilter = { bornTo: "1972-01-01" }) @purpose(name: SERVICE_PROVISION) { customers(filter: $f) { id } }`,
    );
  });

  it("when the field is only used as a sort key (oracle)", async () => {
    await expectRefused(
      () => t.gql(sp(`{ customers(orderBy: [{ birthDate: ASC }]) { id } }`), { key: shop }),
      403,
      "PURPOSE_NOT_PERMITTED",
      ["Customer.birthDate"],
    );
    await expectRefused(
      () =>
        t.gql(`query Q($o: [CustomerOrder!]) @purpose(name: SERVICE_PROVISION) { customers(orderBy: $o) { id } }`, {
          key: shop,
          variables: { o: [{ birthDate: "DESC" }] },
        }),
      403,
      "PURPOSE_NOT_PERMITTED",
      ["Customer.birthDate"],
    );
  });

  it("while a permitted filter works", async () => {
    const res = await t.gql(sp(`{ customers(filter: { prefecture: "Tokyo" }, orderBy: [{ fullName: ASC }]) { fullName } }`), { key: shop });
    expect(res.body.data.customers).toEqual([{ fullName: "Yamada Taro" }]);
  });
});

describe("the same document from different callers", () => {
  const dsr = `query Q @purpose(name: DATA_SUBJECT_REQUEST) { node(id: "${"$ID"}") { ... on Customer { birthDate } } }`;

  it("is decided per caller, not from a cache filled by an earlier permitted caller", async () => {
    const query = dsr.replace("$ID", customerId);
    const first = await t.gql(query, { key: privacy });
    expect(first.body.data.node.birthDate).toBe(SECRET_BIRTH_DATE);
    await expectRefused(() => t.gql(query, { key: shop }), 403, "PURPOSE_NOT_GRANTED");
    await expectRefused(() => t.gql(query), 401, "UNAUTHENTICATED");
    const again = await t.gql(query, { key: privacy });
    expect(again.body.data.node.birthDate).toBe(SECRET_BIRTH_DATE);
  });

  it("by persisted-query hash, over POST and over GET", async () => {
    const query = dsr.replace("$ID", customerId) + " ";
    const sha256Hash = createHash("sha256").update(query).digest("hex");
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const registered = await t.gql(query, { key: privacy, extensions });
    expect(registered.body.data.node.birthDate).toBe(SECRET_BIRTH_DATE);
    // the hash alone now names the document: it must be checked again for each caller
    await expectRefused(() => t.gql(undefined, { key: shop, extensions }), 403, "PURPOSE_NOT_GRANTED");
    await expectRefused(() => t.get({ extensions }, shop), 403, "PURPOSE_NOT_GRANTED");
    await expectRefused(() => t.get({ extensions }), 401, "UNAUTHENTICATED");
    const byGet = await t.get({ extensions }, privacy);
    expect(byGet.body.data.node.birthDate).toBe(SECRET_BIRTH_DATE);
  });

  it("a persisted forbidden document stays forbidden over GET", async () => {
    const query = sp(`{ customer(id: "${customerId}") { birthDate } }`);
    const extensions = { persistedQuery: { version: 1, sha256Hash: createHash("sha256").update(query).digest("hex") } };
    await expectRefused(() => t.gql(query, { key: shop, extensions }), 403, "PURPOSE_NOT_PERMITTED");
    await expectRefused(() => t.get({ query, extensions }, shop), 403, "PURPOSE_NOT_PERMITTED");
    const unknown = await t.get({ extensions }, shop);
    expect(codes(unknown)).toEqual(["PERSISTED_QUERY_NOT_FOUND"]); // refused documents are never registered
  });
});

describe("callers and purposes", () => {
  it("refuses personal data without a key (401 UNAUTHENTICATED)", async () => {
    await expectRefused(() => t.gql(sp(`{ customer(id: "${customerId}") { fullName } }`)), 401, "UNAUTHENTICATED");
  });

  it("refuses a wrong or malformed key before anything else", async () => {
    for (const key of ["pgw_" + "x".repeat(43), "not a key at all"]) {
      const before = await t.dataQueries();
      const res = await t.gql(`{ campaigns { name } }`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(401);
      expect(codes(res)).toEqual(["UNAUTHENTICATED"]);
      expect(await t.dataQueries()).toBe(before);
    }
  });

  it("refuses a revoked key (at once: revocation is relayed to the gateway by NOTIFY)", async () => {
    const key = await t.client("short-lived", [Purpose.SERVICE_PROVISION]);
    const ok = await t.gql(sp(`{ customer(id: "${customerId}") { fullName } }`), { key });
    expect(ok.status).toBe(200);
    await new ClientRegistry(t.db).revoke("short-lived");
    await eventually(async () => {
      const res = await t.gql(sp(`{ customer(id: "${customerId}") { fullName } }`), { key });
      expect(res.status).toBe(401);
      expect(codes(res)).toEqual(["UNAUTHENTICATED"]);
    });
  });

  it("refuses personal data without @purpose (PURPOSE_REQUIRED)", async () => {
    await expectRefused(() => t.gql(`{ customer(id: "${customerId}") { fullName } }`, { key: shop }), 400, "PURPOSE_REQUIRED");
    await expectRefused(() => t.gql(`{ campaigns { winners { id } } }`, { key: shop }), 400, "PURPOSE_REQUIRED");
  });

  it("refuses a purpose the caller is not granted (PURPOSE_NOT_GRANTED), naming no fields", async () => {
    const res = await expectRefused(
      () => t.gql(`query Q @purpose(name: DATA_SUBJECT_REQUEST) { customer(id: "${customerId}") { fullName } }`, { key: shop }),
      403,
      "PURPOSE_NOT_GRANTED",
    );
    expect(res.body.errors![0].extensions).toMatchObject({ purpose: "DATA_SUBJECT_REQUEST" });
  });

  it("refuses a purpose given through a variable when not granted, and an invalid one", async () => {
    const query = `query Q($p: Purpose!) @purpose(name: $p) { customer(id: "${customerId}") { fullName } }`;
    await expectRefused(() => t.gql(query, { key: shop, variables: { p: "DATA_SUBJECT_REQUEST" } }), 403, "PURPOSE_NOT_GRANTED");
    await expectRefused(() => t.gql(query, { key: shop, variables: { p: "MARKETING" } }), 400, "BAD_USER_INPUT");
    const ok = await t.gql(query, { key: shop, variables: { p: "SERVICE_PROVISION" } });
    expect(ok.body.data.customer.fullName).toBe("Yamada Taro");
  });

  it("serves public, non-personal fields without a key or purpose", async () => {
    const res = await t.gql(`{ campaigns { name } viewer { name } }`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ campaigns: [{ name: "Test Campaign" }], viewer: null });
  });

  it("tells a client its own grants", async () => {
    const res = await t.gql(`{ viewer { name grantedPurposes } }`, { key: marketing });
    expect(res.body.data.viewer).toEqual({ name: "marketing", grantedPurposes: ["NOTIFICATION", "PRODUCT_IMPROVEMENT"] });
  });
});

describe("introspection", () => {
  it("shows the schema, never data", async () => {
    const before = await t.dataQueries();
    const res = await t.gql(`{ __schema { queryType { name } } __type(name: "Customer") { fields { name } } }`);
    expect(res.status).toBe(200);
    expect(res.body.data.__type.fields.map((f: { name: string }) => f.name)).toContain("birthDate");
    expect(await t.dataQueries()).toBe(before);
  });

  it("does not open a door to data when mixed with a forbidden field", async () => {
    await expectRefused(
      () => t.gql(sp(`{ __typename __schema { types { name } } customer(id: "${customerId}") { birthDate } }`), { key: shop }),
      403,
      "PURPOSE_NOT_PERMITTED",
    );
  });
});

describe("fragment fan-out", () => {
  it("refuses 30 levels, each spreading the previous twice (2^30 paths), at once and without data", async () => {
    const fragments = ["fragment F0 on Customer { fullName birthDate }"];
    for (let i = 1; i <= 30; i++) fragments.push(`fragment F${i} on Customer { ...F${i - 1} ...F${i - 1} }`);
    const query = `query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${customerId}") { ...F30 } } ${fragments.join(" ")}`;
    const before = await t.dataQueries();
    const started = performance.now();
    const res = await t.gql(query, { key: shop });
    // An exponential walk would never answer (the test would time out). Here the cost limit
    // (graphql-armor, memoised per fragment) answers first; the gate's own walk of the same
    // document is exercised in test/governance/reached-fields.test.ts.
    expect(res.status).toBe(400);
    expect(codes(res)).toContain("GRAPHQL_VALIDATION_FAILED");
    expect(res.body.data).toBeUndefined();
    expect(await t.dataQueries()).toBe(before);
    console.info(`2^30-path fragment fan-out refused in ${(performance.now() - started).toFixed(1)} ms (HTTP round trip)`);
  });
});
