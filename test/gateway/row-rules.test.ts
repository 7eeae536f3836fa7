import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCampaign, insertCustomer, insertEntry, subscribe } from "../support/fixtures";
import { codes, startTestGateway, type TestGateway } from "../support/test-gateway";

/** Row rules of the purpose-scoped data layer, observed through GraphQL. */
let t: TestGateway;
let shop: string;
let office: string; // PRIZE_DELIVERY
let marketing: string; // NOTIFICATION
let privacy: string;
const ids: Record<string, string> = {};
let campaignId: string;
let winnerEntry: string;
let loserEntry: string;

beforeAll(async () => {
  t = await startTestGateway();
  shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  office = await t.client("office", [Purpose.PRIZE_DELIVERY]);
  marketing = await t.client("marketing", [Purpose.NOTIFICATION]);
  privacy = await t.client("privacy", [Purpose.DATA_SUBJECT_REQUEST]);
  for (const name of ["winner", "loser", "subscriber", "unsubscribed", "deleted", "erased"]) {
    ids[name] = (await insertCustomer(t.db, { fullName: `Customer ${name}` })).id;
  }
  await t.db.query(`UPDATE customer SET deleted_at = now() WHERE id = $1`, [ids.deleted]);
  await t.db.query(`UPDATE customer SET erased_at = now() WHERE id = $1`, [ids.erased]);
  campaignId = await insertCampaign(t.db, "Spring");
  await insertCampaign(t.db, "Summer"); // a campaign without winners
  winnerEntry = await insertEntry(t.db, campaignId, ids.winner, true);
  loserEntry = await insertEntry(t.db, campaignId, ids.loser, false);
  await insertEntry(t.db, campaignId, ids.deleted, true);
  await subscribe(t.db, ids.subscriber, "EMAIL_MAGAZINE", true);
  await subscribe(t.db, ids.unsubscribed, "EMAIL_MAGAZINE", false);
  await subscribe(t.db, ids.deleted, "EMAIL_MAGAZINE", true);
});
afterAll(() => t?.stop());

describe("PRIZE_DELIVERY", () => {
  const ship = `query S @purpose(name: PRIZE_DELIVERY) { campaigns { name winners { id customer { fullName streetAddress phone } } } }`;

  it("reaches only winners, through their campaign", async () => {
    const res = await t.gql(ship, { key: office });
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.data.campaigns.map((c: any) => [c.name, c.winners]));
    expect(byName.Spring).toEqual([{ id: winnerEntry, customer: expect.objectContaining({ fullName: "Customer winner" }) }]);
    expect(byName.Summer).toEqual([]);
  });

  it("cannot reach customers directly", async () => {
    const res = await t.gql(`query S @purpose(name: PRIZE_DELIVERY) { customer(id: "${ids.winner}") { fullName } }`, { key: office });
    expect(res.status).toBe(403);
    expect(codes(res)).toEqual(["PURPOSE_NOT_PERMITTED"]);
  });

  it("cannot reach a losing entry's customer through node()", async () => {
    const res = await t.gql(`query S @purpose(name: PRIZE_DELIVERY) { campaign(id: "${campaignId}") { winners { id } } }`, { key: office });
    expect(res.body.data.campaign.winners.map((w: any) => w.id)).not.toContain(loserEntry);
  });

  it("marks a winner's prize shipped once, and not a loser's", async () => {
    const mark = (id: string) =>
      t.gql(`mutation M @purpose(name: PRIZE_DELIVERY) { markPrizeShipped(entryId: "${id}") { id shippedAt } }`, { key: office });
    const shipped = await mark(winnerEntry);
    expect(shipped.body.data.markPrizeShipped).toEqual({ id: winnerEntry, shippedAt: expect.any(String) });
    const again = await mark(winnerEntry);
    expect(codes(again)).toEqual(["BAD_USER_INPUT"]);
    const loser = await mark(loserEntry);
    expect(loser.body.data.markPrizeShipped).toBeNull();
  });

  it("needs the purpose: the same mutation under SERVICE_PROVISION is refused", async () => {
    const res = await t.gql(`mutation M @purpose(name: SERVICE_PROVISION) { markPrizeShipped(entryId: "${winnerEntry}") { id } }`, {
      key: shop,
    });
    expect(codes(res)).toEqual(["PURPOSE_NOT_PERMITTED"]);
  });
});

describe("NOTIFICATION", () => {
  const list = `query N @purpose(name: NOTIFICATION) { customers(first: 100) { id email } }`;

  it("reaches only customers currently subscribed", async () => {
    const res = await t.gql(list, { key: marketing });
    expect(res.body.data.customers.map((c: any) => c.id)).toEqual([ids.subscriber]);
    const direct = await t.gql(`query N @purpose(name: NOTIFICATION) { customer(id: "${ids.unsubscribed}") { email } }`, {
      key: marketing,
    });
    expect(direct.body.data.customer).toBeNull();
  });

  it("honours an opt-out on the very next query", async () => {
    const optOut = await t.gql(
      `mutation U @purpose(name: NOTIFICATION) { setNotificationSubscription(customerId: "${ids.subscriber}", channel: EMAIL_MAGAZINE, optedIn: false) { optedIn } }`,
      { key: marketing },
    );
    expect(optOut.body.data.setNotificationSubscription).toEqual({ optedIn: false });
    const res = await t.gql(list, { key: marketing });
    expect(res.body.data.customers).toEqual([]);
    // opting in again is the customer's act through the shop, not marketing's
    const optIn = await t.gql(
      `mutation U @purpose(name: SERVICE_PROVISION) { setNotificationSubscription(customerId: "${ids.subscriber}", channel: EMAIL_MAGAZINE, optedIn: true) { optedIn } }`,
      { key: shop },
    );
    expect(optIn.body.data.setNotificationSubscription).toEqual({ optedIn: true });
    expect((await t.gql(list, { key: marketing })).body.data.customers.map((c: any) => c.id)).toEqual([ids.subscriber]);
  });
});

