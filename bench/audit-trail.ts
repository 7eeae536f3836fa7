import "reflect-metadata";
import { openDatabase, verifyChain } from "./from-src";

/**
 * `npm run bench:audit-trail` (DATABASE_URL: a dedicated database; its audit trail is
 * appended to): the trail at scale. Appends events (default 1,000,000, BENCH_AUDIT_EVENTS)
 * through the gateway's own append function, in batches of 1,000, shaped like the entity
 * benchmark's (one customer out of 100,000, a handful of shapes), then prints
 *   - bytes per event: the chain's and the shapes' tables with every index, over the count;
 *   - a full `audit verify` (events per second; target ≥ 200,000, issue 12);
 *   - a verify from a checkpoint 10,000 events before the head (cost follows new events).
 */
async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL must name a dedicated PostgreSQL database");
  const target = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
  const db = await openDatabase({ url, poolSize: 4 });
  try {
    const [{ n: before }] = await db.query(`SELECT count(*)::int AS n FROM audit_chain`);
    const started = Date.now();
    for (let n = before; n < target; n += 1000) {
      await db.query(APPEND_SYNTHETIC, [Math.min(1000, target - n), n]);
    }
    if (target > before) {
      const s = (Date.now() - started) / 1000;
      console.log(
        `appended ${target - before} events in ${s.toFixed(1)} s (${((target - before) / s).toFixed(0)} events/s, batches of 1,000, one statement each)`,
      );
    }
    await db.query(`VACUUM ANALYZE audit_chain`);
    const [size] = await db.query(`
      SELECT (SELECT count(*) FROM audit_chain)::bigint AS events,
             pg_total_relation_size('audit_chain') AS chain, pg_relation_size('audit_chain') AS heap,
             pg_total_relation_size('audit_shape') AS shapes, (SELECT count(*) FROM audit_shape)::int AS shape_count`);
    const indexes = await db.query(
      `SELECT indexrelid::regclass::text AS name, pg_relation_size(indexrelid) AS bytes FROM pg_index WHERE indrelid = 'audit_chain'::regclass`,
    );
    const events = Number(size.events);
    console.log(`\nAudit trail: ${events} events, ${size.shape_count} shapes`);
    console.log(
      `  bytes per event, everything (chain + shapes, with indexes and TOAST): ${((Number(size.chain) + Number(size.shapes)) / events).toFixed(1)}   (target ≤ 500)`,
    );
    console.log(
      `    heap ${(Number(size.heap) / events).toFixed(1)}; ${indexes.map((i: any) => `${i.name} ${(Number(i.bytes) / events).toFixed(1)}`).join("; ")}`,
    );

    for (let round = 1; round <= 2; round++) {
      const t0 = process.hrtime.bigint();
      const report = await verifyChain(db);
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (!report.ok) throw new Error(`verification failed: ${JSON.stringify(report.broken ?? report.ledgerMismatch)}`);
      console.log(
        `  full verify, round ${round}: ${report.checked} events in ${s.toFixed(2)} s = ${(report.checked / s).toFixed(0)} events/s   (target ≥ 200,000)`,
      );
    }
    const [anchor] = await db.query(
      `SELECT seq::text AS seq, encode(hash, 'hex') AS hash FROM audit_chain WHERE seq = (SELECT max(seq) - 10000 FROM audit_chain)`,
    );
    if (anchor) {
      const t0 = process.hrtime.bigint();
      const report = await verifyChain(db, { from: anchor });
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(
        `  verify from a checkpoint 10,000 events back: ${report.checked} events in ${(s * 1000).toFixed(0)} ms (ok ${report.ok})`,
      );
    }
  } finally {
    await db.destroy();
  }
}

/** $1 events after $2, shaped as the entity query's: a few shapes, one customer each out of 100,000. */
const APPEND_SYNTHETIC = `
  SELECT count(*) FROM pgw_audit_append((
    SELECT jsonb_agg(jsonb_build_object(
      'ord', g, 'occurred_at', now(), 'request_id', gen_random_uuid()::text,
      'client_id', 'de244eab-69de-4ed6-91e2-3904c39e7a3c', 'client_name', 'bench-audit-' || (($2 + g) % 4),
      'recipient_id', NULL, 'purpose', 'SERVICE_PROVISION', 'agreement', 'PIHA-2025 Section 2.1',
      'disclosure_ground', NULL, 'disclosure_reference', NULL, 'operation_name', 'Entity', 'operation_type', 'query',
      'document_hash', encode(sha256(convert_to('Entity' || (($2 + g) % 4), 'UTF8')), 'hex'),
      'fields', ARRAY['Customer.email', 'Customer.fullName', 'Customer.id', 'Customer.prefecture', 'Customer.serviceUsage',
                      'Query.customer', 'ServiceUsage.amount', 'ServiceUsage.occurredAt', 'ServiceUsage.service'],
      'customer_ids', ARRAY[md5((($2::bigint + g) * 7919 % 100000)::text)::uuid],
      'outcome', 'ACCEPTED', 'error_codes', ARRAY[]::text[], 'http_status', 200) ORDER BY g)
    FROM generate_series(1, $1::int) g), '[]'::jsonb, 1095)`;

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
