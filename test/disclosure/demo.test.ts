import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientRegistry } from "../../src/clients/client-registry";
import { issueDemoKeys } from "../../src/seed/demo-clients";
import { seedDemoData } from "../../src/seed/demo-data";
import { accountabilityDemoCalls, seedDemoRecipients } from "../../src/seed/demo-recipients";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/** The demo's recipients: each demo call printed by `--demo` (and shown in the README) works. */
let t: TestGateway;
let keys: Record<string, string>;
const calls = new Map<string, string[]>();

beforeAll(async () => {
  t = await startTestGateway();
  await seedDemoData(t.db, { customers: 300 });
  keys = Object.fromEntries((await issueDemoKeys(new ClientRegistry(t.db))).map((k) => [k.name, k.key]));
  await seedDemoRecipients(t.db);
  await seedDemoRecipients(t.db); // idempotent: a second demo start changes nothing
  accountabilityDemoCalls((client, query) => {
    calls.set(client, [...(calls.get(client) ?? []), query]);
    return "";
  });
});
afterAll(() => t?.stop());

const run = (client: string, index = 0) => t.gql(calls.get(client)![index], { key: keys[client] });

describe("the demo recipients", () => {
  it("seeds three recipients, consents to the partner once, and the officer's role", async () => {
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM recipient`);
    expect(n).toBe(3);
    const [{ consents, active }] = await t.db.query(
      `SELECT count(*)::int AS consents, count(*) FILTER (WHERE withdrawn_at IS NULL)::int AS active FROM consent WHERE kind = 'THIRD_PARTY_DISCLOSURE'`,
    );
    expect(consents).toBeGreaterThan(20);
    expect(active).toBeLessThan(consents);
    const [{ roles }] = await t.db.query(`SELECT roles FROM api_client WHERE name = 'demo-privacy-office'`);
    expect(roles).toEqual(["PRIVACY_OFFICER"]);
  });

  it("demo-shipping: winners' name, address and phone", async () => {
    const res = await run("demo-shipping");
    expect(res.status).toBe(200);
    const winners = res.body.data.campaigns.flatMap((c: any) => c.winners);
    expect(winners.length).toBeGreaterThan(0);
    expect(Object.keys(winners[0].customer).sort()).toEqual(["fullName", "phone", "postalCode", "prefecture", "streetAddress"]);
  });

  it("demo-mailer: subscribers' e-mail addresses only", async () => {
    const res = await run("demo-mailer");
    expect(res.status).toBe(200);
    expect(res.body.data.customers).toHaveLength(3);
    expect(res.body.data.customers.every((c: any) => Object.keys(c).join() === "email")).toBe(true);
  });

  it("demo-partner: consenting customers only", async () => {
    const res = await run("demo-partner");
    expect(res.status).toBe(200);
    const ids = res.body.data.customers.map((c: any) => c.id);
    expect(ids.length).toBeGreaterThan(0);
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM consent WHERE customer_id = ANY($1::uuid[]) AND kind = 'THIRD_PARTY_DISCLOSURE' AND withdrawn_at IS NULL`,
      [ids],
    );
    expect(n).toBe(ids.length);
  });

  it("demo-privacy-office: the trail and the ledger of the calls above", async () => {
    const events = await run("demo-privacy-office", 0);
    expect(events.status).toBe(200);
    expect(events.body.data.auditEvents.map((e: any) => e.operationName)).toEqual(expect.arrayContaining(["Offers", "Mail", "Ship"]));
    const ledger = await run("demo-privacy-office", 1);
    expect(ledger.status).toBe(200);
    // newest first: the partner's three consenting customers, then the mailer's subscribers (processors are recorded too)
    expect(ledger.body.data.disclosures.slice(0, 3).map((d: any) => [d.recipientName, d.ground])).toEqual(
      Array(3).fill(["sakura-travel-partner", "CUSTOMER_CONSENT"]),
    );
    expect(
      ledger.body.data.disclosures.slice(3).every((d: any) => d.recipientName === "mailwise-magazine" && d.purpose === "NOTIFICATION"),
    ).toBe(true);
  });
});
