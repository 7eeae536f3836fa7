import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientRegistry } from "../../src/clients/client-registry";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { codes, eventually, startTestGateway, type TestGateway } from "../support/test-gateway";

/** A cached key never outlives its revocation, even one made by hand in SQL. */
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t?.stop());

describe("authentication cache", () => {
  it("drops a key revoked directly in the database", async () => {
    const key = await t.client("sql-revoked", [Purpose.SERVICE_PROVISION]);
    for (let i = 0; i < 3; i++) expect((await t.gql(`{ viewer { name } }`, { key })).status).toBe(200);
    await t.db.query(`UPDATE api_client SET revoked_at = now() WHERE name = 'sql-revoked'`);
    await eventually(async () => expect(codes(await t.gql(`{ viewer { name } }`, { key }))).toEqual(["UNAUTHENTICATED"]));
  });

  it("drops the old key of a rotated client; the new one works", async () => {
    const key = await t.client("rotated", [Purpose.SERVICE_PROVISION]);
    expect((await t.gql(`{ viewer { name } }`, { key })).status).toBe(200);
    const { key: fresh } = await new ClientRegistry(t.db).rotate("rotated");
    await eventually(async () => expect((await t.gql(`{ viewer { name } }`, { key })).status).toBe(401));
    expect((await t.gql(`{ viewer { name } }`, { key: fresh })).body.data.viewer.name).toBe("rotated");
  });

  it("picks up a changed grant", async () => {
    const key = await t.client("regranted", [Purpose.SERVICE_PROVISION]);
    expect((await t.gql(`{ viewer { grantedPurposes } }`, { key })).body.data.viewer.grantedPurposes).toEqual(["SERVICE_PROVISION"]);
    await t.db.query(`UPDATE api_client SET purposes = '{NOTIFICATION}' WHERE name = 'regranted'`);
    await eventually(async () =>
      expect((await t.gql(`{ viewer { grantedPurposes } }`, { key })).body.data.viewer.grantedPurposes).toEqual(["NOTIFICATION"]),
    );
  });
});
