import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENESIS_HASH } from "../../src/features/audit/audit-event";
import { verifyChain } from "../../src/features/audit/verify-chain";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { tamper as tamperWith } from "./tamper";
import { addRecipient, consentTo, recipientClient } from "../disclosure/recipient-fixtures";
import { AuditWriter } from "../../src/features/audit/audit-writer";
import { unauthenticatedEntry } from "../../src/features/audit/build-entry";

let t: TestGateway;

const tamper = (sql: string, params: unknown[] = []) => tamperWith(t.db, sql, params);

beforeAll(async () => {
  t = await startTestGateway();
  const shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  const customer = await insertCustomer(t.db);
  const partner = await addRecipient(t, {
    name: "partner",
    kind: "THIRD_PARTY",
    contractRef: "DSA",
    grounds: ["CUSTOMER_CONSENT"],
    fields: ["Query.customers", "Customer.fullName"],
  });
  await consentTo(t, customer.id, partner);
  const partnerKey = await recipientClient(t, "partner-client", [Purpose.SERVICE_PROVISION], "partner");
  for (let i = 0; i < 6; i++) await t.gql(`query Q${i} @purpose(name: SERVICE_PROVISION) { customers { fullName } }`, { key: shop });
  await t.gql(`query D @purpose(name: SERVICE_PROVISION) @disclosure(ground: CUSTOMER_CONSENT) { customers { fullName } }`, {
    key: partnerKey,
  });
  await t.gql(`query R @purpose(name: SERVICE_PROVISION) { customers { birthDate } }`, { key: shop });
});
afterAll(() => t?.stop());

const reinsert = (row: Record<string, unknown>) => {
  const columns = Object.keys(row);
  return tamper(
    `INSERT INTO audit_chain (${columns.join(",")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(",")})`,
    columns.map((c) => row[c]),
  );
};

