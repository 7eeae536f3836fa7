import "reflect-metadata";
import { Client } from "pg";
import type { DataSource } from "typeorm";
import {
  aggregatePlan,
  aggregateReader,
  buildAggregateSql,
  ClientRegistry,
  CompanyBudget,
  compose,
  currentMonth,
  featureDb,
  loadStatisticsConfig,
  measuresFor,
  methodOf,
  normaliseRequest,
  openDatabase,
  Organisations,
  planMechanism,
  publishSql,
  Purpose,
  recordStatisticsZone,
  ReleasePublisher,
  ReleaseStore,
  StatisticsDimension as D,
  validatePlan,
  type StatisticsRequest,
  ensureUsageFacts,
} from "./from-src";
import { benchDatabase, serveGateway } from "./harness";
import { seedStatisticsBench } from "./statistics";

/**
 * Released tables (statistics issue, item 3):
 *   1. a question answered from a release at 100,000 customers, end to end over HTTP, against
 *      the one SQL statement that computes the same cells directly from the customers
 *      (the interactive path's statement, sent with `pg`). Target: ≤ 1.1×.
 *   2. publishing a release over 1,000,000 customers and 1,000,000 usage rows with ≥ 10,000
 *      cells (its own database, NAME_releases_1m, seeded once and reused).
 *
 *   DATABASE_URL=postgres://…/pgw_bench_stats npm run bench:releases
 *   npm run bench:releases -- --answers-only | --publish-only
 */

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const micro = (epsilon: number) => Math.round(epsilon * 1e6);

const REQUEST: StatisticsRequest = { field: "customers", groupBy: [D.AGE_BAND, D.REGION], filter: { genders: ["FEMALE" as never] } };
const GRAPHQL = `query FromRelease @purpose(name: USAGE_STATISTICS) {
  statistics {
    customers(groupBy: [AGE_BAND, REGION], filter: { genders: [FEMALE] }) {
      buckets { key { ageBand region } customers standardErrors { customers } }
      suppressedBuckets possibleBuckets epsilonSpent budgetRemaining release { reference plan publishedAt }
    }
  }
}`;

async function publisherFor(db: DataSource) {
  const config = loadStatisticsConfig(process.env);
  const { registry } = compose();
  const statisticsDb = featureDb(db, "statistics", registry.tables);
  return {
    config,
    store: new ReleaseStore(statisticsDb),
    publisher: new ReleasePublisher({
      db: statisticsDb,
      aggregates: aggregateReader(db, registry),
      config,
      budget: new CompanyBudget(statisticsDb),
      statementTimeoutMs: 3_600_000,
    }),
  };
}

async function ensureCompanyBudget(db: DataSource, periodBudget: number) {
  await recordStatisticsZone(db, loadStatisticsConfig(process.env).timeZone); // as a gateway does at start
  const budget = new CompanyBudget(db);
  const state = await budget.state();
  if (state.releaseRemainingMicro < micro(periodBudget / 2)) {
    await budget.setCaps({
      periodBudgetMicro: state.periodBudgetMicro + micro(periodBudget),
      lifetimeCapMicro: state.lifetimeCapMicro + micro(periodBudget * 12),
    });
  }
}

export interface ReleaseAnswerBenchResult {
  customers: number;
  gatewayMs: number;
  directMs: number;
  cellsMs: number;
  ratio: number;
}

