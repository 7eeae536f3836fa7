import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgreementRegistry } from "../../src/features/consent/agreement-registry";
import { RecipientRegistry } from "../../src/features/disclosure/recipient-registry";
import { ALL_PURPOSES, Purpose } from "../../src/kernel/purposes/purpose";
import { compose } from "../../src/app/compose";
import { belongsTo } from "../../src/kernel/data/linked-sql";
import { personalColumns } from "../../src/kernel/personal-data/declaration";
import { insertCampaign, insertCustomer, insertEntry, insertUsage, subscribe } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { complete, receive } from "./requests-support";

/**
 * Disclosure and deletion end to end: the export holds everything stored about the
 * customer and who saw it; after deletion no purpose reaches them and nothing personal is
 * left anywhere — not in the export, not in any table.
 */
let t: TestGateway;
let privacy: string;
let everything: string; // a client granted every purpose, to try them all
let shipper: string; // a processor (shipping) client
let target: Awaited<ReturnType<typeof insertCustomer>>;
let campaignId: string;

beforeAll(async () => {
  t = await startTestGateway();
  privacy = await t.client("privacy", [Purpose.DATA_SUBJECT_REQUEST]);
  everything = await t.client("everything", [...ALL_PURPOSES]);
  shipper = await t.client("shipper", [Purpose.PRIZE_DELIVERY]);
  target = await insertCustomer(t.db, {
    fullName: "Ishikawa Goemon",
    email: "goemon.ishikawa@example.jp",
    phone: "075-555-0199",
    postalCode: "605-0001",
    prefecture: "Kyoto",
    streetAddress: "Higashiyama 3-3-3",
    birthDate: "1958-08-24",
  });
  await insertUsage(t.db, target.id, "Travel Booking", 12800, "2026-03-03T03:00:00Z");
  campaignId = await insertCampaign(t.db, "Autumn");
  await insertEntry(t.db, campaignId, target.id, true);
  await subscribe(t.db, target.id, "EMAIL_MAGAZINE", true);
  await new AgreementRegistry(t.db).register({ key: "survey-2026", title: "Survey 2026", description: "A customer survey." });
  await t.db.query(
    `INSERT INTO consent (customer_id, kind, agreement_key, policy_version) VALUES ($1, 'INDIVIDUAL_AGREEMENT', 'survey-2026', '2026.1')`,
    [target.id],
  );
  // a shipping processor receives the winner's address through the gateway (ledger record)
  const recipients = new RecipientRegistry(t.db);
  await recipients.create({
    name: "yamato-shipping",
    kind: "PROCESSOR",
    contractRef: "DPA-2026-001",
    purposes: ["PRIZE_DELIVERY"],
    fields: [
      "Query.campaigns",
      "GiftCampaign.winners",
      "CampaignEntry.customer",
      "Customer.fullName",
      "Customer.postalCode",
      "Customer.streetAddress",
      "Customer.phone",
      "CampaignEntry.id",
    ],
  });
  await recipients.attachClient("shipper", "yamato-shipping");
  const shipped = await t.gql(
    `query S @purpose(name: PRIZE_DELIVERY) { campaigns { winners { id customer { fullName postalCode streetAddress phone } } } }`,
    {
      key: shipper,
    },
  );
  expect(shipped.body.data.campaigns[0].winners[0].customer.fullName).toBe("Ishikawa Goemon");
  // and the shop reads the customer for service provision (an access to disclose later)
  const shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  await t.gql(`query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${target.id}") { fullName } }`, { key: shop });
});
afterAll(() => t?.stop());

const personalValues = () => [target.fullName, target.email, target.phone, target.postalCode, target.streetAddress, target.birthDate];

const { registry } = compose();

