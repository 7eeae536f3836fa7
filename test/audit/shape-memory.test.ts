import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { codes, startTestGateway, type TestGateway } from "../support/test-gateway";
import { lastSeq } from "../disclosure/recipient-fixtures";

/**
 * The audit writer remembers each shape's id and digest (migration 1764640000000), so a batch
 * names its shapes instead of storing them again. A remembered shape the store no longer
 * holds as remembered (a store restored from an older backup hands the id to another shape)
 * must refuse the batch — no response without its event — and be forgotten, so the next
 * request is recorded under the right shape.
 */
let t: TestGateway;
let shopKey: string;
let customerId: string;

beforeAll(async () => {
  t = await startTestGateway();
  shopKey = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  customerId = (await insertCustomer(t.db, { fullName: "Remembered Shape" })).id;
});
afterAll(() => t?.stop());

const query = () => `query Shaped @purpose(name: SERVICE_PROVISION) { customer(id: "${customerId}") { fullName } }`;

async function shapeOfLastEvent(): Promise<{ id: number; digest: string }> {
  const [row] = await t.db.query(
    `SELECT s.id, encode(s.digest, 'hex') AS digest FROM audit_chain c JOIN audit_shape s ON s.id = c.shape_id ORDER BY c.seq DESC LIMIT 1`,
  );
  return row;
}

describe("audit shapes remembered by the writer", () => {
  it("stores a repeated shape once and links every event to it", async () => {
    for (let i = 0; i < 3; i++) expect((await t.gql(query(), { key: shopKey })).status).toBe(200);
    const rows = await t.db.query(
      `SELECT c.shape_id, count(*)::int AS n FROM audit_chain c JOIN audit_shape s ON s.id = c.shape_id
        WHERE s.operation_name = 'Shaped' GROUP BY c.shape_id`,
    );
    expect(rows).toEqual([{ shape_id: expect.any(Number), n: 3 }]);
  });

  it("refuses the batch when the remembered id now holds another shape, then records under the right one", async () => {
    const before = await shapeOfLastEvent();
    const seq = await lastSeq(t);
    // what a restore would leave: the remembered id names a shape with another digest
    await t.db.query(`ALTER TABLE audit_shape DISABLE TRIGGER audit_shape_append_only`);
    await t.db.query(`UPDATE audit_shape SET digest = sha256('another shape'::bytea) WHERE id = $1`, [before.id]);
    await t.db.query(`ALTER TABLE audit_shape ENABLE TRIGGER audit_shape_append_only`);

    const refused = await t.gql(query(), { key: shopKey });
    expect(refused.status).toBe(503);
    expect(codes(refused)).toEqual(["AUDIT_UNAVAILABLE"]);
    expect(JSON.stringify(refused.body)).not.toContain("Remembered Shape");
    expect(await lastSeq(t)).toBe(seq);

    const served = await t.gql(query(), { key: shopKey });
    expect(served.status).toBe(200);
    expect(served.body.data.customer.fullName).toBe("Remembered Shape");
    const after = await shapeOfLastEvent();
    expect(after.id).not.toBe(before.id); // stored again: the digest is the shape's own
    expect(after.digest).toBe(before.digest);
  });

  it("refuses an append naming a shape id with a digest it does not have", async () => {
    const [{ id }] = await t.db.query(`SELECT id FROM audit_shape ORDER BY id DESC LIMIT 1`);
    await expect(
      t.db.query(
        `SELECT * FROM pgw_audit_append_items(ARRAY[now()], ARRAY[$1::int], ARRAY[sha256('forged'::bytea)], ARRAY['r'], ARRAY['{}'], '[]', 1)`,
        [id],
      ),
    ).rejects.toThrow(/not stored with its digest/);
  });

  it("refuses a batch whose arrays differ in length (an event without its time, shape or customers)", async () => {
    const [{ id, digest }] = await t.db.query(`SELECT id, digest FROM audit_shape ORDER BY id DESC LIMIT 1`);
    const seq = await lastSeq(t);
    await expect(
      t.db.query(
        `SELECT * FROM pgw_audit_append_items(ARRAY[now(), now()], ARRAY[$1::int, $1::int], ARRAY[$2::bytea, $2::bytea], ARRAY['r1', 'r2'], ARRAY['{}'], '[]', 1)`,
        [id, digest],
      ),
    ).rejects.toThrow(/arrays differ in length/);
    expect(await lastSeq(t)).toBe(seq);
  });
});