export async function benchReleaseAnswers(
  bench: { url: string; db: DataSource },
  options: { customers?: number; iterations?: number } = {},
): Promise<ReleaseAnswerBenchResult> {
  const { customers = 100_000, iterations = 20 } = options;
  const seeded = await seedStatisticsBench(bench.db, customers, 10);
  console.log(`\nAnswers from a release: ${seeded.customers} customers`);
  await ensureCompanyBudget(bench.db, 100);
  const organisations = new Organisations(bench.db);
  const name = `bench-releases-${Date.now()}`;
  const organisation = await organisations.add(name, "internal");
  await new CompanyBudget(bench.db).allocate(organisation.id, micro(1));
  const { key } = await new ClientRegistry(bench.db).create(name, [Purpose.USAGE_STATISTICS]);
  await organisations.assignClient(name, name);

  const { config, store, publisher } = await publisherFor(bench.db);
  await store.define(
    "bench-customers",
    validatePlan([{ field: "customers", dimensions: [D.AGE_BAND, D.GENDER, D.PREFECTURE] }], micro(1), config),
  );
  const release = await publisher.publish("bench-customers");
  console.log(`  published ${release.cells} cells in ${release.measureMs} ms (release ${release.id})`);

  // the same cells straight from the customers: the statement the interactive path would run
  const query = normaliseRequest(REQUEST, config);
  const plan = planMechanism(query, measuresFor(query.field, new Set(["customers"])), config);
  const { sql, params } = buildAggregateSql(aggregatePlan(query, plan, config, currentMonth(config.timeZone)));
  const cellsSql = `SELECT age_band, region, sum(customers)::bigint AS customers FROM statistics_published_cell
    WHERE release_id = $1 AND grouping = 0 AND gender = ANY($2::text[]) GROUP BY 1, 2`;

  const gateway = await serveGateway(bench.url);
  const direct = new Client({ connectionString: bench.url });
  await direct.connect();
  const viaGateway = async () => {
    const started = performance.now();
    const res = await fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: GRAPHQL }),
    });
    const body = (await res.json()) as any;
    const ms = performance.now() - started;
    const answer = body?.data?.statistics?.customers;
    if (!res.ok || body.errors || answer?.release?.reference !== release.id || answer.epsilonSpent !== 0)
      throw new Error(`gateway answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return ms;
  };
  const timed = (text: string, values: unknown[]) => async () => {
    const started = performance.now();
    await direct.query(text, values);
    return performance.now() - started;
  };
  const viaSql = timed(sql, params);
  const viaCells = timed(cellsSql, [release.id, ["FEMALE"]]);
  try {
    for (let i = 0; i < 3; i++) {
      await viaGateway();
      await viaSql();
      await viaCells();
    }
    const g: number[] = [];
    const d: number[] = [];
    const c: number[] = [];
    for (let i = 0; i < iterations; i++) {
      // alternate who goes first, so caches and drift favour neither side
      if (i % 2 === 0) {
        g.push(await viaGateway());
        d.push(await viaSql());
      } else {
        d.push(await viaSql());
        g.push(await viaGateway());
      }
      c.push(await viaCells());
    }
    const result = {
      customers: seeded.customers,
      gatewayMs: median(g),
      directMs: median(d),
      cellsMs: median(c),
      ratio: median(g) / median(d),
    };
    console.log(`Question from a release (customers by AGE_BAND × REGION, women; median of ${iterations})`);
    console.log(`  gateway (HTTP, gate, release lookup, sum of cells)   ${result.gatewayMs.toFixed(1).padStart(8)} ms`);
    console.log(`  direct SQL over the customers (same cells, pg)       ${result.directMs.toFixed(1).padStart(8)} ms`);
    console.log(`  direct SQL over the released cells (pg, for scale)   ${result.cellsMs.toFixed(1).padStart(8)} ms`);
    console.log(`  ratio gateway/direct = ${result.ratio.toFixed(3)}   (target ≤ 1.1)`);
    return result;
  } finally {
    await direct.end();
    await gateway.stop();
  }
}

export interface ReleasePublishBenchResult {
  customers: number;
  usageRows: number;
  cells: number;
  publishMs: number;
  measureMs: number;
}

/** The 1,000,000-customer database next to the bench database (created and seeded once). */
async function millionDatabase(baseUrl: string): Promise<DataSource> {
  const url = new URL(baseUrl);
  const name = `${url.pathname.slice(1)}_releases_1m`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
  if (!exists.rowCount) await admin.query(`CREATE DATABASE "${name.replace(/"/g, "")}"`);
  await admin.end();
  url.pathname = `/${name}`;
  return openDatabase({ url: url.toString(), poolSize: 4 });
}

