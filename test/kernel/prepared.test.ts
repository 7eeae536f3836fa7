import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { DataSource } from "typeorm";
import { openDatabase } from "../../src/db/data-source";
import { featureDb } from "../../src/kernel/store/feature-db";
import { preparedRows } from "../../src/kernel/store/prepared";
import { compileNamed, poolRows } from "../../src/kernel/store/statements";
import { Pool } from "pg";

/** A feature's hot statements as prepared statements: prepared once per connection, the handle's table check kept. */
let db: DataSource;
beforeAll(async () => {
  db = await openDatabase({ url: inject("databaseUrl"), poolSize: 1 });
});
afterAll(() => db?.destroy());

const ECHO = compileNamed(`SELECT $1::int + 1 AS next, $2::text[] AS words`);

describe("preparedRows", () => {
  it("returns what query returns, with its parameters bound", async () => {
    const audit = featureDb(db, "audit", []);
    expect(await preparedRows(audit, ECHO, [41, ["a", "b"]])).toEqual([{ next: 42, words: ["a", "b"] }]);
    expect(await preparedRows(audit, ECHO, [1, []])).toEqual([{ next: 2, words: [] }]);
  });

  it("prepares the statement once on the connection, under its name, then only executes it", async () => {
    const audit = featureDb(db, "audit", []);
    for (let i = 0; i < 3; i++) await preparedRows(audit, ECHO, [i, []]);
    // one pool connection: the session that ran the statement is the one asked here
    const rows: Array<{ name: string; statement: string }> = await db.query(
      `SELECT name, statement FROM pg_prepared_statements WHERE name = $1`,
      [ECHO.name],
    );
    expect(rows).toEqual([{ name: ECHO.name, statement: ECHO.text }]);
  });

  it("applies the feature handle's table check before anything is sent", async () => {
    const audit = featureDb(db, "audit", [{ table: "customer", owner: "kernel" }]);
    const reading = compileNamed(`SELECT email FROM customer LIMIT 1`);
    await expect(preparedRows(audit, reading, [])).rejects.toThrow(/may not touch the table customer/);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = $1`, [reading.name]);
    expect(n).toBe(0);
  });

  it("inside a transaction, runs on the transaction's connection (it sees the transaction's writes)", async () => {
    const audit = featureDb(db, "audit", []);
    const seen = await audit.transaction(async (tx) => {
      await tx.query(`CREATE TEMP TABLE prepared_probe (n int) ON COMMIT DROP`);
      await tx.query(`INSERT INTO prepared_probe VALUES (7)`);
      return preparedRows(tx, compileNamed(`SELECT n FROM prepared_probe`), []);
    });
    expect(seen).toEqual([{ n: 7 }]);
  });

  it("rejects with the database's error and leaves the pool usable", async () => {
    const audit = featureDb(db, "audit", []);
    await expect(preparedRows(audit, ECHO, ["not a number", []])).rejects.toThrow(/invalid input syntax/);
    expect(await preparedRows(audit, ECHO, [1, []])).toEqual([{ next: 2, words: [] }]);
  });

  it("on a session that already holds the name (the embedded store's shared session), sends the statement unnamed from then on", async () => {
    const pool = new Pool({ connectionString: inject("databaseUrl"), max: 1 });
    try {
      const clash = compileNamed(`SELECT $1::int * 2 AS twice`);
      // what another connection of the same session would have left: the name, prepared behind pg's back
      await pool.query(`PREPARE ${clash.name} (int) AS SELECT $1 * 2 AS twice`);
      expect(await poolRows(pool, clash, [21])).toEqual([{ twice: 42 }]);
      // marked: neither it nor a later statement is prepared under a name again (pg-pool replaced
      // the connection that failed, so a named statement would show on the new one)
      const later = compileNamed(`SELECT $1::int + 2 AS more`);
      expect(await poolRows(pool, later, [1])).toEqual([{ more: 3 }]);
      expect(await poolRows(pool, clash, [2])).toEqual([{ twice: 4 }]);
      const { rows } = await pool.query(`SELECT name FROM pg_prepared_statements`);
      expect(rows).toEqual([]);
    } finally {
      await pool.end();
    }
  });
});
