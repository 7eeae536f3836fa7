import "reflect-metadata";
import { Client } from "pg";
import type { DataSource } from "typeorm";
import {
  AGGREGATE_WORK_MEM,
  aggregatePlan,
  buildAggregateSql,
  ClientRegistry,
  currentMonth,
  loadStatisticsConfig,
  measuresFor,
  normaliseRequest,
  planMechanism,
  PREFECTURES,
  Purpose,
  StatisticsDimension as D,
  type StatisticsRequest,
} from "./from-src";
import { benchDatabase, serveGateway } from "./harness";
import { POPULATION_WEIGHT } from "./scale-seed";
import { benchOrganisation } from "./statistics-budget";

/**
 * Statistics through the gateway versus the same SQL straight on PostgreSQL.
 *
 * Seeds (additively, once) ≥ 100k customers and ≥ 1M service-usage rows with set-based SQL,
 * then times one statistics query end to end over HTTP (authentication, gate, budget ledger,
 * the aggregate, noise, stored answer) against the very statement the gateway runs, sent
 * directly with `pg`. Each gateway run is a fresh answer (the stored repeat is cleared first,
 * so the cache cannot flatter the gateway). Target: gateway ≤ 1.2 × direct SQL.
 *
 *   npm run bench:stats                      (embedded PGlite)
 *   DATABASE_URL=postgres://…/pgw_bench_stats npm run bench:stats
 */

export interface StatisticsBenchOptions {
  customers?: number;
  usagePerCustomer?: number;
  iterations?: number;
}

export interface StatisticsBenchResult {
  customers: number;
  usageRows: number;
  seedMs: number;
  gatewayMs: number;
  directMs: number;
  ratio: number;
}

const SERVICES = ["Mobile", "Broadband", "Streaming", "Cloud Storage", "Travel Booking"];

const REQUEST: StatisticsRequest = {
  field: "serviceUsage",
  groupBy: [D.AGE_BAND, D.REGION],
  filter: { usageMonth: { from: "2025-07", to: "2026-06" } },
};
const SELECTED = new Set(["customers", "usageCount", "amountSum", "amountAvg"]);
const GRAPHQL = `query Trends @purpose(name: USAGE_STATISTICS) {
  statistics {
    serviceUsage(groupBy: [AGE_BAND, REGION], filter: { usageMonth: { from: "2025-07", to: "2026-06" } }) {
      buckets { key { ageBand region } customers usageCount amountSum amountAvg }
      suppressedBuckets possibleBuckets epsilonSpent budgetRemaining repeated
    }
  }
}`;

