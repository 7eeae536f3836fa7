import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCampaign, insertCustomer, insertEntry, subscribe } from "../support/fixtures";
import { codes, eventually, startTestGateway, type TestGateway } from "../support/test-gateway";
import { addRecipient, lastSeq, ledgerRows, recipientClient } from "./recipient-fixtures";

let t: TestGateway;
let shipperKey: string;
let mailerKey: string;
let shipperId: string;
let mailerId: string;
let winnerId: string;
let loserId: string;
let subscriberEmail: string;
let lapsedEmail: string;

const SHIPPING_FIELDS = [
  "GiftCampaign.winners",
  "CampaignEntry.customer",
  "Customer.fullName",
  "Customer.postalCode",
  "Customer.prefecture",
  "Customer.streetAddress",
  "Customer.phone",
];
const ship = (customerFields: string, entryFields = "") =>
  `query Ship @purpose(name: PRIZE_DELIVERY) { campaigns { name winners { ${entryFields} customer { ${customerFields} } } } }`;
const mail = (fields: string) => `query Mail @purpose(name: NOTIFICATION) { customers(first: 50) { ${fields} } }`;

beforeAll(async () => {
  t = await startTestGateway();
  const winner = await insertCustomer(t.db, { fullName: "Prize Winner", phone: "090-1111-2222" });
  const loser = await insertCustomer(t.db, { fullName: "Unlucky Entrant" });
  winnerId = winner.id;
  loserId = loser.id;
  const campaign = await insertCampaign(t.db, "Spring Gift");
  await insertEntry(t.db, campaign, winner.id, true);
  await insertEntry(t.db, campaign, loser.id, false);
  const subscriber = await insertCustomer(t.db, { fullName: "Magazine Reader" });
  const lapsed = await insertCustomer(t.db, { fullName: "Lapsed Reader" });
  subscriberEmail = subscriber.email;
  lapsedEmail = lapsed.email;
  await subscribe(t.db, subscriber.id, "EMAIL_MAGAZINE", true);
  await subscribe(t.db, lapsed.id, "EMAIL_MAGAZINE", false);

  shipperId = await addRecipient(t, {
    name: "yamato-shipping",
    kind: "PROCESSOR",
    contractRef: "OUT-2026-SHIP",
    purposes: ["PRIZE_DELIVERY"],
    fields: SHIPPING_FIELDS,
  });
  mailerId = await addRecipient(t, {
    name: "mailwise",
    kind: "PROCESSOR",
    contractRef: "OUT-2026-MAIL",
    purposes: ["NOTIFICATION"],
    fields: ["Query.customers", "Customer.email"],
  });
  // granted SERVICE_PROVISION too, to show that the contract, not only the grant, binds a processor
  shipperKey = await recipientClient(t, "shipper-client", [Purpose.PRIZE_DELIVERY, Purpose.SERVICE_PROVISION], "yamato-shipping");
  mailerKey = await recipientClient(t, "mailer-client", [Purpose.NOTIFICATION], "mailwise");
});
afterAll(() => t?.stop());

