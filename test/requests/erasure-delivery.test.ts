import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErasureOutbox, httpTransport } from "../../src/features/requests/erasure-outbox";
import { KEY_ID_HEADER, SIGNATURE_HEADER, verifyNotice } from "../../src/features/requests/erasure-signature";
import { insertCustomer, openRequest } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/**
 * Erasure notices (issue 11): signed so a recipient can tell them from forgeries, and never
 * delivered twice by two gateways draining one outbox, even against a slow recipient and
 * one that never answers.
 */
const SIGNING = { keyId: "2026-01", secret: "erasure-test-secret-".repeat(3) };
let t: TestGateway;
let recipient: http.Server;
let base: string;
const received: Array<{ noticeId: string; valid: boolean; keyId: string | undefined }> = [];
let hung = 0;

beforeAll(async () => {
  t = await startTestGateway();
  // a slow recipient (600 ms per notice) that checks every signature, and a path that never answers
  recipient = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/hang") {
        hung++;
        return; // no answer, ever
      }
      const raw = Buffer.concat(chunks);
      received.push({
        noticeId: JSON.parse(raw.toString()).noticeId,
        valid: verifyNotice(raw, req.headers[SIGNATURE_HEADER] as string | undefined, SIGNING.secret),
        keyId: req.headers[KEY_ID_HEADER] as string | undefined,
      });
      setTimeout(() => res.writeHead(204).end(), 600);
    });
  });
  await new Promise<void>((r) => recipient.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(recipient.address() as AddressInfo).port}`;
});
afterAll(async () => {
  recipient?.closeAllConnections();
  recipient?.close();
  await t?.stop();
});

/** One erasure request with a pending notice to each of `count` recipients at `path`. */
async function notices(prefix: string, count: number, path: string): Promise<string[]> {
  const customer = await insertCustomer(t.db);
  const request = await openRequest(t.db, customer.id, "DELETION");
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const [{ id: recipientId }] = await t.db.query(
      `INSERT INTO recipient (name, kind, contract_ref, purposes, notification_url) VALUES ($1, 'PROCESSOR', 'DPA-1', '{PRIZE_DELIVERY}', $2) RETURNING id`,
      [`${prefix}-${i}`, `${base}${path}`],
    );
    const [{ id }] = await t.db.query(
      `INSERT INTO erasure_notification (request_id, customer_id, recipient_id) VALUES ($1, $2, $3) RETURNING id`,
      [request, customer.id, recipientId],
    );
    ids.push(id);
  }
  return ids;
}

const outbox = (signing: typeof SIGNING | null = SIGNING) =>
  // a lease just over the delivery timeout: short enough that a batch claim would expire mid-batch
  new ErasureOutbox(t.db, httpTransport(signing), { maxAttempts: 5, retryBaseMs: 60_000, deliveryTimeoutMs: 1000, leaseMs: 1500 });

describe("erasure notices", () => {
  it("two gateways draining one outbox against a slow recipient deliver each notice exactly once, signed", async () => {
    const ids = await notices("slow", 8, "/erasure");
    // each gateway keeps draining until nothing is pending (as their timers would)
    const pending = async () =>
      Number((await t.db.query(`SELECT count(*) FROM erasure_notification WHERE id = ANY($1) AND status = 'PENDING'`, [ids]))[0].count);
    const drainAll = async (o: ErasureOutbox) => {
      while ((await pending()) > 0) {
        await o.drain();
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await Promise.all([drainAll(outbox()), drainAll(outbox())]);
    expect(received.map((r) => r.noticeId).sort()).toEqual([...ids].sort());
    expect(received.every((r) => r.valid && r.keyId === SIGNING.keyId)).toBe(true);
    const rows = await t.db.query(`SELECT status, attempts FROM erasure_notification WHERE id = ANY($1)`, [ids]);
    expect(rows.every((r: { status: string; attempts: number }) => r.status === "DELIVERED" && r.attempts === 1)).toBe(true);
  });

  it("a recipient that never answers is given up on at the delivery timeout, and not tried by the other gateway meanwhile", async () => {
    const [id] = await notices("hung", 1, "/hang");
    const started = Date.now();
    const [a, b] = await Promise.all([outbox().drain(), outbox().drain()]);
    expect(Date.now() - started).toBeLessThan(1000 + 2000);
    expect(a.retried + b.retried).toBe(1);
    expect(hung).toBe(1);
    expect((await t.db.query(`SELECT status, attempts, last_error FROM erasure_notification WHERE id = $1`, [id]))[0]).toMatchObject({
      status: "PENDING",
      attempts: 1,
      last_error: expect.stringContaining("no answer within 1000 ms"),
    });
  });

  it("a forged or altered notice does not verify; without a signing key nothing is sent", async () => {
    const body = Buffer.from(JSON.stringify({ type: "personal-data-erasure", noticeId: "x" }));
    expect(verifyNotice(body, "sha256=" + "0".repeat(64), SIGNING.secret)).toBe(false);
    expect(verifyNotice(body, undefined, SIGNING.secret)).toBe(false);
    const before = received.length;
    const [id] = await notices("unsigned", 1, "/erasure");
    expect(await outbox(null).drain()).toMatchObject({ delivered: 0, retried: 1 });
    expect(received.length).toBe(before);
    expect((await t.db.query(`SELECT status, last_error FROM erasure_notification WHERE id = $1`, [id]))[0]).toMatchObject({
      status: "PENDING",
      last_error: expect.stringContaining("no signing key"),
    });
  });
});
