import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer, subscribe, type CustomerRow } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/**
 * Keyset pagination (`customers(after:)`): walking the pages gives every reachable customer
 * once, in the page order, whatever the order's directions; a cursor the purpose does not
 * reach (soft-deleted, outside its row rule, unknown) yields nothing, so it is no oracle.
 */
let t: TestGateway;
let shop: string;
let marketing: string; // NOTIFICATION: subscribers only
let active: CustomerRow[];
let deleted: CustomerRow;
let subscriber: CustomerRow;

beforeAll(async () => {
  t = await startTestGateway();
  shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  marketing = await t.client("marketing", [Purpose.NOTIFICATION]);
  const rows: CustomerRow[] = [];
  for (let i = 0; i < 23; i++) {
    // names and dates repeat, so the id decides ties in every order
    const day = String(1 + (i % 7)).padStart(2, "0");
    rows.push(
      await insertCustomer(t.db, {
        fullName: `Person ${String.fromCharCode(65 + (i % 5))}`,
        createdAt: new Date(`2025-03-${day}T00:00:00Z`),
      }),
    );
  }
  deleted = rows[11];
  await t.db.query(`UPDATE customer SET deleted_at = now() WHERE id = $1`, [deleted.id]);
  active = rows.filter((r) => r !== deleted);
  // the subscriber is the last by id, so every other customer's id would be a cursor before it
  subscriber = [...active].sort(byId)[active.length - 1];
  await subscribe(t.db, subscriber.id, "EMAIL_MAGAZINE", true);
});
afterAll(() => t?.stop());

const PAGE = `query Page($after: ID, $orderBy: [CustomerOrder!]) @purpose(name: SERVICE_PROVISION) {
  customers(first: 5, after: $after, orderBy: $orderBy) { id }
}`;

async function walk(orderBy: unknown): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 20; page++) {
    const res = await t.gql(PAGE, { key: shop, variables: { after, orderBy } });
    expect(res.status).toBe(200);
    const ids: string[] = res.body.data.customers.map((c: { id: string }) => c.id);
    if (!ids.length) return seen;
    seen.push(...ids);
    after = ids[ids.length - 1];
  }
  throw new Error("pagination did not end");
}

const byId = (a: CustomerRow, b: CustomerRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe("customers(after:)", () => {
  it("walks every reachable customer once in id order, skipping the soft-deleted", async () => {
    expect(await walk(null)).toEqual([...active].sort(byId).map((r) => r.id));
  });

  it("follows an order in one direction (full name ascending, then id)", async () => {
    const expected = [...active].sort((a, b) => a.fullName.localeCompare(b.fullName, "en") || byId(a, b)).map((r) => r.id);
    const names = await t.db.query(`SELECT id FROM customer WHERE deleted_at IS NULL ORDER BY full_name, id`);
    expect(names.map((r: { id: string }) => r.id)).toEqual(expected); // the database's collation agrees
    expect(await walk([{ fullName: "ASC" }])).toEqual(expected);
  });

  it("follows an order in mixed directions (created descending, then id ascending)", async () => {
    const expected = [...active].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || byId(a, b)).map((r) => r.id);
    expect(await walk([{ createdAt: "DESC" }])).toEqual(expected);
  });

  it("gives nothing after a cursor the purpose cannot reach", async () => {
    for (const after of [deleted.id, randomUUID()]) {
      const res = await t.gql(PAGE, { key: shop, variables: { after } });
      expect(res.status).toBe(200);
      expect(res.body.data.customers).toEqual([]);
    }
    // NOTIFICATION reaches subscribers only: another customer's id is no cursor for it
    const notify = `query N($after: ID) @purpose(name: NOTIFICATION) { customers(first: 5, after: $after) { email } }`;
    const outside = active.find((r) => r !== subscriber)!;
    expect(outside.id < subscriber.id).toBe(true);
    const res = await t.gql(notify, { key: marketing, variables: { after: outside.id } });
    expect(res.body.data.customers).toEqual([]);
    const first = await t.gql(notify, { key: marketing, variables: { after: null } });
    expect(first.body.data.customers).toEqual([{ email: subscriber.email }]);
  });
});
