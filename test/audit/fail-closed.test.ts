import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../../src/features/audit/verify-chain";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { codes, startTestGateway, type TestGateway } from "../support/test-gateway";
import { lastSeq } from "../disclosure/recipient-fixtures";

let t: TestGateway;
let shopKey: string;
let customerId: string;

/** Makes every insert into the audit table fail, as a full disk or a lost table would. */
async function breakAuditTable() {
  await t.db.query(
    `CREATE OR REPLACE FUNCTION pgw_test_audit_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit storage down (test)'; END $$`,
  );
  await t.db.query(`CREATE TRIGGER pgw_test_audit_down BEFORE INSERT ON audit_chain FOR EACH ROW EXECUTE FUNCTION pgw_test_audit_down()`);
}
async function repairAuditTable() {
  await t.db.query(`DROP TRIGGER IF EXISTS pgw_test_audit_down ON audit_chain`);
}

beforeAll(async () => {
  t = await startTestGateway();
  shopKey = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  customerId = (await insertCustomer(t.db, { fullName: "Kept Secret" })).id;
});
afterEach(repairAuditTable);
afterAll(() => t?.stop());

describe("fail closed: no audit event, no data", () => {
  const query = () => `query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${customerId}") { fullName email } }`;

  it("serves normally while the trail can be written", async () => {
    const res = await t.gql(query(), { key: shopKey });
    expect(res.status).toBe(200);
    expect(res.body.data.customer.fullName).toBe("Kept Secret");
  });

  it("answers 503 AUDIT_UNAVAILABLE with no data when the event cannot be committed", async () => {
    const seq = await lastSeq(t);
    await breakAuditTable();
    const res = await t.gql(query(), { key: shopKey });
    expect(res.status).toBe(503);
    expect(codes(res)).toEqual(["AUDIT_UNAVAILABLE"]);
    expect(res.body.data).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain("Kept Secret");
    expect(JSON.stringify(res.body)).not.toContain("audit storage down"); // no internals leak
    await repairAuditTable();
    expect(await lastSeq(t)).toBe(seq);
  });

  it("withholds refusals and 401s too: nothing leaves that the trail does not show", async () => {
    await breakAuditTable();
    const refused = await t.gql(`query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${customerId}") { birthDate } }`, {
      key: shopKey,
    });
    expect(refused.status).toBe(503);
    expect(codes(refused)).toEqual(["AUDIT_UNAVAILABLE"]);
    const badKey = await t.gql(`{ viewer { name } }`, { key: "pgw_" + "y".repeat(43) });
    expect(badKey.status).toBe(503);
    expect(codes(badKey)).toEqual(["AUDIT_UNAVAILABLE"]);
  });

  it("recovers on the next request once the trail is writable, with the chain intact", async () => {
    await breakAuditTable();
    expect((await t.gql(query(), { key: shopKey })).status).toBe(503);
    await repairAuditTable();
    const res = await t.gql(query(), { key: shopKey });
    expect(res.status).toBe(200);
    const report = await verifyChain(t.db);
    expect(report.ok).toBe(true);
    expect(report.checked).toBe(await lastSeq(t));
  });
});
