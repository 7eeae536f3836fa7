import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/** Answers carry no cache validator: they are personal and never cached (create-gateway.ts). */
let t: TestGateway;
let key: string;
let customerId: string;
beforeAll(async () => {
  t = await startTestGateway();
  key = await t.client("shop-etag", [Purpose.SERVICE_PROVISION]);
  customerId = (await insertCustomer(t.db, { fullName: "No Validator" })).id;
});
afterAll(() => t?.stop());

describe("answers", () => {
  it("carry no ETag", async () => {
    const res = await t.gql(`query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${customerId}") { fullName } }`, { key });
    expect(res.status).toBe(200);
    expect(res.body.data.customer.fullName).toBe("No Validator");
    expect(res.headers.get("etag")).toBeNull();
  });
});
