import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecipientRegistry } from "../../src/features/disclosure/recipient-registry";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { ErasureOutbox, httpTransport } from "../../src/features/requests/erasure-outbox";
import { insertCampaign, insertCustomer, insertEntry } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { complete, receive } from "./requests-support";

/** Erasure notices reach recipients at least once, with retries and back-off. */
const SIGNING = { keyId: "test-1", secret: "s".repeat(40) };
let t: TestGateway;
let privacy: string;
let endpoint: http.Server;
const calls: Array<{ body: any; status: number }> = [];
let failuresLeft = 2;

beforeAll(async () => {
  t = await startTestGateway();
  privacy = await t.client("privacy", [Purpose.DATA_SUBJECT_REQUEST]);
  // the recipient's endpoint, on loopback: it fails twice, then accepts
  endpoint = http.createServer((req, res) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => {
      const status = failuresLeft-- > 0 ? 503 : 204;
      calls.push({ body: JSON.parse(data), status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => endpoint.listen(0, "127.0.0.1", r));
});
afterAll(async () => {
  endpoint?.close();
  await t?.stop();
});

async function disclosedAndErased(recipient: string, url: string | null) {
  const registry = new RecipientRegistry(t.db);
  await registry.create({
    name: recipient,
    kind: "PROCESSOR",
    contractRef: `DPA-${recipient}`,
    purposes: ["PRIZE_DELIVERY"],
    fields: ["Query.campaigns", "GiftCampaign.winners", "CampaignEntry.customer", "Customer.fullName", "CampaignEntry.id"],
  });
  await t.db.query(`UPDATE recipient SET notification_url = $2 WHERE name = $1`, [recipient, url]);
  const key = await t.client(`${recipient}-client`, [Purpose.PRIZE_DELIVERY]);
  await registry.attachClient(`${recipient}-client`, recipient);
  const customer = await insertCustomer(t.db);
  await t.db.query(`DELETE FROM campaign_entry WHERE won`); // one winner at a time
  await insertEntry(t.db, await insertCampaign(t.db, recipient), customer.id, true);
  const shipped = await t.gql(`query S @purpose(name: PRIZE_DELIVERY) { campaigns { winners { customer { fullName } } } }`, { key });
  expect(JSON.stringify(shipped.body)).toContain(customer.fullName);
  const request = await receive(t, privacy, customer.id, "DELETION");
  await complete(t, privacy, request);
  return { customer, request };
}

const status = async (request: string) =>
  (await t.db.query(`SELECT status, attempts, last_error FROM erasure_notification WHERE request_id = $1`, [request]))[0];

describe("erasure outbox", () => {
  it("retries a failing recipient with back-off until it accepts", async () => {
    const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/erasure`;
    const { customer, request } = await disclosedAndErased("flaky-shipping", url);
    const outbox = new ErasureOutbox(t.db, httpTransport(SIGNING), {
      maxAttempts: 5,
      retryBaseMs: 60_000,
      deliveryTimeoutMs: 5000,
      leaseMs: 60_000,
    });
    const t0 = Date.now() + 1000;

    expect(await outbox.drain(new Date(t0))).toMatchObject({ retried: 1 });
    expect(await status(request)).toMatchObject({ status: "PENDING", attempts: 1, last_error: "HTTP 503" });
    expect(await outbox.drain(new Date(t0 + 30_000))).toMatchObject({ delivered: 0, retried: 0 }); // not due yet
    expect(await outbox.drain(new Date(t0 + 60_000))).toMatchObject({ retried: 1 }); // 1st retry after 1 min
    expect(await outbox.drain(new Date(t0 + 60_000 + 120_000))).toMatchObject({ delivered: 1 }); // 2nd after 2 more
    expect(await status(request)).toMatchObject({ status: "DELIVERED", attempts: 3 });
    expect(calls.map((c) => c.status)).toEqual([503, 503, 204]);
    expect(calls[2].body).toMatchObject({ type: "personal-data-erasure", customerId: customer.id, requestId: request });
    expect(JSON.stringify(calls[2].body)).not.toContain(customer.fullName);
    expect(await outbox.drain(new Date(t0 + 10_000_000))).toMatchObject({ delivered: 0, retried: 0 }); // delivered once
  });

  it("gives up after the last attempt, and marks recipients without an endpoint for manual notice", async () => {
    const { request: dead } = await disclosedAndErased("dead-shipping", "http://127.0.0.1:9/unreachable");
    const { request: manual } = await disclosedAndErased("paper-shipping", null);
    const outbox = new ErasureOutbox(t.db, httpTransport(SIGNING), {
      maxAttempts: 2,
      retryBaseMs: 1000,
      deliveryTimeoutMs: 5000,
      leaseMs: 60_000,
    });
    const t0 = Date.now() + 1000;
    await outbox.drain(new Date(t0));
    await outbox.drain(new Date(t0 + 1000));
    expect(await status(dead)).toMatchObject({ status: "FAILED", attempts: 2 });
    expect(await status(manual)).toMatchObject({ status: "MANUAL", attempts: 0 });
    const res = await t.gql(
      `query Q @purpose(name: DATA_SUBJECT_REQUEST) { dataSubjectRequest(id: "${dead}") { erasureNotifications { recipientName status lastError } } }`,
      {
        key: privacy,
      },
    );
    expect(res.body.data.dataSubjectRequest.erasureNotifications).toEqual([
      { recipientName: "dead-shipping", status: "FAILED", lastError: expect.any(String) },
    ]);
  });
});
