import "reflect-metadata";
import { ClientRegistry, Purpose, seedDemoData } from "./from-src";
import { benchDatabase, compare, load, printComparison, serveGateway, type BenchDatabase } from "./harness";

/**
 * Audited versus unaudited: the same governed gateway, data and entity query, with and
 * without the audit trail (one hash-chained event committed per request before its
 * response leaves, group-committed). Target (issue 12): audited ≥ 0.9 × unaudited throughput.
 * Also prints how many events each commit carried (the group commit at work).
 */
export async function benchAudit(bench: BenchDatabase, { seconds = 8, rounds = 2, connections = 20 } = {}): Promise<number> {
  await seedDemoData(bench.db, { customers: 2000 });
  const key = (await new ClientRegistry(bench.db).create(`bench-audit-${Date.now()}`, [Purpose.SERVICE_PROVISION])).key;
  const [{ id }] = await bench.db.query(`SELECT id FROM customer WHERE deleted_at IS NULL ORDER BY id LIMIT 1`);
  const body = {
    query: `query Entity($id: ID!) @purpose(name: SERVICE_PROVISION) { customer(id: $id) { id fullName email prefecture serviceUsage { service amount occurredAt } } }`,
    variables: { id },
  };
  const headers = { authorization: `Bearer ${key}` };

  const audited = await serveGateway(bench.url);
  const unaudited = await serveGateway(bench.url, { unaudited: true });
  try {
    await load(audited.url, body, headers, 2, connections);
    await load(unaudited.url, body, headers, 2, connections);
    const [{ seq: from }] = await bench.db.query(`SELECT coalesce(max(seq), 0)::text AS seq FROM audit_event`);
    const result = await compare(
      rounds,
      () => load(audited.url, body, headers, seconds, connections),
      () => load(unaudited.url, body, headers, seconds, connections),
    );
    const ratio = printComparison("Entity query: audited vs unaudited gateway", ["audited", "unaudited"], result, "≥ 0.9");
    const [{ events, commits }] = await bench.db.query(
      `SELECT count(*)::int AS events, count(DISTINCT xmin::text)::int AS commits FROM audit_event WHERE seq > $1`,
      [from],
    );
    console.log(`  audit events written ${events} in ${commits} commits (${(events / Math.max(commits, 1)).toFixed(1)} events per group commit)`);
    return ratio;
  } finally {
    await audited.stop();
    await unaudited.stop();
  }
}

/** `npm run bench:audit` — DATABASE_URL (a dedicated database: it is seeded) or embedded PGlite. */
async function main() {
  const bench = await benchDatabase();
  console.log(`Audit trail benchmark on ${bench.description}`);
  try {
    await benchAudit(bench, { seconds: Number(process.env.BENCH_SECONDS ?? 8), connections: Number(process.env.BENCH_CONNECTIONS ?? 20) });
  } finally {
    await bench.close();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