describe("every table about a customer is covered", () => {
  it("by the declaration, so by the export and the erasure (fails when a new table is added without one)", async () => {
    const rows: Array<{ table_name: string }> = await t.db.query(
      `SELECT DISTINCT table_name FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name IN ('customer_id', 'customer_ids')`,
    );
    const tables = ["customer", ...rows.map((r) => r.table_name)].sort();
    expect(tables.filter((table) => !registry.has(table))).toEqual([]);
    for (const table of registry.tables) {
      // exported as a section, or nested in its parent's section, or through a view over it (the audit chain)
      const nestedIn = table.link.kind === "via" ? (registry.table(table.link.table).export?.children ?? []) : [];
      const throughView = table.exportedThrough !== undefined && registry.table(table.exportedThrough).export !== undefined;
      expect(
        throughView || (table.export !== undefined && (table.link.kind !== "via" || nestedIn.includes(table.table))),
        table.table,
      ).toBe(true);
      expect(table.erasure, table.table).toBeDefined();
    }
  });
});

describe("disclosure", () => {
  it("exports everything stored, who accessed it and for what, and every disclosure", async () => {
    const done = await complete(t, privacy, await receive(t, privacy, target.id, "DISCLOSURE"));
    const e = done.export;
    expect(e.format).toBe("purpose-gateway/disclosure-export@1");
    expect(e.customer).toMatchObject({
      fullName: "Ishikawa Goemon",
      email: "goemon.ishikawa@example.jp",
      birthDate: "1958-08-24",
      prefecture: "Kyoto",
    });
    expect(e.serviceUsage).toEqual([expect.objectContaining({ service: "Travel Booking", amount: 12800 })]);
    expect(e.campaignEntries).toEqual([expect.objectContaining({ campaign: "Autumn", won: true })]);
    expect(e.notificationSubscriptions).toEqual([expect.objectContaining({ channel: "EMAIL_MAGAZINE", optedIn: true })]);
    expect(e.consents).toEqual([expect.objectContaining({ kind: "INDIVIDUAL_AGREEMENT", agreement: "survey-2026" })]);
    expect(e.requests.map((r: any) => r.kind)).toContain("DISCLOSURE");
    expect(e.accessLog).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ client: "shipper", purpose: "PRIZE_DELIVERY", recipient: "yamato-shipping", outcome: "ACCEPTED" }),
        expect.objectContaining({ client: "shop", purpose: "SERVICE_PROVISION", fields: expect.arrayContaining(["Customer.fullName"]) }),
      ]),
    );
    expect(e.thirdPartyDisclosures).toEqual([
      expect.objectContaining({
        recipient: "yamato-shipping",
        recipientKind: "PROCESSOR",
        contract: "DPA-2026-001",
        purpose: "PRIZE_DELIVERY",
      }),
    ]);
    expect(e.thirdPartyDisclosures[0].dataItems).toEqual(expect.arrayContaining(["Customer.streetAddress", "Customer.phone"]));
  });
});

/**
 * Every road by which each purpose could reach the target, as an accepted operation: the
 * filters match the target (Kyoto, example.jp), and each purpose's row rule lets the target
 * through while it exists (open request, e-mail subscription, survey consent, prize won).
 * USAGE_STATISTICS has no road to a row at all (aggregates only, statistics tests).
 */
