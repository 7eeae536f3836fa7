import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { startGateway } from "../../src/server/create-gateway";
import { startTestGateway, testSettings, type TestGateway } from "../support/test-gateway";

/** What a browser app on another origin meets: CORS, CSRF prevention, status codes by media type. */
let t: TestGateway;
let shop: string;
let customerId: string;
const APP = "http://localhost:5173";

beforeAll(async () => {
  t = await startTestGateway({ env: { CORS_ORIGINS: `${APP},https://shop.example.com` } });
  shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  customerId = (await insertCustomer(t.db, { fullName: "Kato Yui", birthDate: "1980-08-08" })).id;
});
afterAll(() => t?.stop());

const preflight = (origin: string) =>
  fetch(t.url, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization,content-type,x-request-id",
    },
  });

describe("CORS", () => {
  it("answers a preflight from an allowed origin with 204 and the allowed headers", async () => {
    const res = await preflight(APP);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("access-control-allow-headers")?.split(",")).toEqual(
      expect.arrayContaining(["authorization", "content-type", "x-request-id"]),
    );
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("gives another origin no Access-Control-Allow-Origin, on the preflight and on the request", async () => {
    const pre = await preflight("https://evil.example");
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    const res = await fetch(t.url, {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/json", authorization: `Bearer ${shop}` },
      body: JSON.stringify({ query: "{ campaigns { name } }" }),
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("lets the allowed origin read the answer and its request id", async () => {
    const res = await fetch(t.url, {
      method: "POST",
      headers: { origin: APP, "content-type": "application/json", authorization: `Bearer ${shop}` },
      body: JSON.stringify({ query: "{ campaigns { name } }" }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("access-control-expose-headers")).toContain("x-request-id");
    expect(res.headers.get("vary")).toMatch(/origin/i);
  });

  it("allows no origin at all by default", async () => {
    // a second gateway on the same store (startTestGateway would empty it)
    const plain = await startGateway({ db: t.db, settings: testSettings() });
    try {
      const res = await fetch(plain.url, { method: "OPTIONS", headers: { origin: APP, "access-control-request-method": "POST" } });
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await plain.stop();
    }
  });
});

describe("CSRF prevention", () => {
  const get = (headers: Record<string, string>) => fetch(`${t.url}?query=${encodeURIComponent("{ campaigns { name } }")}`, { headers });

  it("still blocks a simple GET with no custom header (an <img> or a link)", async () => {
    const res = await get({});
    expect(res.status).toBe(400);
  });

  it("accepts a GET that carries Authorization, as urql and graphql-request send it", async () => {
    const res = await get({ authorization: `Bearer ${shop}` });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).data.campaigns).toEqual(expect.any(Array));
  });

  it("still answers a bad key on such a GET with 401", async () => {
    const res = await get({ authorization: "Bearer pgw_not-a-key" });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });
});

describe("status codes by media type (GraphQL over HTTP)", () => {
  const refused = `query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${"00000000-0000-0000-0000-000000000000"}") { birthDate } }`;
  const send = (accept: string | null, query: string, key: string | null = shop) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (accept) headers.accept = accept;
    if (key) headers.authorization = `Bearer ${key}`;
    return fetch(t.url, { method: "POST", headers, body: JSON.stringify({ query }) });
  };

  it("keeps 4xx for application/graphql-response+json", async () => {
    const res = await send("application/graphql-response+json", refused);
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toContain("application/graphql-response+json");
    expect(((await res.json()) as any).errors[0].extensions.code).toBe("PURPOSE_NOT_PERMITTED");
  });

  it.each([
    ["application/json", refused, "PURPOSE_NOT_PERMITTED"],
    [null, refused, "PURPOSE_NOT_PERMITTED"],
    ["*/*", `query Q { customers(first: 1) { fullName } }`, "PURPOSE_REQUIRED"],
    ["application/json", `{ customers(first: 1) { fullName `, "GRAPHQL_PARSE_FAILED"],
    ["application/json", `{ nope }`, "GRAPHQL_VALIDATION_FAILED"],
  ])("answers %s with 200 and the errors in the body (%#)", async (accept, query, code) => {
    const res = await send(accept, query);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = (await res.json()) as any;
    expect(body.data).toBeUndefined();
    expect(body.errors.map((e: any) => e.extensions.code)).toContain(code);
  });

  it("records the status that was sent in the audit trail", async () => {
    const json = await send("application/json", refused);
    const spec = await send("application/graphql-response+json", refused);
    for (const [res, status] of [
      [json, 200],
      [spec, 403],
    ] as const) {
      const seq = ((await res.json()) as any).extensions.governance.auditSeq;
      const [row] = await t.db.query(`SELECT http_status FROM audit_event WHERE seq = $1`, [seq]);
      expect(row.http_status).toBe(status);
    }
  });

  it("refuses mutations over GET with 405 whatever the media type", async () => {
    const query = `mutation M @purpose(name: SERVICE_PROVISION) { setNotificationSubscription(customerId: "${customerId}", channel: EMAIL_MAGAZINE, optedIn: true) { optedIn } }`;
    const res = await fetch(`${t.url}?query=${encodeURIComponent(query)}`, {
      headers: { authorization: `Bearer ${shop}`, accept: "application/json" },
    });
    expect(res.status).toBe(405);
  });
});

describe("request ids", () => {
  it("echoes a plain X-Request-Id, stores it on the audit event and shows it on AuditEvent", async () => {
    const res = await t.gql(`{ campaigns { name } }`, { key: shop, headers: { "x-request-id": "checkout-42.a:b" } });
    expect(res.headers.get("x-request-id")).toBe("checkout-42.a:b");
    expect(res.receipt?.requestId).toBe("checkout-42.a:b");
    const [row] = await t.db.query(`SELECT request_id FROM audit_event WHERE seq = $1`, [res.receipt!.auditSeq]);
    expect(row.request_id).toBe("checkout-42.a:b");

    const officer = (await t.client("officer", [Purpose.DATA_SUBJECT_REQUEST])) as string;
    await t.db.query(`UPDATE api_client SET roles = '{PRIVACY_OFFICER}' WHERE name = 'officer'`);
    const found = await t.gql(
      `query W @purpose(name: DATA_SUBJECT_REQUEST) { auditEvents(filter: { requestId: "checkout-42.a:b" }) { seq requestId clientName } }`,
      {
        key: officer,
      },
    );
    expect(found.body.data.auditEvents).toEqual([{ seq: res.receipt!.auditSeq, requestId: "checkout-42.a:b", clientName: "shop" }]);
  });

  it.each([["has spaces"], ["x".repeat(200)], ["taro@example.jp"], ['"><script>']])(
    "replaces an unsafe X-Request-Id (%s) with a fresh one",
    async (given) => {
      const res = await t.gql(`{ campaigns { name } }`, { key: shop, headers: { "x-request-id": given } });
      const id = res.headers.get("x-request-id")!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.receipt?.requestId).toBe(id);
    },
  );

  it("gives every answer one, also a bad key's 401 and a malformed body's 400", async () => {
    const bad = await t.gql(`{ campaigns { name } }`, { key: "pgw_wrong", headers: { "x-request-id": "bad-key-1" } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("x-request-id")).toBe("bad-key-1");
    expect(bad.receipt).toMatchObject({ requestId: "bad-key-1", auditSeq: expect.stringMatching(/^\d+$/), customers: 0 });
    const [row] = await t.db.query(`SELECT request_id, error_codes FROM audit_event WHERE seq = $1`, [bad.receipt!.auditSeq]);
    expect(row).toEqual({ request_id: "bad-key-1", error_codes: ["UNAUTHENTICATED"] });

    const malformed = await fetch(t.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "broken-1" },
      body: "{ nope",
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("x-request-id")).toBe("broken-1");
    expect(((await malformed.json()) as any).extensions.governance).toMatchObject({ requestId: "broken-1", auditSeq: null });
  });
});