describe("soft-deleted and erased customers", () => {
  it("are never returned, under any purpose or road", async () => {
    for (const id of [ids.deleted, ids.erased]) {
      const shopRes = await t.gql(
        `query Q @purpose(name: SERVICE_PROVISION) { customer(id: "${id}") { fullName } node(id: "${id}") { id } }`,
        { key: shop },
      );
      expect(shopRes.body.data).toEqual({ customer: null, node: null });
      const dsr = await t.gql(`query Q @purpose(name: DATA_SUBJECT_REQUEST) { customer(id: "${id}") { fullName } }`, { key: privacy });
      expect(dsr.body.data).toEqual({ customer: null });
    }
    const all = await t.gql(`query Q @purpose(name: SERVICE_PROVISION) { customers(first: 100) { id } }`, { key: shop });
    const returned = all.body.data.customers.map((c: any) => c.id);
    expect(returned).not.toContain(ids.deleted);
    expect(returned).not.toContain(ids.erased);
    expect(returned).toHaveLength(4);
    const winners = await t.gql(
      `query S @purpose(name: PRIZE_DELIVERY) { campaign(id: "${campaignId}") { winners { customer { fullName } } } }`,
      { key: office },
    );
    expect(winners.body.data.campaign.winners.map((w: any) => w.customer?.fullName)).toEqual(["Customer winner"]);
    const mail = await t.gql(`query N @purpose(name: NOTIFICATION) { customers(first: 100) { id } }`, { key: marketing });
    expect(mail.body.data.customers.map((c: any) => c.id)).not.toContain(ids.deleted);
  });

  it("cannot be changed by a mutation", async () => {
    const res = await t.gql(
      `mutation M @purpose(name: SERVICE_PROVISION) { updateCustomerAddress(customerId: "${ids.deleted}", address: { postalCode: "100-0001", prefecture: "Tokyo", streetAddress: "X" }) { id } }`,
      { key: shop },
    );
    expect(res.body.data.updateCustomerAddress).toBeNull();
  });
});

describe("corrections", () => {
  it("update an address under SERVICE_PROVISION, validating the input", async () => {
    const ok = await t.gql(
      `mutation M @purpose(name: SERVICE_PROVISION) { updateCustomerAddress(customerId: "${ids.loser}", address: { postalCode: "530-0001", prefecture: "Osaka", streetAddress: "Umeda 1-1" }) { prefecture streetAddress } }`,
      { key: shop },
    );
    expect(ok.body.data.updateCustomerAddress).toEqual({ prefecture: "Osaka", streetAddress: "Umeda 1-1" });
    const bad = await t.gql(
      `mutation M @purpose(name: SERVICE_PROVISION) { updateCustomerAddress(customerId: "${ids.loser}", address: { postalCode: "5300001", prefecture: "Atlantis", streetAddress: "" }) { prefecture } }`,
      { key: shop },
    );
    expect(codes(bad)).toEqual(["BAD_USER_INPUT"]);
    const [row] = await t.db.query(`SELECT prefecture FROM customer WHERE id = $1`, [ids.loser]);
    expect(row.prefecture).toBe("Osaka");
  });

  it("need a purpose", async () => {
    const res = await t.gql(
      `mutation M { updateCustomerAddress(customerId: "${ids.loser}", address: { postalCode: "530-0001", prefecture: "Osaka", streetAddress: "Y" }) { id } }`,
      { key: shop },
    );
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(["PURPOSE_REQUIRED"]);
  });
});

describe("one statement per level", () => {
  it("loads a page of customers with their usage and subscriptions in one statement (rows as JSON built in PostgreSQL)", async () => {
    const before = await t.dataQueries();
    const res = await t.gql(
      `query Q @purpose(name: SERVICE_PROVISION) { customers(first: 100) { id serviceUsage { amount } subscriptions { channel } } }`,
      { key: shop },
    );
    expect(res.body.data.customers.length).toBe(4);
    expect((await t.dataQueries()) - before).toBe(1);
  });

  it("batches what is reached through another road: a campaign's winners and their customers, one statement each", async () => {
    const before = await t.dataQueries();
    const res = await t.gql(
      `query Q @purpose(name: PRIZE_DELIVERY) { campaigns { winners { customer { fullName serviceUsage { amount } } } } }`,
      { key: office },
    );
    expect(res.status).toBe(403); // serviceUsage is not for PRIZE_DELIVERY
    const ok = await t.gql(`query Q @purpose(name: PRIZE_DELIVERY) { campaigns { winners { customer { fullName } } } }`, { key: office });
    expect(ok.body.data.campaigns.flatMap((c: any) => c.winners).length).toBeGreaterThan(0);
    expect((await t.dataQueries()) - before).toBe(3); // campaigns, winners of all, their customers
  });
});