function roadsToTarget(): Array<{ purpose: Purpose; query: string }> {
  // (`node { id }` alone would reach every Node type's id, which most purposes may not read)
  const byId = [`customer(id: "${target.id}") { id }`, `node(id: "${target.id}") { ... on Customer { id } }`];
  const roads: Record<Purpose, string[]> = {
    [Purpose.SERVICE_PROVISION]: [
      ...byId,
      `customers(first: 100, filter: { prefecture: "Kyoto" }) { id }`,
      `campaigns { winners { customer { id } } }`,
    ],
    [Purpose.PRODUCT_IMPROVEMENT]: [...byId, `customers(first: 100, filter: { prefecture: "Kyoto" }) { id }`],
    [Purpose.NOTIFICATION]: [...byId, `customers(first: 100, filter: { emailDomain: "example.jp" }) { id }`],
    [Purpose.INDIVIDUAL_AGREEMENT]: [...byId, `customers(first: 100, filter: { prefecture: "Kyoto" }) { id }`],
    [Purpose.DATA_SUBJECT_REQUEST]: [...byId, `campaigns { winners { customer { id } } }`],
    [Purpose.PRIZE_DELIVERY]: [
      `campaigns { winners { customer { id } } }`,
      `campaign(id: "${campaignId}") { winners { customer { id } } }`,
    ],
    [Purpose.USAGE_STATISTICS]: [],
  };
  return ALL_PURPOSES.flatMap((purpose) => {
    const agreement = purpose === Purpose.INDIVIDUAL_AGREEMENT ? `, agreement: "survey-2026"` : "";
    return roads[purpose].map((road) => ({ purpose, query: `query Q @purpose(name: ${purpose}${agreement}) { ${road} }` }));
  });
}

describe("deletion", () => {
  it("erases the customer everywhere, notifies recipients, and leaves them unreachable under every purpose", async () => {
    const id = `"id":"${target.id}"`;
    const erasing = await receive(t, privacy, target.id, "DELETION");

    // Before: every road below does reach the customer (so its silence afterwards means something).
    for (const { purpose, query } of roadsToTarget()) {
      const res = await t.gql(query, { key: everything });
      expect(res.status, `${purpose}: ${query}`).toBe(200);
      expect(res.body.errors, `${purpose}: ${query}`).toBeUndefined();
      expect(JSON.stringify(res.body.data), `${purpose}: ${query}`).toContain(id);
    }

    const done = await complete(t, privacy, erasing);
    expect(done.request.status).toBe("COMPLETED");
    expect(done.request.erasureNotifications).toEqual([{ recipientName: "yamato-shipping", status: "PENDING", attempts: 0 }]);

    // An open request keeps DATA_SUBJECT_REQUEST's row rule satisfied: only the erasure can hide them now.
    const asking = await receive(t, privacy, target.id, "DISCLOSURE");

    // After: the same roads are accepted (200, no errors) and none returns the customer.
    for (const { purpose, query } of roadsToTarget()) {
      const res = await t.gql(query, { key: everything });
      expect(res.status, `${purpose}: ${query}`).toBe(200);
      expect(res.body.errors, `${purpose}: ${query}`).toBeUndefined();
      expect(res.body.data, `${purpose}: ${query}`).toBeDefined();
      expect(JSON.stringify(res.body.data), `${purpose}: ${query}`).not.toContain(id);
    }

    // the export is empty of personal values
    const after = await complete(t, privacy, asking);
    const exported = JSON.stringify(after.export);
    for (const value of personalValues()) expect(exported).not.toContain(value);
    expect(after.export.customer).toMatchObject({ id: target.id, fullName: null, email: null, erasedAt: expect.any(String) });
    expect(after.export.serviceUsage).toEqual([]);
    expect(after.export.accessLog.length).toBeGreaterThan(0); // the facts stay: who accessed, when, why

    // every declared personal column of every table is empty for the customer (enumerated
    // from the declaration, not from the fixture's values)
    for (const table of registry.tables) {
      for (const column of personalColumns(table)) {
        const [{ n }] = await t.db.query(
          `SELECT count(*)::int AS n FROM ${table.table} x WHERE ${belongsTo(registry, table, "x", "$1::uuid")} AND x.${column.column} IS NOT NULL`,
          [target.id],
        );
        expect(n, `${table.table}.${column.column} still holds a value`).toBe(0);
      }
    }

    // and no table holds any of them any more
    const tables: Array<{ tablename: string }> = await t.db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    for (const { tablename } of tables) {
      const [{ dump }] = await t.db.query(`SELECT coalesce(string_agg(row_to_json(x)::text, ' '), '') AS dump FROM "${tablename}" x`);
      for (const value of personalValues()) expect(dump, `${tablename} still holds ${value}`).not.toContain(value);
    }
  });
});