describe("the shipping processor (Section 4): name, address and phone of winners, for PRIZE_DELIVERY", () => {
  it("gets its contract's fields, of winners only", async () => {
    const res = await t.gql(ship("fullName postalCode prefecture streetAddress phone"), { key: shipperKey });
    expect(res.status).toBe(200);
    const winners = res.body.data.campaigns.flatMap((c: any) => c.winners);
    expect(winners).toEqual([{ customer: expect.objectContaining({ fullName: "Prize Winner", phone: "090-1111-2222" }) }]);
    expect(JSON.stringify(res.body)).not.toContain("Unlucky Entrant");
  });

  it("is refused every field outside the contract, one error each, before anything runs", async () => {
    const before = await t.dataQueries();
    const res = await t.gql(ship("id fullName", "shippedAt"), { key: shipperKey });
    expect(res.status).toBe(403);
    expect(codes(res)).toEqual(["PROCESSOR_FIELD_NOT_CONTRACTED", "PROCESSOR_FIELD_NOT_CONTRACTED"]);
    expect(res.body.errors!.map((e) => e.extensions!.coordinate).sort()).toEqual(["CampaignEntry.shippedAt", "Customer.id"]);
    expect(res.body.data).toBeUndefined();
    expect(await t.dataQueries()).toBe(before);
  });

  it("is refused a mutation its contract does not name", async () => {
    const res = await t.gql(`mutation M @purpose(name: PRIZE_DELIVERY) { markPrizeShipped(entryId: "${winnerId}") { shippedAt } }`, {
      key: shipperKey,
    });
    expect(res.status).toBe(403);
    expect(codes(res)).toContain("PROCESSOR_FIELD_NOT_CONTRACTED");
  });

  it("is refused a purpose its contract does not cover, though its client is granted it", async () => {
    const res = await t.gql(`query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${loserId}") { fullName } }`, { key: shipperKey });
    expect(res.status).toBe(403);
    expect(codes(res)).toEqual(["PROCESSOR_PURPOSE_NOT_CONTRACTED"]);
  });

  it("may not declare a disclosure ground: it is a processor, not a third party", async () => {
    const res = await t.gql(
      ship("fullName").replace(
        "@purpose(name: PRIZE_DELIVERY)",
        "@purpose(name: PRIZE_DELIVERY) @disclosure(ground: OTHER_SERVICE_OPERATION)",
      ),
      {
        key: shipperKey,
      },
    );
    expect(res.status).toBe(403);
    expect(codes(res)).toEqual(["DISCLOSURE_NOT_THIRD_PARTY"]);
  });

  it("writes a ledger record per winner it received, with the contract's purpose", async () => {
    const seq = await lastSeq(t);
    await t.gql(ship("fullName phone"), { key: shipperKey });
    const ledger = await ledgerRows(t, seq);
    expect(ledger).toEqual([
      expect.objectContaining({
        recipient_id: shipperId,
        recipient_kind: "PROCESSOR",
        customer_id: winnerId,
        purpose: "PRIZE_DELIVERY",
        ground: null,
        data_items: ["CampaignEntry.customer", "Customer.fullName", "Customer.phone", "GiftCampaign.winners"],
      }),
    ]);
  });
});

describe("the e-mail processor (Section 4): e-mail addresses of subscribers, for NOTIFICATION", () => {
  it("gets the e-mail addresses of opted-in subscribers only", async () => {
    const res = await t.gql(mail("email"), { key: mailerKey });
    expect(res.status).toBe(200);
    expect(res.body.data.customers).toEqual([{ email: subscriberEmail }]);
    expect(JSON.stringify(res.body)).not.toContain(lapsedEmail);
  });

  it("is refused names and ids, which NOTIFICATION would otherwise allow", async () => {
    const res = await t.gql(mail("id fullName email"), { key: mailerKey });
    expect(res.status).toBe(403);
    expect(res.body.errors!.map((e) => [e.extensions!.code, e.extensions!.coordinate])).toEqual([
      ["PROCESSOR_FIELD_NOT_CONTRACTED", "Customer.id"],
      ["PROCESSOR_FIELD_NOT_CONTRACTED", "Customer.fullName"],
    ]);
  });

  it("is refused subscriptions, which are not in its contract", async () => {
    const res = await t.gql(mail("email subscriptions { channel }"), { key: mailerKey });
    expect(codes(res)).toEqual(["PROCESSOR_FIELD_NOT_CONTRACTED", "PROCESSOR_FIELD_NOT_CONTRACTED"]);
  });

  it("writes a ledger record per subscriber whose address it received", async () => {
    const seq = await lastSeq(t);
    await t.gql(mail("email"), { key: mailerKey });
    const ledger = await ledgerRows(t, seq);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ recipient_id: mailerId, purpose: "NOTIFICATION", data_items: ["Customer.email"] });
  });

  it("a narrowed contract takes effect within moments (the authentication cache hears of it by NOTIFY)", async () => {
    await t.db.query(`UPDATE recipient SET fields = '{Query.customers}' WHERE id = $1`, [mailerId]);
    try {
      await eventually(async () => {
        const res = await t.gql(mail("email"), { key: mailerKey });
        expect(codes(res)).toEqual(["PROCESSOR_FIELD_NOT_CONTRACTED"]);
      });
    } finally {
      await t.db.query(`UPDATE recipient SET fields = '{Query.customers,Customer.email}' WHERE id = $1`, [mailerId]);
    }
  });
});
