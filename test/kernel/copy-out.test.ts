import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { DataSource } from "typeorm";
import { openDatabase } from "../../src/db/data-source";
import { copyRows, parseBinaryCopy } from "../../src/kernel/store/copy-out";
import { featureDb } from "../../src/kernel/store/feature-db";

/** Bulk binary reads (COPY ... TO STDOUT in binary format): the bytes as stored, the handle's table check, errors. */
let db: DataSource;
beforeAll(async () => {
  db = await openDatabase({ url: inject("databaseUrl"), poolSize: 2 });
});
afterAll(() => db?.destroy());

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
const header = Buffer.concat([SIGNATURE, Buffer.alloc(8)]);
const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

describe("the binary COPY format", () => {
  const twoRows = Buffer.concat([
    header,
    int16(2),
    int32(3),
    Buffer.from("abc"),
    int32(-1),
    int16(2),
    int32(0),
    int32(1),
    Buffer.from([0xff]),
    int16(-1),
  ]);
  const expected = [
    [Buffer.from("abc"), null],
    [Buffer.alloc(0), Buffer.from([0xff])],
  ];

  it("gives each row's values as their bytes, and NULL as null", () => {
    expect(parseBinaryCopy([twoRows])).toEqual(expected);
  });

  it("reads the same however the data is split into messages", () => {
    for (let cut = 0; cut <= twoRows.length; cut++) {
      expect(parseBinaryCopy([twoRows.subarray(0, cut), twoRows.subarray(cut)]), `cut at ${cut}`).toEqual(expected);
    }
    expect(parseBinaryCopy([...twoRows].map((byte) => Buffer.from([byte])))).toEqual(expected);
  });

  it("refuses data without the signature, cut short, or with bytes after the trailer", () => {
    const row = Buffer.concat([int16(1), int32(4), Buffer.from("abcd")]);
    const parse =
      (...parts: Buffer[]) =>
      () =>
        parseBinaryCopy([Buffer.concat(parts)]);
    expect(parse(Buffer.from("PGCOPX\n\xff\r\n\0", "latin1"), Buffer.alloc(8), int16(-1))).toThrow(/no signature/);
    expect(parse(SIGNATURE, Buffer.alloc(4), int32(9), int16(-1))).toThrow(/no header/);
    expect(parse(header, row)).toThrow(/no trailer/);
    expect(parse(header, row.subarray(0, 7))).toThrow(/past the end/);
    expect(parse(header, int16(1), int32(-2), int16(-1))).toThrow(/past the end/);
    expect(parse(header, row, int16(-1), Buffer.from([0]))).toThrow(/after the trailer/);
    expect(() => parseBinaryCopy([])).toThrow(/no signature/);
  });
});

describe("copyRows", () => {
  it("reads what query reads, byte for byte, in the statement's order", async () => {
    const select = `SELECT sha256(int8send(g)) AS h, CASE WHEN g % 2 = 0 THEN NULL ELSE int4send(g::int) END AS b
      FROM generate_series(1, 2000) g ORDER BY g`;
    const expected: Array<{ h: Buffer; b: Buffer | null }> = await db.query(select);
    const rows = await copyRows(db, select);
    expect(rows).toHaveLength(2000);
    expect(rows.map(([h, b]) => ({ h, b }))).toEqual(expected);
  });

  it("reads a value of several megabytes (one row arrives in many network reads)", async () => {
    const [[page]] = await copyRows(db, `SELECT string_agg(sha256(int8send(g)), ''::bytea ORDER BY g) FROM generate_series(1, 200000) g`);
    const [{ hash }] = await db.query(
      `SELECT sha256(string_agg(sha256(int8send(g)), ''::bytea ORDER BY g)) AS hash FROM generate_series(1, 200000) g`,
    );
    expect(page!.length).toBe(200000 * 32);
    expect(page!.subarray(0, 32)).toEqual((await db.query(`SELECT sha256(int8send(1::bigint)) AS h`))[0].h);
    expect((await db.query(`SELECT sha256($1::bytea) AS h`, [page]))[0].h).toEqual(hash);
  });

  it("applies a feature handle's table check, as query does", async () => {
    const audit = featureDb(db, "audit", [{ table: "customer", owner: "kernel" }]);
    await expect(copyRows(audit, `SELECT email FROM customer`)).rejects.toThrow(/may not touch the table customer/);
    await expect(audit.query(`SELECT email FROM customer`)).rejects.toThrow(/may not touch the table customer/);
    expect(await copyRows(audit, `SELECT count(*)::int4 FROM audit_chain`)).toHaveLength(1);
  });

  it("rejects with the database's error and leaves the pool usable", async () => {
    await expect(copyRows(db, `SELECT 1 / 0`)).rejects.toThrow(/division by zero/);
    await expect(copyRows(db, `SELECT * FROM no_such_table`)).rejects.toThrow(/no_such_table/);
    // both connections of the pool still answer, one COPY each at once
    const answers = await Promise.all([1, 2, 3].map((n) => copyRows(db, `SELECT int4send(${n})`)));
    expect(answers.map(([[v]]) => v!.readInt32BE(0))).toEqual([1, 2, 3]);
  });

  it("in a transaction, reads on the transaction's connection (it sees the transaction's own writes)", async () => {
    const rows = await db.transaction(async (manager) => {
      await manager.query(`CREATE TEMPORARY TABLE copy_probe (v int4) ON COMMIT DROP`);
      await manager.query(`INSERT INTO copy_probe VALUES (7)`);
      return copyRows(manager, `SELECT v FROM copy_probe`);
    });
    expect(rows.map(([v]) => v!.readInt32BE(0))).toEqual([7]);
  });
});
