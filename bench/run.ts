import "reflect-metadata";
import { benchAudit } from "./audit";
import { benchGovernance } from "./gateway";
import { benchDatabase } from "./harness";
import { benchPeers, type PeersResult } from "./peers/throughput";
import { benchScaling, parseScaleArgs, ROWS, type ScalingResult } from "./scale";
import { benchStatistics, type StatisticsBenchResult } from "./statistics";

/**
 * `npm run bench`: every benchmark of the gateway, side by side, in one run, ending with a
 * summary of the ratios against their targets.
 *   1. entity query: governed vs ungoverned, audited vs unaudited gateway;
 *   2. entity query: the gateway (governed + audited) vs a hand-written Apollo + pg server
 *      and PostGraphile 4, on the same data and customer (bench/peers);
 *   3. statistics: the gateway vs the same SQL sent directly;
 *   4. the scaling table: latencies at each `--scale` (default 2000; bench/scale.ts).
 *
 *   npm run bench -- --scale 2000,100000    (1000000 also; minutes to seed the first time)
 *   npm run bench -- --scale 1000000 --scale-only   (just the scaling table)
 *   npm run bench -- --reseed               (seed the scale databases again)
 *   npm run bench -- --throughput-only      (just 1 and 2: the ratios of governance, audit, peers)
 *
 *   DATABASE_URL (a dedicated database: it is seeded; the scale databases are created beside
 *   it as NAME_scale_<n>) or embedded PGlite.
 *   BENCH_SECONDS (per load round, default 4), BENCH_ROUNDS (rounds per contender, default 5; each
 *   ratio is the median of its paired rounds, bench/harness.ts), BENCH_STATS_CUSTOMERS (default 100000),
 *   BENCH_SCALE_* (bench/scale.ts).
 */
async function main() {
  const argv = process.argv.slice(2);
  const scaleOptions = parseScaleArgs(argv); // invalid options fail before anything runs
  const scaleOnly = argv.includes("--scale-only");
  const throughputOnly = argv.includes("--throughput-only");
  const seconds = Number(process.env.BENCH_SECONDS ?? 4);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

  let governance: number | null = null;
  let audit: number | null = null;
  let peers: PeersResult | null = null;
  let statistics: StatisticsBenchResult | null = null;
  if (!scaleOnly) {
    const bench = await benchDatabase();
    console.log(`Purpose Gateway benchmarks on ${bench.description}`);
    try {
      governance = await benchGovernance(bench, { seconds, rounds });
      audit = await benchAudit(bench, { seconds, rounds });
      peers = await benchPeers(bench, { seconds, rounds });
      if (!throughputOnly) {
        statistics = await benchStatistics(bench, {
          customers: Number(process.env.BENCH_STATS_CUSTOMERS ?? 100_000),
          iterations: Number(process.env.BENCH_STATS_ITERATIONS ?? 10),
        });
      }
    } finally {
      await bench.close();
    }
  }
  const scaling = throughputOnly ? null : await benchScaling(process.env.DATABASE_URL ?? null, scaleOptions);
  printSummary({ governance, audit, peers, statistics, scaling });
}

function printSummary({
  governance,
  audit,
  peers,
  statistics,
  scaling,
}: {
  governance: number | null;
  audit: number | null;
  peers: PeersResult | null;
  statistics: StatisticsBenchResult | null;
  scaling: ScalingResult | null;
}) {
  const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
  const line = (label: string, value: string, target: string, ok: boolean | null) =>
    console.log(`  ${label.padEnd(72)} ${value.padStart(8)}   ${target.padEnd(22)} ${ok === null ? "" : verdict(ok)}`);
  console.log("\nSummary");
  if (peers) {
    line(
      "gateway (governed + audited) / hand-written",
      peers.gatewayOverHandwritten.toFixed(3),
      "target ≥ 1.0",
      peers.gatewayOverHandwritten >= 1.0,
    );
    line("PostGraphile 4 / hand-written", peers.postgraphileOverHandwritten.toFixed(3), "for information", null);
    line("gateway (governed + audited) / PostGraphile 4", peers.gatewayOverPostgraphile.toFixed(3), "for information", null);
  }
  if (governance !== null) line("governed / ungoverned throughput", governance.toFixed(3), "target ≥ 0.95", governance >= 0.95);
  if (audit !== null) line("audited / unaudited throughput", audit.toFixed(3), "target ≥ 0.9", audit >= 0.9);
  if (statistics) line("statistics gateway / direct SQL", statistics.ratio.toFixed(3), "target ≤ 1.2", statistics.ratio <= 1.2);

  if (!scaling) return; // --throughput-only
  const { runs, growth } = scaling;
  if (runs.length > 1) {
    const span = `${runs[0].customers} → ${runs[runs.length - 1].customers}`;
    for (const row of ROWS.filter((r) => r.flat)) {
      const ratio = growth[row.key]!;
      line(`${row.label} p50, ${span}`, `${ratio.toFixed(2)}×`, "target ≤ 1.5× (flat)", ratio <= 1.5);
    }
  } else {
    console.log(`  (page and purpose lists flat within 1.5×: needs two scales, e.g. --scale 2000,1000000)`);
  }
  const million = runs.find((r) => r.customers >= 1_000_000);
  if (million) {
    const seconds = million.rows.statsUsage.p99 / 1000;
    line(`statistics serviceUsage at ${million.customers} customers (p99)`, `${seconds.toFixed(2)} s`, "target ≤ 3 s", seconds <= 3);
  } else {
    console.log(`  (serviceUsage statistics ≤ 3 s at 1,000,000 customers: needs --scale 1000000)`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