export async function benchReleasePublishing(baseUrl: string, options: { customers?: number } = {}): Promise<ReleasePublishBenchResult> {
  const { customers = 1_000_000 } = options;
  const db = await millionDatabase(baseUrl);
  try {
    const seeded = await seedStatisticsBench(db, customers, 1);
    console.log(
      `\nPublishing a release: ${seeded.customers} customers, ${seeded.usageRows} usage rows (seeding took ${(seeded.ms / 1000).toFixed(1)} s)`,
    );
    await ensureCompanyBudget(db, 100);
    const { config, store, publisher } = await publisherFor(db);
    // the per-customer usage facts, as a gateway's start builds them (kept up to date afterwards)
    const facts = performance.now();
    await ensureUsageFacts(db, { timeZone: config.timeZone, services: config.services });
    console.log(`  usage facts ready in ${((performance.now() - facts) / 1000).toFixed(1)} s`);
    const plan = await store.define(
      "bench-monthly",
      validatePlan(
        [
          { field: "customers", dimensions: [D.AGE_BAND, D.GENDER, D.PREFECTURE] },
          // every seeded use lies in these 23 months (seedStatisticsBench: 2025-01-01 + up to 690 days)
          {
            field: "serviceUsage",
            dimensions: [D.SERVICE, D.USAGE_MONTH, D.GENDER, D.PREFECTURE],
            usageMonths: { from: "2025-01", to: "2026-11" },
          },
        ],
        micro(10),
        config,
      ),
    );
    const started = performance.now();
    const release = await publisher.publish(plan.id);
    const publishMs = performance.now() - started;
    // the two measuring statements alone, as publishing runs them (work_mem 256MB, JIT off, usage from the facts)
    const sqlMs: number[] = [];
    for (const method of methodOf(plan, config)) {
      const { sql, params } = publishSql(method, { ...config, period: release.period, usageFacts: true });
      const started = performance.now();
      await db.transaction(async (tx) => {
        await tx.query(`SELECT set_config('work_mem', '256MB', true), set_config('jit', 'off', true)`);
        await tx.query(sql, params);
      });
      sqlMs.push(performance.now() - started);
    }
    console.log(
      `Publishing plan bench-monthly (customers AGE_BAND × GENDER × PREFECTURE; usage SERVICE × USAGE_MONTH × GENDER × PREFECTURE, 23 months; ε 10)`,
    );
    console.log(`  cells                                                         ${String(release.cells).padStart(8)}`);
    console.log(`  measuring SQL alone: customers ${(sqlMs[0] / 1000).toFixed(2)} s, usage ${(sqlMs[1] / 1000).toFixed(2)} s`);
    console.log(`  measuring (2 SQL statements, noise, least squares, top-down)  ${(release.measureMs / 1000).toFixed(2)} s`);
    console.log(`  publishing in all (plus the charge and storing the cells)     ${(publishMs / 1000).toFixed(2)} s`);
    return { customers: seeded.customers, usageRows: seeded.usageRows, cells: release.cells, publishMs, measureMs: release.measureMs };
  } finally {
    await db.destroy();
  }
}

async function main() {
  const only = process.argv.slice(2);
  const bench = await benchDatabase();
  console.log(`Released-tables benchmark on ${bench.description}`);
  try {
    if (!only.includes("--publish-only"))
      await benchReleaseAnswers(bench, { customers: Number(process.env.BENCH_STATS_CUSTOMERS ?? 100_000) });
    if (!only.includes("--answers-only")) {
      if (!process.env.DATABASE_URL) console.log("\n(publishing over 1,000,000 customers needs DATABASE_URL: skipped on embedded PGlite)");
      else await benchReleasePublishing(bench.url, { customers: Number(process.env.BENCH_RELEASE_CUSTOMERS ?? 1_000_000) });
    }
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
