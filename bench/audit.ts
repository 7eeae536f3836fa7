import "reflect-metadata";
import { ClientRegistry, Purpose, seedDemoData, verifyChain } from "./from-src";
import {
  benchDatabase,
  compare,
  compareAll,
  load,
  printComparison,
  serveGateway,
  type BenchDatabase,
  type LoadResult,
  type ServedGateway,
} from "./harness";

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
      () => load(audited, body, headers, seconds, connections),
      () => load(unaudited, body, headers, seconds, connections),
    );
    const ratio = printComparison("Entity query: audited vs unaudited gateway", ["audited", "unaudited"], result, "≥ 0.9");
    const [{ events, commits }] = await bench.db.query(
      `SELECT count(*)::int AS events, count(DISTINCT xmin::text)::int AS commits FROM audit_chain WHERE seq > $1`,
      [from],
    );
    console.log(
      `  audit events written ${events} in ${commits} commits (${(events / Math.max(commits, 1)).toFixed(1)} events per group commit)`,
    );
    return ratio;
  } finally {
    await audited.stop();
    await unaudited.stop();
  }
}

/**
 * Several audited gateway processes on one database (issue 11): the same entity query,
 * the load (`connections` in all) spread evenly over 1, 2, 4 … processes, rounds interleaved
 * (1 2 4 1 2 4 …). Every request must succeed (a 503 AUDIT_UNAVAILABLE would throw) and the
 * chain must verify afterwards. The same N unaudited processes run in the same rounds: on a
 * two-core machine more processes cannot add CPU, and that column shows what N processes
 * cost without the trail.
 */
export async function benchAuditProcesses(
  bench: BenchDatabase,
  {
    processes,
    seconds = 8,
    rounds = 2,
    connections = 20,
  }: { processes: number[]; seconds?: number; rounds?: number; connections?: number },
): Promise<Array<{ processes: number; result: LoadResult }>> {
  await seedDemoData(bench.db, { customers: 2000 });
  const key = (await new ClientRegistry(bench.db).create(`bench-audit-procs-${Date.now()}`, [Purpose.SERVICE_PROVISION])).key;
  const [{ id }] = await bench.db.query(`SELECT id FROM customer WHERE deleted_at IS NULL ORDER BY id LIMIT 1`);
  const body = {
    query: `query Entity($id: ID!) @purpose(name: SERVICE_PROVISION) { customer(id: $id) { id fullName email prefecture serviceUsage { service amount occurredAt } } }`,
    variables: { id },
  };
  const headers = { authorization: `Bearer ${key}` };
  const most = Math.max(...processes);
  const audited = await Promise.all(Array.from({ length: most }, () => serveGateway(bench.url)));
  const unaudited = await Promise.all(Array.from({ length: most }, () => serveGateway(bench.url, { unaudited: true })));
  try {
    const across = async (gateways: ServedGateway[], n: number, s: number): Promise<LoadResult> => {
      const each = Math.max(1, Math.round(connections / n));
      const results = await Promise.all(gateways.slice(0, n).map((g) => load(g.url, body, headers, s, each)));
      return {
        requestsPerSecond: results.reduce((sum, r) => sum + r.requestsPerSecond, 0),
        p99Ms: Math.max(...results.map((r) => r.p99Ms)),
        non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
        errors: results.reduce((sum, r) => sum + r.errors, 0),
        serverCpuUs: null, // measured per process in the one-process comparison above
        storeCpuUs: null,
      };
    };
    await across(audited, most, 2); // warm every process
    await across(unaudited, most, 2);
    // audited N, unaudited N, for each N, round after round: the unaudited column shows what N processes cost without the trail
    const runs = processes.flatMap((n) => [() => across(audited, n, seconds), () => across(unaudited, n, seconds)]);
    const { means: results } = await compareAll(rounds, runs);
    console.log(`\nEntity query, ${connections} connections spread over N gateway processes on one PostgreSQL`);
    const row = (r: LoadResult) => `${r.requestsPerSecond.toFixed(0).padStart(7)} req/s p99 ${r.p99Ms.toFixed(0).padStart(4)} ms`;
    const rows = processes.map((n, i) => ({ processes: n, result: results[2 * i], unaudited: results[2 * i + 1] }));
    for (const { processes: n, result: a, unaudited: u } of rows) {
      console.log(
        `  ${String(n).padStart(2)} process${n === 1 ? " " : "es"}   audited ${row(a)}   unaudited ${row(u)}   audited/unaudited ${(a.requestsPerSecond / u.requestsPerSecond).toFixed(3)}` +
          `   audited ${(a.requestsPerSecond / rows[0].result.requestsPerSecond).toFixed(2)}× of ${rows[0].processes}`,
      );
    }
    const failed = results.reduce((sum, r) => sum + r.non2xx + r.errors, 0);
    if (failed > 0) throw new Error(`${failed} requests failed (a 503 AUDIT_UNAVAILABLE?): the chain is not shared cleanly`);
    const report = await verifyChain(bench.db);
    console.log(`  no request failed; the chain afterwards: ${report.ok ? "intact" : "BROKEN"}, ${report.checked} events`);
    if (!report.ok) throw new Error(`the chain does not verify: ${JSON.stringify(report.broken ?? report.ledgerMismatch)}`);
    return rows.map(({ processes: n, result }) => ({ processes: n, result }));
  } finally {
    await Promise.all([...audited, ...unaudited].map((g) => g.stop()));
  }
}

/**
 * `npm run bench:audit [-- --processes 1,2,4]` — DATABASE_URL (a dedicated database: it is
 * seeded) or embedded PGlite. Audited vs unaudited; with --processes, also N audited processes.
 */
async function main() {
  const argv = process.argv.slice(2);
  const at = argv.indexOf("--processes");
  const processes = at >= 0 ? (argv[at + 1] ?? "").split(",").map(Number) : null;
  if (processes && (processes.length === 0 || processes.some((n) => !Number.isInteger(n) || n < 1 || n > 16))) {
    throw new Error("--processes takes a comma-separated list of 1 to 16, e.g. 1,2,4");
  }
  const bench = await benchDatabase();
  console.log(`Audit trail benchmark on ${bench.description}`);
  const seconds = Number(process.env.BENCH_SECONDS ?? 8);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
  try {
    await benchAudit(bench, { seconds, connections });
    if (processes) await benchAuditProcesses(bench, { processes, seconds, connections });
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