describe("the hash chain", () => {
  it("links every event to its predecessor, from the genesis hash", async () => {
    const rows = await t.db.query(`SELECT seq::text AS seq, prev_hash, hash FROM audit_event ORDER BY audit_event.seq`);
    expect(rows.map((r: any) => r.seq)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8"]);
    expect(rows[0].prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
  });

  it("verifies intact, in batches smaller than the chain", async () => {
    const report = await verifyChain(t.db, { batchSize: 3 });
    expect(report).toMatchObject({ ok: true, checked: 8, broken: null, ledgerMismatch: null });
    expect(report.head?.seq).toBe("8");
  });

  it("covers every stored column: changing any one column of an event or of its shape breaks the chain there", async () => {
    const [event] = await t.db.query(`SELECT seq::text AS seq, shape_id FROM audit_chain WHERE seq = 7`);
    const changes: Array<[string, string, string]> = [
      ["audit_chain", "occurred_at", "occurred_at + interval '1 microsecond'"],
      ["audit_chain", "request_id", "request_id || 'x'"],
      ["audit_chain", "customer_ids", "customer_ids || gen_random_uuid()"],
      ["audit_shape", "client_id", "gen_random_uuid()"],
      ["audit_shape", "client_name", "coalesce(client_name, '') || 'x'"],
      ["audit_shape", "recipient_id", "gen_random_uuid()"],
      ["audit_shape", "purpose", "coalesce(purpose, '') || 'x'"],
      ["audit_shape", "agreement", "coalesce(agreement, '') || 'x'"],
      ["audit_shape", "disclosure_ground", "coalesce(disclosure_ground, '') || 'x'"],
      ["audit_shape", "disclosure_reference", "coalesce(disclosure_reference, '') || 'x'"],
      ["audit_shape", "operation_name", "coalesce(operation_name, '') || 'x'"],
      ["audit_shape", "operation_type", "coalesce(operation_type, '') || 'x'"],
      ["audit_shape", "document_hash", "sha256('x')"],
      ["audit_shape", "fields", "fields || 'Customer.email'::text"],
      ["audit_shape", "outcome", "CASE outcome WHEN 'ACCEPTED' THEN 'REFUSED' ELSE 'ACCEPTED' END"],
      ["audit_shape", "error_codes", "error_codes || 'X'::text"],
      ["audit_shape", "http_status", "http_status + 1"],
    ];
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name IN ('audit_chain', 'audit_shape')`,
    );
    // every column but the keys, the links and the shape's own digest is changed once
    expect(changes.length).toBe(n - ["seq", "shape_id", "prev_hash", "hash", "id", "digest"].length);
    for (const [table, column, value] of changes) {
      const where = table === "audit_chain" ? `seq = ${event.seq}` : `id = ${event.shape_id}`;
      const [saved] = await t.db.query(`SELECT ${column} AS v FROM ${table} WHERE ${where}`);
      await tamper(`UPDATE ${table} SET ${column} = ${value} WHERE ${where}`);
      try {
        const report = await verifyChain(t.db, { batchSize: 3 });
        expect(report.ok, `${table}.${column} changed`).toBe(false);
        // a shape is shared: the first event of that shape is named (at or before event 7)
        expect(Number(report.broken!.seq), `${table}.${column} changed`).toBeLessThanOrEqual(7);
        expect(report.broken!.reason).toMatch(/altered/);
      } finally {
        await tamper(`UPDATE ${table} SET ${column} = $1 WHERE ${where}`, [saved.v]);
      }
    }
    expect((await verifyChain(t.db)).ok).toBe(true);
  });

  it("catches an altered event and names it as the first broken link", async () => {
    const [{ customer_ids }] = await t.db.query(`SELECT customer_ids FROM audit_chain WHERE seq = 4`);
    await tamper(`UPDATE audit_chain SET customer_ids = '{}' WHERE seq = 4`);
    const report = await verifyChain(t.db, { batchSize: 3 });
    expect(report.ok).toBe(false);
    expect(report.broken).toEqual({ seq: "4", reason: expect.stringMatching(/altered/) });
    expect(report.checked).toBe(3);
    await tamper(`UPDATE audit_chain SET customer_ids = $1 WHERE seq = 4`, [customer_ids]);
    expect((await verifyChain(t.db)).ok).toBe(true);
  });

  it("catches an event rewritten with a freshly computed hash: its successor's link breaks", async () => {
    const [original] = await t.db.query(`SELECT customer_ids, hash FROM audit_chain WHERE seq = 2`);
    // the intruder knows the scheme and recomputes the event's own link
    await tamper(`
      UPDATE audit_chain c SET customer_ids = '{}',
        hash = sha256(c.prev_hash || (SELECT s.digest FROM audit_shape s WHERE s.id = c.shape_id)
          || int8send(c.seq) || timestamptz_send(c.occurred_at) || int4send(length(convert_to(c.request_id, 'UTF8')))
          || convert_to(c.request_id, 'UTF8') || array_send('{}'::uuid[]))
      WHERE seq = 2`);
    const report = await verifyChain(t.db);
    expect(report.broken).toEqual({ seq: "3", reason: expect.stringMatching(/prev_hash/) });
    await tamper(`UPDATE audit_chain SET customer_ids = $1, hash = $2 WHERE seq = 2`, [original.customer_ids, original.hash]);
    expect((await verifyChain(t.db)).ok).toBe(true);
  });

  it("catches a changed link at a seam between pages: the first event's prev_hash, the last event's hash", async () => {
    // pages of 3: events 1–3, 4–6, 7–9; each page is read and checked on its own
    const [fourth] = await t.db.query(`SELECT prev_hash FROM audit_chain WHERE seq = 4`);
    await tamper(`UPDATE audit_chain SET prev_hash = sha256(prev_hash) WHERE seq = 4`);
    try {
      const report = await verifyChain(t.db, { batchSize: 3 });
      expect(report.broken).toEqual({ seq: "4", reason: expect.stringMatching(/prev_hash does not match the hash of event 3/) });
      expect(report.checked).toBe(3);
      expect(report.head?.seq).toBe("3");
    } finally {
      await tamper(`UPDATE audit_chain SET prev_hash = $1 WHERE seq = 4`, [fourth.prev_hash]);
    }
    const [sixth] = await t.db.query(`SELECT hash FROM audit_chain WHERE seq = 6`);
    await tamper(`UPDATE audit_chain SET hash = sha256(hash) WHERE seq = 6`);
    try {
      const report = await verifyChain(t.db, { batchSize: 3 });
      expect(report.broken).toEqual({ seq: "6", reason: expect.stringMatching(/altered/) });
      expect(report.checked).toBe(5);
    } finally {
      await tamper(`UPDATE audit_chain SET hash = $1 WHERE seq = 6`, [sixth.hash]);
    }
    expect((await verifyChain(t.db, { batchSize: 3 })).ok).toBe(true);
  });

  it("catches a deleted event", async () => {
    const [saved] = await t.db.query(`SELECT * FROM audit_chain WHERE seq = 5`);
    await tamper(`DELETE FROM audit_chain WHERE seq = 5`);
    const report = await verifyChain(t.db);
    expect(report.broken).toEqual({ seq: "5", reason: expect.stringMatching(/missing/) });
    await reinsert(saved);
    expect((await verifyChain(t.db)).ok).toBe(true);
  });

  it("catches a ledger record that no longer matches its event", async () => {
    const [record] = await t.db.query(`SELECT id::text AS id, event_seq::text AS event_seq, data_items FROM disclosure_record`);
    await tamper(`UPDATE disclosure_record SET data_items = '{Customer.email}' WHERE id = $1`, [record.id]);
    const report = await verifyChain(t.db);
    expect(report.ok).toBe(false);
    expect(report.broken).toBeNull();
    expect(report.ledgerMismatch).toEqual({ id: record.id, eventSeq: record.event_seq });
    await tamper(`UPDATE disclosure_record SET data_items = $2 WHERE id = $1`, [record.id, record.data_items]);
    expect((await verifyChain(t.db)).ok).toBe(true);
  });
});

describe("several writers (gateway processes) on one chain", () => {
  it("interleaved appends from independent writers keep one gap-free, verifiable chain", async () => {
    const [{ max: before }] = await t.db.query(`SELECT max(seq)::int AS max FROM audit_event`);
    const writers = [1, 2, 3].map(() => new AuditWriter(t.db, { maxBatch: 5, ledgerRetentionDays: 1 }));
    // each writer's remembered head goes stale as soon as another one commits
    await Promise.all(
      writers.flatMap((w, wi) => Array.from({ length: 12 }, (_, i) => w.append(unauthenticatedEntry(`writer-${wi}-${i}`, new Date())))),
    );
    const [{ max: after, n }] = await t.db.query(`SELECT max(seq)::int AS max, count(*)::int AS n FROM audit_event`);
    expect(after - before).toBe(36);
    expect(n).toBe(after);
    expect((await verifyChain(t.db)).ok).toBe(true);
  });
});
