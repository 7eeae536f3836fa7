import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { codes, startTestGateway, type TestGateway } from "../support/test-gateway";

let t: TestGateway;
let shopKey: string;
let customerId: string;

beforeAll(async () => {
  t = await startTestGateway();
  shopKey = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  customerId = (await insertCustomer(t.db, { fullName: "Sato Hanako" })).id;
});
afterAll(() => t?.stop());

describe("the gateway answers a permitted operation", () => {
  it("returns the customer for SERVICE_PROVISION", async () => {
    const res = await t.gql(`query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${customerId}") { fullName } }`, { key: shopKey });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { customer: { fullName: "Sato Hanako" } } });
  });

  it("refuses birthDate for SERVICE_PROVISION", async () => {
    const before = await t.dataQueries();
    const res = await t.gql(`query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${customerId}") { fullName birthDate } }`, {
      key: shopKey,
    });
    expect(res.status).toBe(403);
    expect(codes(res)).toEqual(["PURPOSE_NOT_PERMITTED"]);
    expect(res.body.data).toBeUndefined();
    expect(await t.dataQueries()).toBe(before);
  });
});