/** Adds bench customers and their usage until there are enough (never touches other rows). */
export async function seedStatisticsBench(
  db: DataSource,
  customers: number,
  usagePerCustomer: number,
): Promise<{ customers: number; usageRows: number; ms: number }> {
  const started = Date.now();
  const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM customer WHERE full_name LIKE 'Bench %'`);
  if (n < customers) {
    const prefectures = PREFECTURES.flatMap((p) => Array(POPULATION_WEIGHT[p.name] ?? 1).fill(p.name));
    await db.query(
      `INSERT INTO customer (full_name, email, phone, postal_code, prefecture, street_address, birth_date, gender, created_at)
       SELECT 'Bench ' || g, 'bench' || g || '@example.jp', '090-' || lpad((g % 10000)::text, 4, '0') || '-' || lpad((g / 10000)::text, 4, '0'),
              '100-0001', ($1::text[])[1 + floor(random() * array_length($1::text[], 1))::int], 'Bench Street ' || g,
              date '1940-01-01' + floor(random() * 24500)::int,
              CASE WHEN random() < 0.48 THEN 'FEMALE' WHEN random() < 0.9 THEN 'MALE' WHEN random() < 0.5 THEN 'OTHER' ELSE 'UNDISCLOSED' END,
              timestamptz '2019-01-01' + random() * interval '2500 days'
         FROM generate_series($2::int + 1, $3::int) g`,
      [prefectures, n, customers],
    );
    await db.query(
      `INSERT INTO service_usage (customer_id, service, amount, occurred_at)
       SELECT c.id, ($1::text[])[1 + floor(random() * 5)::int], 100 * (1 + floor(random() * 200)::int),
              timestamptz '2025-01-01' + random() * interval '690 days'
         FROM customer c CROSS JOIN generate_series(1, $2::int) i
        WHERE c.full_name LIKE 'Bench %' AND NOT EXISTS (SELECT 1 FROM service_usage s WHERE s.customer_id = c.id)`,
      [SERVICES, usagePerCustomer],
    );
    await db.query(`ANALYZE customer`);
    await db.query(`ANALYZE service_usage`);
  }
  const [{ c }] = await db.query(`SELECT count(*)::int AS c FROM customer`);
  const [{ u }] = await db.query(`SELECT count(*)::int AS u FROM service_usage`);
  return { customers: c, usageRows: u, ms: Date.now() - started };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchStatistics(
  bench: { url: string; db: DataSource },
  options: StatisticsBenchOptions = {},
): Promise<StatisticsBenchResult> {
  const { customers = 100_000, usagePerCustomer = 10, iterations = 10 } = options;
  const seeded = await seedStatisticsBench(bench.db, customers, usagePerCustomer);
  console.log(
    `\nStatistics: ${seeded.customers} customers, ${seeded.usageRows} usage rows (seeding took ${(seeded.ms / 1000).toFixed(1)} s)`,
  );

  // The same statement the gateway will run (same settings, same period, same measures).
  const config = loadStatisticsConfig(process.env);
  const query = normaliseRequest(REQUEST, config);
  const plan = planMechanism(query, measuresFor(query.field, SELECTED), config);
  // (usage from the per-customer facts, which the gateway's start below builds if they are missing)
  const { sql, params, mergeJoins } = buildAggregateSql(aggregatePlan(query, plan, config, currentMonth(config.timeZone)));

  const { client, key } = await new ClientRegistry(bench.db).create(`bench-stats-${Date.now()}`, [Purpose.USAGE_STATISTICS]);
  const gateway = await serveGateway(bench.url);
  // the client's organisation: room for every timed run in the company's budget
  const organisation = await benchOrganisation(bench.db, client.name, 1000);
  await organisation.assign(client.name);
  const direct = new Client({ connectionString: bench.url });
  await direct.connect();

  const viaGateway = async (): Promise<number> => {
    await bench.db.query(`DELETE FROM statistics_answer WHERE result IS NOT NULL`); // a fresh answer, not a repeat (a benchmark store)
    const started = performance.now();
    const res = await fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: GRAPHQL }),
    });
    const body = (await res.json()) as any;
    const ms = performance.now() - started;
    const answer = body?.data?.statistics?.serviceUsage;
    if (!res.ok || body.errors || !answer || answer.repeated)
      throw new Error(`gateway answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return ms;
  };
  const viaSql = async (): Promise<number> => {
    const started = performance.now();
    // with the statement's own settings, as the aggregate road runs it (kernel/store/aggregates.ts)
    await direct.query("BEGIN");
    await direct.query(`SELECT set_config('work_mem', $1, true), set_config('jit', 'off', true)`, [AGGREGATE_WORK_MEM]);
    if (mergeJoins) await direct.query(`SELECT set_config('enable_hashjoin', 'off', true)`);
    const result = await direct.query(sql, params);
    await direct.query("COMMIT");
    const ms = performance.now() - started;
    if (!Array.isArray(result.rows)) throw new Error("no rows");
    return ms;
  };

  try {
    for (let i = 0; i < 2; i++) {
      await viaGateway();
      await viaSql();
    }
    const gatewayTimes: number[] = [];
    const directTimes: number[] = [];
    for (let i = 0; i < iterations; i++) {
      // alternate who goes first, so caches and drift favour neither side
      if (i % 2 === 0) {
        gatewayTimes.push(await viaGateway());
        directTimes.push(await viaSql());
      } else {
        directTimes.push(await viaSql());
        gatewayTimes.push(await viaGateway());
      }
    }
    const gatewayMs = median(gatewayTimes);
    const directMs = median(directTimes);
    const ratio = gatewayMs / directMs;
    console.log(`Statistics query (serviceUsage by AGE_BAND × REGION, 12 months; median of ${iterations})`);
    console.log(`  gateway (HTTP, gate, budget, SQL, noise)  ${gatewayMs.toFixed(1).padStart(8)} ms`);
    console.log(`  direct SQL (same statement, pg)           ${directMs.toFixed(1).padStart(8)} ms`);
    console.log(`  ratio gateway/direct = ${ratio.toFixed(3)}   (target ≤ 1.2)`);
    return { customers: seeded.customers, usageRows: seeded.usageRows, seedMs: seeded.ms, gatewayMs, directMs, ratio };
  } finally {
    await direct.end();
    await gateway.stop();
  }
}

async function main() {
  const bench = await benchDatabase();
  console.log(`Statistics benchmark on ${bench.description}`);
  try {
    await benchStatistics(bench, {
      customers: Number(process.env.BENCH_STATS_CUSTOMERS ?? 100_000),
      iterations: Number(process.env.BENCH_STATS_ITERATIONS ?? 10),
    });
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
