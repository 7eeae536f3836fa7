import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataSource } from "typeorm";
import { MIGRATIONS } from "../../migrations";
import { StatisticsUsageFactEarlierMonths1764700000000 } from "../../migrations/1764700000000-statistics-usage-fact-earlier-months";
import { ScratchDatabase } from "../support/scratch-database";

/**
 * Migration 1764700000000 on a store that already holds facts: they are written again with
 * their earlier months (the same facts, each with what it is defined to hold), the triggers
 * keep them so, and going back down leaves the former facts and their maintenance working.
 * Needs a second database on the server (CREATE DATABASE): PostgreSQL only, not PGlite.
 */
const embedded = !process.env.DATABASE_URL;
const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(StatisticsUsageFactEarlierMonths1764700000000));
const CATALOGUE = ["Mobile", "Broadband", "Streaming", "Cloud Storage", "Travel Booking"];

let scratch: ScratchDatabase;
let db: DataSource;

beforeAll(async () => {
  if (embedded) return;
  scratch = await ScratchDatabase.create("facts_migration", before);
  db = scratch.db;
});
afterAll(() => scratch?.drop());

const facts = () =>
  db.query(
    `SELECT customer_id, pick::text, service, to_char(month, 'YYYY-MM') AS month, uses, amount::int FROM statistics_usage_fact ORDER BY 1, 2, 3, 4`,
  );

/** Facts whose earlier months are not the sorted months of the same customer's facts ranked before them. */
async function misranked(): Promise<number> {
  const [{ wrong }] = await db.query(
    `SELECT count(*)::int AS wrong FROM statistics_usage_fact f
      WHERE f.earlier_months IS DISTINCT FROM (
        SELECT array_agg(e.month ORDER BY e.month) FROM statistics_usage_fact e
         WHERE e.customer_id = f.customer_id AND (e.pick, e.service, e.month) < (f.pick, f.service, f.month))`,
  );
  return wrong;
}

async function addUsage(customers: number): Promise<void> {
  await db.query(
    `WITH c AS (
       INSERT INTO customer (full_name, email, phone, postal_code, prefecture, street_address, birth_date, gender)
       SELECT 'C' || i, 'c' || i || '@example.com', '000', '100-0001', 'Tokyo', '1-1', '1990-01-01', 'FEMALE' FROM generate_series(1, $1::int) i
       RETURNING id
     )
     INSERT INTO service_usage (customer_id, service, amount, occurred_at)
     SELECT c.id, s, 100 * m, make_timestamptz(2026, m, 5, 0, 0, 0, 'UTC')
       FROM c, unnest(ARRAY['Mobile', 'Streaming', 'Karaoke']) s, generate_series(1, 4) m
      WHERE (hashtext(c.id::text || s || m) & 3) <> 0`,
    [customers],
  );
}

describe.skipIf(embedded)("giving existing usage facts their earlier months", () => {
  it("rebuilds the facts a store holds with them, keeps them through writes, and goes back down", async () => {
    await db.query(`SELECT statistics_usage_fact_rebuild('Asia/Tokyo', $1::text[])`, [CATALOGUE]);
    await addUsage(40); // maintained by the former trigger
    const former = await facts();
    expect(former.length).toBeGreaterThan(200);

    db = await scratch.migrate(MIGRATIONS);

    expect(await facts()).toEqual(former);
    const [{ ranked }] = await db.query(`SELECT count(earlier_months)::int AS ranked FROM statistics_usage_fact`);
    expect(ranked).toBeGreaterThan(100);
    expect(await misranked()).toBe(0);
    await addUsage(10); // the new trigger ranks the customers it writes
    await db.query(`DELETE FROM service_usage WHERE service = 'Streaming' AND amount = 200`);
    expect(await misranked()).toBe(0);

    const kept = await facts();
    await db.undoLastMigration({ transaction: "each" });
    const columns = await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'statistics_usage_fact'`);
    expect(columns.map((c: { column_name: string }) => c.column_name)).not.toContain("earlier_months");
    expect(await facts()).toEqual(kept);
    await addUsage(5); // the former trigger again
    const [{ n }] = await db.query(`SELECT count(DISTINCT customer_id)::int AS n FROM statistics_usage_fact`);
    expect(n).toBe(55);
  });
});
