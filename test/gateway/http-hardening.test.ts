import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { codes, startTestGateway, type TestGateway } from "../support/test-gateway";

/** Bad input gets a clear error with a code and a fitting status; never a stack trace. */
let t: TestGateway;
let shop: string;
let customerId: string;

beforeAll(async () => {
  t = await startTestGateway();
  shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  customerId = (await insertCustomer(t.db)).id;
});
afterAll(() => t?.stop());

const noStack = (text: string) => {
  expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  expect(text).not.toMatch(/stacktrace/i);
};

describe("HTTP hardening", () => {
  it("hides field suggestions (no schema probing by typo)", async () => {
    const res = await t.gql(`query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${customerId}") { birthDat } }`, { key: shop });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(JSON.stringify(res.body)).not.toMatch(/did you mean/i);
  });

  it("answers a malformed JSON body with 400 BAD_REQUEST and no stack", async () => {
    const res = await fetch(t.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{ not json" });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(JSON.parse(text).errors[0].extensions.code).toBe("BAD_REQUEST");
    noStack(text);
  });

  it("refuses batched requests", async () => {
    const res = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${shop}` },
      body: JSON.stringify([{ query: "{ campaigns { name } }" }, { query: "{ campaigns { name } }" }]),
    });
    expect(res.status).toBe(400);
    noStack(await res.text());
  });

  it("blocks simple cross-site GET requests (CSRF prevention)", async () => {
    const res = await fetch(`${t.url}?query=${encodeURIComponent("{ campaigns { name } }")}`);
    expect(res.status).toBe(400);
  });

  it("refuses mutations over GET", async () => {
    const res = await t.get(
      {
        query: `mutation M @purpose(name: SERVICE_PROVISION) { setNotificationSubscription(customerId: "${customerId}", channel: EMAIL_MAGAZINE, optedIn: true) { id } }`,
      },
      shop,
    );
    expect(res.status).toBe(405);
  });

  it("rejects wrongly typed variables with BAD_USER_INPUT", async () => {
    const res = await t.gql(`query Q($n: Int!) @purpose(name: SERVICE_PROVISION) { customers(first: $n) { id } }`, {
      key: shop,
      variables: { n: "lots" },
    });
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["BAD_USER_INPUT"]);
  });

  it("enforces query limits (depth, aliases)", async () => {
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: campaigns { name }`).join(" ");
    const res = await t.gql(`{ ${aliases} }`);
    expect(res.status).toBe(400);
    expect(codes(res)[0]).toBe("GRAPHQL_VALIDATION_FAILED");
    const deep = await t.gql(
      `query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${customerId}") { campaignEntries { campaign { winners { customer { campaignEntries { campaign { winners { id } } } } } } } } }`,
      { key: shop },
    );
    expect(deep.status).toBe(400);
  });

  it("masks internal errors: no SQL, no stack, a generic message", async () => {
    // a database failure inside a resolver (the table is briefly gone)
    await t.db.query(`ALTER TABLE gift_campaign RENAME TO gift_campaign_away`);
    try {
      const res = await t.gql(`{ campaigns { name } }`);
      const text = JSON.stringify(res.body);
      expect(codes(res)).toEqual(["INTERNAL_SERVER_ERROR"]);
      expect(res.body.errors![0].message).toBe("Internal server error");
      expect(text).not.toMatch(/gift_campaign|relation|select/i);
      noStack(text);
    } finally {
      await t.db.query(`ALTER TABLE gift_campaign_away RENAME TO gift_campaign`);
    }
  });

  it("serves health and metrics", async () => {
    const base = t.url.replace(/\/graphql$/, "");
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
    expect(await (await fetch(`${base}/metrics`)).text()).toContain("pgw_operations_total");
  });
});
