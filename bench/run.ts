import "reflect-metadata";
import { benchAudit } from "./audit";
import { benchGovernance } from "./gateway";
import { benchDatabase } from "./harness";
import { benchStatistics } from "./statistics";

/**
 * `npm run bench`: every benchmark of the gateway, side by side, in one run, ending with a
 * summary of the three ratios against their targets.
 *   DATABASE_URL (a dedicated database: it is seeded) or embedded PGlite.
 *   BENCH_SECONDS (per load round, default 8), BENCH_STATS_CUSTOMERS (default 100000).
 */
async function main() {
  const bench = await benchDatabase();
  console.log(`Purpose Gateway benchmarks on ${bench.description}`);
  const seconds = Number(process.env.BENCH_SECONDS ?? 8);
  try {
    const governance = await benchGovernance(bench, { seconds });
    const audit = await benchAudit(bench, { seconds });
    const statistics = await benchStatistics(bench, {
      customers: Number(process.env.BENCH_STATS_CUSTOMERS ?? 100_000),
      iterations: Number(process.env.BENCH_STATS_ITERATIONS ?? 10),
    });
    const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
    console.log("\nSummary");
    console.log(`  governed / ungoverned throughput   ${governance.toFixed(3)}   target ≥ 0.9   ${verdict(governance >= 0.9)}`);
    console.log(`  audited / unaudited throughput     ${audit.toFixed(3)}   target ≥ 0.8   ${verdict(audit >= 0.8)}`);
    console.log(`  statistics gateway / direct SQL    ${statistics.ratio.toFixed(3)}   target ≤ 1.2   ${verdict(statistics.ratio <= 1.2)}`);
  } finally {
    await bench.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
