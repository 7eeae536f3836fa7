import "reflect-metadata";
import os from "node:os";
import { ClientRegistry } from "../src/clients/client-registry";
import { Purpose } from "../src/kernel/purposes/purpose";
import { seedDemoData } from "../src/seed/demo-data";
import { benchDatabase, load, serveGateway } from "./harness";

/**
 * `npm run soak`: the production gateway (governed and audited, in its own process) driven at
 * saturation by autocannon on loopback for SOAK_MINUTES (default 10), in windows of
 * SOAK_WINDOW_SECONDS (default 60). After each window it samples the gateway's RSS and its
 * live heap (after a full garbage collection) and prints the window's throughput and p99, then a verdict: memory growth after the first
 * (warm-up) window, and the spread of p99. Bounded in time; never part of CI.
 *   DATABASE_URL (a dedicated database: it is seeded) or embedded PGlite in memory.
 *   SOAK_CONNECTIONS (default 20).
 */
async function main() {
  const minutes = Number(process.env.SOAK_MINUTES ?? 10);
  const windowSeconds = Number(process.env.SOAK_WINDOW_SECONDS ?? 60);
  const connections = Number(process.env.SOAK_CONNECTIONS ?? 20);
  const windows = Math.max(2, Math.round((minutes * 60) / windowSeconds));

  const bench = await benchDatabase();
  await seedDemoData(bench.db, { customers: 2000 });
  const key = (await new ClientRegistry(bench.db).create(`soak-${Date.now()}`, [Purpose.SERVICE_PROVISION])).key;
  const [{ id }] = await bench.db.query(`SELECT id FROM customer WHERE deleted_at IS NULL ORDER BY id LIMIT 1`);
  const body = {
    query: `query Entity($id: ID!) @purpose(name: SERVICE_PROVISION) { customer(id: $id) { id fullName email prefecture serviceUsage { service amount occurredAt } } }`,
    variables: { id },
  };
  const headers = { authorization: `Bearer ${key}` };
  const gateway = await serveGateway(bench.url); // the production composition: governance and audit
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

  console.log(
    `Soak on ${bench.description}: ${windows} × ${windowSeconds} s at ${connections} connections; load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log(
    `${"window".padStart(6)} ${"req/s".padStart(8)} ${"p99 ms".padStart(8)} ${"non-2xx".padStart(8)} ${"errors".padStart(7)} ${"RSS MB".padStart(8)} ${"live heap".padStart(9)} ${"load".padStart(6)}`,
  );
  const rows: Array<{ rps: number; p99: number; rss: number; heap: number; failed: number }> = [];
  try {
    const [{ seq: from }] = await bench.db.query(`SELECT coalesce(max(seq), 0)::text AS seq FROM audit_event`);
    let requests = 0;
    for (let w = 1; w <= windows; w++) {
      const r = await load(gateway.url, body, headers, windowSeconds, connections);
      const memory = await gateway.memory();
      requests += Math.round(r.requestsPerSecond * windowSeconds);
      rows.push({ rps: r.requestsPerSecond, p99: r.p99Ms, rss: memory.rss, heap: memory.heapUsed, failed: r.non2xx + r.errors });
      console.log(
        `${String(w).padStart(6)} ${r.requestsPerSecond.toFixed(0).padStart(8)} ${r.p99Ms.toFixed(1).padStart(8)} ${String(r.non2xx).padStart(8)} ${String(r.errors).padStart(7)} ` +
          `${mb(memory.rss).padStart(8)} ${mb(memory.heapUsed).padStart(9)} ${os.loadavg()[0].toFixed(2).padStart(6)}`,
      );
    }
    const [{ events }] = await bench.db.query(`SELECT count(*)::int AS events FROM audit_event WHERE seq > $1`, [from]);
    const steady = rows.slice(1); // the first window warms up (JIT, pools, caches)
    const p99s = steady.map((r) => r.p99);
    const growth = (pick: (r: (typeof rows)[number]) => number) => pick(steady[steady.length - 1]) - pick(steady[0]);
    console.log("\nSummary (after the warm-up window)");
    console.log(`  requests ≈ ${requests}, audit events written ${events}, failed ${rows.reduce((s, r) => s + r.failed, 0)}`);
    console.log(
      `  throughput ${Math.min(...steady.map((r) => r.rps)).toFixed(0)}–${Math.max(...steady.map((r) => r.rps)).toFixed(0)} req/s`,
    );
    console.log(`  p99 ${Math.min(...p99s).toFixed(1)}–${Math.max(...p99s).toFixed(1)} ms (median ${median(p99s).toFixed(1)})`);
    console.log(
      `  RSS ${mb(steady[0].rss)} → ${mb(steady[steady.length - 1].rss)} MB (${growth((r) => r.rss) >= 0 ? "+" : ""}${mb(growth((r) => r.rss))}), live heap ${mb(steady[0].heap)} → ${mb(steady[steady.length - 1].heap)} MB`,
    );
  } finally {
    await gateway.stop();
    await bench.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
