import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { DataSource } from "typeorm";
import { compose } from "../../src/app/compose";
import { buildGatewaySchema } from "../../src/app/schema/build-schema";
import { openDatabase } from "../../src/db/data-source";
import { readFieldPolicy } from "../../src/kernel/gate/field-policy";
import { DATA_CATEGORIES, purposesOf } from "../../src/kernel/personal-data/categories";
import { declareTable, personalColumns } from "../../src/kernel/personal-data/declaration";
import { featureDb } from "../../src/kernel/store/feature-db";
import { Purpose, PURPOSE_CLAUSES } from "../../src/kernel/purposes/purpose";
import { startGateway } from "../../src/server/create-gateway";
import { resetStore, testSettings } from "../support/test-gateway";

/** The personal-data declaration: the one place personal columns are listed, and what derives from it. */
const { registry } = compose();
let db: DataSource;
beforeAll(async () => {
  db = await openDatabase({ url: inject("databaseUrl"), poolSize: 2 });
  await resetStore(db);
});
afterAll(() => db?.destroy());

describe("the taxonomy", () => {
  it("grants each purpose to a category with the clause of the agreement that purpose is", () => {
    for (const category of Object.values(DATA_CATEGORIES)) {
      for (const grant of category.grants)
        expect(grant.clause, `${category.name} → ${grant.purpose}`).toBe(PURPOSE_CLAUSES[grant.purpose].clause);
    }
  });
  it("grants no category to USAGE_STATISTICS: statistics are aggregates, never values", () => {
    for (const category of Object.values(DATA_CATEGORIES)) expect(purposesOf(category)).not.toContain(Purpose.USAGE_STATISTICS);
  });
});

describe("what derives from the declaration", () => {
  it("the SDL's @allowedFor of every declared field is its category's purposes", async () => {
    const policy = readFieldPolicy(await buildGatewaySchema());
    let checked = 0;
    for (const table of registry.tables) {
      if (!table.type) continue;
      for (const column of Object.values(table.columns)) {
        if (!column.field) continue;
        expect(policy.allowedPurposes(`${table.type}.${column.field}`), `${table.type}.${column.field}`).toEqual(
          purposesOf(column.category!),
        );
        checked++;
      }
      for (const g of table.generalisations ?? [])
        expect(policy.allowedPurposes(`${table.type}.${g.field}`)).toEqual(purposesOf(g.category));
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("a personal column cannot be declared without a data category", () => {
    expect(() =>
      declareTable({
        table: "t",
        owner: "kernel",
        link: { kind: "column", column: "customer_id" },
        columns: { nick: { column: "nick", kind: "personal", sqlType: "text" } },
        erasure: { action: "delete" },
      }),
    ).toThrow(/t\.nick \(nick\) is personal but has no data category/);
  });

  it("declares every personal column of the customer, and nothing by hand elsewhere", () => {
    expect(
      personalColumns(registry.customer)
        .map((c) => c.column)
        .sort(),
    ).toEqual(["birth_date", "created_at", "email", "full_name", "gender", "phone", "postal_code", "prefecture", "street_address"].sort());
  });
});

describe("the store is checked against the declaration at start-up", () => {
  it("refuses to start with a customer column that has no data category, naming it", async () => {
    await db.query(`ALTER TABLE customer ADD COLUMN nickname text`);
    try {
      await expect(startGateway({ db, settings: testSettings() })).rejects.toThrow(/customer\.nickname has no data category/);
    } finally {
      await db.query(`ALTER TABLE customer DROP COLUMN nickname`);
    }
  });

  it("refuses to start with a table of customer rows that is not declared, naming it", async () => {
    await db.query(`CREATE TABLE loyalty_card (id uuid PRIMARY KEY, customer_id uuid NOT NULL, points integer)`);
    try {
      await expect(startGateway({ db, settings: testSettings() })).rejects.toThrow(
        /table loyalty_card holds customer rows but is not declared/,
      );
    } finally {
      await db.query(`DROP TABLE loyalty_card`);
    }
  });
});

describe("a feature's database handle", () => {
  it("refuses statements on the kernel's customer tables and other features' linked tables, and allows its own", async () => {
    const consent = featureDb(db, "consent", registry.tables);
    await expect(consent.query(`SELECT email FROM customer`)).rejects.toThrow(/may not touch the table customer/);
    await expect(consent.query(`SELECT * FROM "service_usage"`)).rejects.toThrow(/service_usage/);
    await expect(consent.query(`SELECT note FROM data_subject_request_event`)).rejects.toThrow(/data_subject_request_event/);
    await expect(consent.transaction((tx) => tx.query(`UPDATE customer SET email = NULL`))).rejects.toThrow(/customer/);
    await expect(consent.query(`SELECT count(*) FROM consent`)).resolves.toEqual([{ count: "0" }]);
    // a reader named in the declaration may read (the ledger, by the disclosure feature)
    await expect(featureDb(db, "disclosure", registry.tables).query(`SELECT count(*)::int AS n FROM disclosure_record`)).resolves.toEqual([
      { n: 0 },
    ]);
  });
});
