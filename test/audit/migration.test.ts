import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataSource } from "typeorm";
import { MIGRATIONS } from "../../migrations";
import { CompactAuditChain1764630000000 } from "../../migrations/1764630000000-compact-audit-chain";
import { verifyChain } from "../../src/features/audit/verify-chain";
import { ScratchDatabase } from "../support/scratch-database";

/**
 * Migration 1764610000000 moves a trail written in the former layout (one wide row per
 * event, text hashes) into the compact chain: every event kept, in order, with its facts,
 * the ledger still pointing at its events, the chain verifying, the former head recorded.
 * Needs a second database on the server (CREATE DATABASE): PostgreSQL only, not PGlite.
 */
const embedded = !process.env.DATABASE_URL;

let scratch: ScratchDatabase;
let db: DataSource;
const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(CompactAuditChain1764630000000));

beforeAll(async () => {
  if (embedded) return;
  scratch = await ScratchDatabase.create("premigration", before);
  db = scratch.db;
});
afterAll(() => scratch?.drop());

describe.skipIf(embedded)("moving the former trail into the compact chain", () => {
  it("keeps every event, its facts and its ledger rows; the re-chained trail verifies", async () => {
    const [recipient] = await db.query(
      `INSERT INTO recipient (name, kind, contract_ref) VALUES ('partner', 'THIRD_PARTY', 'DSA-1') RETURNING id`,
    );
    const customer = "2f246696-7a2f-483a-bb47-b9f5cd832422";
    for (let seq = 1; seq <= 30; seq++) {
      await db.query(
        `INSERT INTO audit_event (seq, occurred_at, request_id, client_id, client_name, recipient_id, purpose, agreement, disclosure_ground,
           disclosure_reference, operation_name, operation_type, document_hash, fields, customer_ids, outcome, error_codes, http_status, prev_hash, hash)
         VALUES ($1::int, now(), 'req-' || $1::int, 'de244eab-69de-4ed6-91e2-3904c39e7a3c', 'shop', $2::uuid, 'SERVICE_PROVISION', NULL, $3::text, NULL,
           'Q' || ($1::int % 3), 'query', encode(sha256(convert_to('Q' || ($1::int % 3), 'UTF8')), 'hex'), '{Customer.fullName,Query.customer}',
           ARRAY[$4::uuid], 'ACCEPTED', '{}', 200, lpad(($1::int - 1)::text, 64, '0'), lpad($1::int::text, 64, '0'))`,
        [seq, seq === 7 ? recipient.id : null, seq === 7 ? "CUSTOMER_CONSENT" : null, customer],
      );
    }
    await db.query(
      `INSERT INTO disclosure_record (event_seq, recipient_id, recipient_kind, customer_id, data_items, ground, purpose, disclosed_at, retain_until)
       SELECT 7, $1, 'THIRD_PARTY', $2, '{Customer.fullName}', 'CUSTOMER_CONSENT', 'SERVICE_PROVISION', occurred_at, occurred_at + interval '1 year' FROM audit_event WHERE seq = 7`,
      [recipient.id, customer],
    );
    const former = await db.query(
      `SELECT seq::int AS seq, occurred_at, request_id, operation_name, fields, customer_ids, recipient_id FROM audit_event ORDER BY seq`,
    );

    db = await scratch.migrate(MIGRATIONS);

    const moved = await db.query(
      `SELECT seq::int AS seq, occurred_at, request_id, operation_name, fields, customer_ids, recipient_id FROM audit_event ORDER BY seq`,
    );
    expect(moved).toEqual(former);
    const [{ shapes }] = await db.query(`SELECT count(*)::int AS shapes FROM audit_shape`);
    expect(shapes).toBe(4); // Q0, Q1, Q2 and the disclosing Q1 stored once each
    const report = await verifyChain(db, { batchSize: 7 });
    expect(report).toMatchObject({ ok: true, checked: 30, broken: null, ledgerMismatch: null });
    const [checkpoint] = await db.query(`SELECT seq::int AS seq, encode(hash, 'hex') AS hash, note FROM audit_checkpoint`);
    expect(checkpoint).toMatchObject({ seq: 30, hash: report.head!.hash });
    expect(checkpoint.note).toContain(`former chain's head was 30 ${"30".padStart(64, "0")}`);
    // appends continue the moved chain
    await db.query(`SELECT * FROM pgw_audit_append($1::jsonb, '[]'::jsonb, 1)`, [
      JSON.stringify([
        {
          ord: 1,
          occurred_at: new Date().toISOString(),
          request_id: "after",
          fields: [],
          customer_ids: [],
          outcome: "REFUSED",
          error_codes: ["UNAUTHENTICATED"],
          http_status: 401,
        },
      ]),
    ]);
    expect(await verifyChain(db)).toMatchObject({ ok: true, checked: 31 });
  });
});
