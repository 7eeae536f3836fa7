import { Client } from "pg";
import type { DataSource } from "typeorm";
import {
  ClientRegistry,
  currentMonth,
  DEMO_AGREEMENT,
  loadStatisticsConfig,
  monthIndex,
  monthOf,
  openDatabase,
  Purpose,
  startEmbeddedPostgres,
} from "./from-src";
import { serveGateway } from "./harness";
import { benchOrganisation } from "./statistics-budget";
import { countSeeded, holdsScale, seedConsents, seedScale, type SeedCounts } from "./scale-seed";

/**
 * The scaling table: latency (p50 / p99) of the governed and audited gateway — the
 * production configuration, over HTTP, in its own process — for the same queries at several
 * data sizes, each in a dedicated database seeded with set-based SQL (bench/scale-seed.ts).
 *
 *   npm run bench -- --scale 2000,100000        (default: 2000 only; also 1000000 / 1m)
 *   npm run bench -- --scale 1000000 --reseed   (drop and seed again)
 *   npm run bench -- --scale 2000,100000 --scale-only   (just this table)
 *
 * With DATABASE_URL=…/NAME the scale databases are NAME_scale_<customers> on the same
 * server, created when missing and reused while they hold the right row counts. Without
 * DATABASE_URL each scale is seeded into its own in-memory PGlite (nothing is reused).
 *
 * Requests are sequential (one at a time, after a warm-up) so each number is a latency,
 * not a queueing effect. Every answer is checked (status 200, no errors, the data asked
 * for); one failure aborts the run. Statistics: each measured answer is the first answer
 * to a fresh USAGE_STATISTICS client (its own budget, nothing stored for it yet), so it is
 * computed, never a stored repeat; each client is created (and authenticated by a `viewer`
 * call) before its timed request.
 *
 *   BENCH_SCALE_REQUESTS (per row, default 200), BENCH_SCALE_WARMUP (default 20),
 *   BENCH_SCALE_ROW_SECONDS (a row stops early after this long, default 30, with at least
 *   10 requests, 3 for statistics), BENCH_SCALE_STATS_REQUESTS (fresh answers per statistics
 *   row, default 10). `n` in the output says how many were timed.
 */

export interface ScaleOptions {
  scales: number[];
  reseed: boolean;
  requests: number;
  warmup: number;
  rowSeconds: number;
  statsRequests: number;
}

export interface Latency {
  p50: number;
  p99: number;
  n: number;
  note?: string;
}

export interface ScaleRun {
  customers: number;
  counts: SeedCounts;
  seeded: "reused" | number; // seconds spent seeding
  rows: Record<RowKey, Latency>;
}

export interface ScalingResult {
  runs: ScaleRun[];
  /** largest p50 / smallest p50 per row over the scales measured (null with one scale) */
  growth: Partial<Record<RowKey, number>>;
}

/** The rows of the table; `flat` rows have the target "within 1.5× from 2,000 to 1,000,000". */
export const ROWS = [
  { key: "entity", label: "customer by id + usage (SERVICE_PROVISION)", flat: false },
  { key: "pageFirst", label: "page of 100 + usage, first (SERVICE_PROVISION list)", flat: true },
  { key: "pageDeep", label: "page of 100 + usage, deep", flat: true },
  { key: "productImprovement", label: "PRODUCT_IMPROVEMENT list of 100", flat: true },
  { key: "notification", label: "NOTIFICATION list of 100", flat: true },
  { key: "individualAgreement", label: "INDIVIDUAL_AGREEMENT list of 100 (survey-2026)", flat: true },
  { key: "prizeDelivery", label: "PRIZE_DELIVERY campaign winners", flat: false },
  { key: "dataSubjectRequest", label: "DATA_SUBJECT_REQUEST customer (open request)", flat: false },
  { key: "statsUsage", label: "statistics serviceUsage SERVICE × USAGE_MONTH, 12 mo", flat: false },
  { key: "statsCustomers", label: "statistics customers AGE_BAND × REGION", flat: false },
] as const;
export type RowKey = (typeof ROWS)[number]["key"];

// ---- options -------------------------------------------------------------------------------

/** `--scale 2000,100000` (or `--scale=…`; `100k`, `1m` accepted); default [2000]. */
export function parseScaleArgs(argv: readonly string[], env = process.env): ScaleOptions {
  let raw = "2000";
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--scale") raw = argv[i + 1] ?? "";
    else if (argv[i].startsWith("--scale=")) raw = argv[i].slice("--scale=".length);
  }
  const scales = raw.split(",").map((part) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$/i.exec(part.replace(/_/g, ""));
    const value = match
      ? Math.round(Number(match[1]) * ({ "": 1, k: 1_000, m: 1_000_000 } as const)[match[2].toLowerCase() as "" | "k" | "m"])
      : NaN;
    if (!Number.isSafeInteger(value) || value < 100 || value > 10_000_000)
      throw new Error(`--scale: "${part}" is not a number of customers from 100 to 10000000`);
    return value;
  });
  const number = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
    return value;
  };
  return {
    scales: [...new Set(scales)].sort((a, b) => a - b),
    reseed: argv.includes("--reseed"),
    requests: number("BENCH_SCALE_REQUESTS", 200),
    warmup: number("BENCH_SCALE_WARMUP", 20),
    rowSeconds: number("BENCH_SCALE_ROW_SECONDS", 30),
    statsRequests: number("BENCH_SCALE_STATS_REQUESTS", 10),
  };
}

// ---- databases -----------------------------------------------------------------------------

interface ScaleDatabase {
  url: string;
  description: string;
  close(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** NAME_scale_<n> beside DATABASE_URL's database (created if missing, dropped on --reseed). */
async function scaleDatabase(baseUrl: string | null, customers: number, reseed: boolean): Promise<ScaleDatabase> {
  if (!baseUrl) {
    const embedded = await startEmbeddedPostgres();
    return { url: embedded.url, description: "in-memory PGlite", close: () => embedded.stop() };
  }
  const base = decodeURIComponent(new URL(baseUrl).pathname.slice(1));
  const name = `${base}_scale_${customers}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`cannot derive a scale database name from "${base}"`);
  const admin = new Client({ connectionString: withDatabase(baseUrl, "postgres") });
  await admin.connect();
  try {
    if (reseed) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const { rowCount } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return { url: withDatabase(baseUrl, name), description: name, close: async () => {} };
}

async function dropAndCreate(baseUrl: string, url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new Client({ connectionString: withDatabase(baseUrl, "postgres") });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}

// ---- measuring -----------------------------------------------------------------------------

interface Timed {
  ms: number;
  status: number;
  json: any;
}

async function post(url: string, body: unknown, key: string): Promise<Timed> {
  const payload = JSON.stringify(body);
  const started = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: payload,
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // checked below
  }
  return { ms, status: res.status, json };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function latency(samples: number[], note?: string): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: samples.length, note };
}

type Check = (json: any) => string | null; // null: the answer is what was asked for

function checked(label: string, answer: Timed, check: Check): void {
  const problem = answer.status !== 200 ? `status ${answer.status}` : answer.json?.errors ? "errors" : check(answer.json);
  if (problem) throw new Error(`${label}: ${problem}: ${JSON.stringify(answer.json).slice(0, 400)}`);
}

/** Sequential requests: a warm-up, then up to `requests` timed ones (fewer past `rowSeconds`). */
async function measure(
  label: string,
  url: string,
  body: unknown,
  key: string,
  check: Check,
  options: ScaleOptions,
  note?: string,
): Promise<Latency> {
  for (let i = 0; i < options.warmup; i++) checked(label, await post(url, body, key), check);
  const samples: number[] = [];
  const deadline = performance.now() + options.rowSeconds * 1000;
  while (samples.length < options.requests && (samples.length < 10 || performance.now() < deadline)) {
    const answer = await post(url, body, key);
    checked(label, answer, check);
    samples.push(answer.ms);
  }
  return latency(samples, note);
}

const USAGE = `serviceUsage { service amount occurredAt }`;
const ENTITY = `query Entity($id: ID!) @purpose(name: SERVICE_PROVISION) { customer(id: $id) { id fullName email prefecture ${USAGE} } }`;
const PAGE = `query Page @purpose(name: SERVICE_PROVISION) { customers(first: 100) { id fullName email prefecture ${USAGE} } }`;
const PAGE_AFTER = `query Deep($after: ID!) @purpose(name: SERVICE_PROVISION) { customers(first: 100, after: $after) { id fullName email prefecture ${USAGE} } }`;
const PAGE_OFFSET = `query Deep($offset: Int!) @purpose(name: SERVICE_PROVISION) { customers(first: 100, offset: $offset) { id fullName email prefecture ${USAGE} } }`;
const PRODUCT_IMPROVEMENT = `query Trends @purpose(name: PRODUCT_IMPROVEMENT) { customers(first: 100) { prefecture gender serviceUsage { service amount } } }`;
const NOTIFICATION = `query Mailing @purpose(name: NOTIFICATION) { customers(first: 100) { fullName email } }`;
const INDIVIDUAL_AGREEMENT = `query Survey @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "${DEMO_AGREEMENT.key}") { customers(first: 100) { id fullName email } }`;
const PRIZE_DELIVERY = `query Winners @purpose(name: PRIZE_DELIVERY) { campaigns { winners { customer { fullName postalCode } } } }`;
const DATA_SUBJECT_REQUEST = `query Disclosure($id: ID!) @purpose(name: DATA_SUBJECT_REQUEST) { customer(id: $id) { id fullName email prefecture birthDate ${USAGE} } }`;

function statisticsQueries(): { usage: string; customers: string; period: string } {
  const now = monthIndex(currentMonth(loadStatisticsConfig(process.env).timeZone))!;
  const from = monthOf(now - 12);
  const to = monthOf(now - 1); // the last 12 complete months
  const result = `suppressedBuckets possibleBuckets epsilonSpent budgetRemaining repeated`;
  return {
    period: `${from} … ${to}`,
    usage: `query UsageTrends @purpose(name: USAGE_STATISTICS) { statistics { serviceUsage(groupBy: [SERVICE, USAGE_MONTH], filter: { usageMonth: { from: "${from}", to: "${to}" } }) { buckets { key { service usageMonth } customers usageCount amountSum amountAvg } ${result} } } }`,
    customers: `query CustomerTrends @purpose(name: USAGE_STATISTICS) { statistics { customers(groupBy: [AGE_BAND, REGION]) { buckets { key { ageBand region } customers } ${result} } } }`,
  };
}

const hundred =
  (field = "customers"): Check =>
  (json) =>
    json?.data?.[field]?.length === 100 ? null : `expected 100 ${field}, got ${json?.data?.[field]?.length}`;

/**
 * Fresh answers only: each timed request is a new USAGE_STATISTICS client's first statistics
 * call, with the stored answers deleted first (answers are public within a period: the
 * same question would otherwise be a stored repeat). The client is created, put in the run's
 * organisation and authenticated (a `viewer` call, which spends nothing) before the timer
 * starts. One untimed warm-up; then up to `statsRequests` answers, fewer (at least 3) past `rowSeconds`.
 */
async function measureStatistics(
  label: string,
  url: string,
  db: DataSource,
  query: string,
  field: "serviceUsage" | "customers",
  options: ScaleOptions,
): Promise<Latency> {
  const registry = new ClientRegistry(db);
  const stamp = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const organisation = await benchOrganisation(db, `bench-scale-stats-${stamp}`, options.statsRequests + 2);
  let clients = 0;
  const freshAnswer = async (): Promise<number> => {
    const { key, client } = await registry.create(`bench-scale-stats-${stamp}-${clients++}`, [Purpose.USAGE_STATISTICS]);
    await organisation.assign(client.name);
    await db.query(`DELETE FROM statistics_answer WHERE result IS NOT NULL`); // a benchmark store: no stored answer flatters the run
    checked(`${label} (viewer)`, await post(url, { query: `{ viewer { name } }` }, key), (json) =>
      json?.data?.viewer?.name ? null : "no viewer",
    );
    const answer = await post(url, { query }, key);
    checked(label, answer, (json) => {
      const result = json?.data?.statistics?.[field];
      if (!result) return "no statistics";
      if (result.repeated) return "a stored repeat, not a fresh answer";
      return result.buckets.length > 0 ? null : "no bucket released";
    });
    return answer.ms;
  };
  await freshAnswer(); // warm-up
  const samples: number[] = [];
  const deadline = performance.now() + options.rowSeconds * 1000;
  while (samples.length < options.statsRequests && (samples.length < 3 || performance.now() < deadline)) samples.push(await freshAnswer());
  return latency(samples, "fresh answers");
}

async function measureScale(
  url: string,
  db: DataSource,
  options: ScaleOptions,
  log: (line: string) => void,
): Promise<Record<RowKey, Latency>> {
  const registry = new ClientRegistry(db);
  const stamp = `${Date.now()}`;
  const keyFor = async (purpose: string) =>
    (await registry.create(`bench-scale-${purpose.toLowerCase().replace(/_/g, "-")}-${stamp}`, [purpose])).key;
  const keys = {
    sp: await keyFor(Purpose.SERVICE_PROVISION),
    pi: await keyFor(Purpose.PRODUCT_IMPROVEMENT),
    no: await keyFor(Purpose.NOTIFICATION),
    ia: await keyFor(Purpose.INDIVIDUAL_AGREEMENT),
    pd: await keyFor(Purpose.PRIZE_DELIVERY),
    dsr: await keyFor(Purpose.DATA_SUBJECT_REQUEST),
  };
  const active = `deleted_at IS NULL AND erased_at IS NULL`;
  const [{ id: entityId }] = await db.query(
    `SELECT c.id FROM customer c WHERE ${active} AND EXISTS (SELECT 1 FROM service_usage s WHERE s.customer_id = c.id) ORDER BY md5(c.id::text) LIMIT 1`,
  );
  const [{ n: activeCount }] = await db.query(`SELECT count(*)::int AS n FROM customer WHERE ${active}`);
  const half = Math.floor(activeCount / 2);
  // the last customer of the page that ends half-way through the list (default order: id)
  const [{ id: after }] = await db.query(`SELECT id FROM customer WHERE ${active} ORDER BY id OFFSET $1 LIMIT 1`, [half - 1]);
  const [{ customer_id: requester }] = await db.query(
    `SELECT r.customer_id FROM data_subject_request r JOIN customer c ON c.id = r.customer_id
      WHERE r.status IN ('RECEIVED', 'IN_PROGRESS') AND c.deleted_at IS NULL AND c.erased_at IS NULL ORDER BY r.customer_id LIMIT 1`,
  );
  const one = (json: any) => (json?.data?.customer?.id ? null : "no customer");
  const rows = {} as Record<RowKey, Latency>;
  const run = async (key: RowKey, measurement: () => Promise<Latency>) => {
    rows[key] = await measurement();
    const r = rows[key];
    log(
      `    ${ROWS.find((row) => row.key === key)!.label.padEnd(54)} p50 ${r.p50.toFixed(1).padStart(8)} ms  p99 ${r.p99.toFixed(1).padStart(8)} ms  (n=${r.n}${r.note ? `, ${r.note}` : ""})`,
    );
  };

  await run("entity", () => measure("customer by id", url, { query: ENTITY, variables: { id: entityId } }, keys.sp, one, options));
  await run("pageFirst", () => measure("first page", url, { query: PAGE }, keys.sp, hundred(), options));

  // keyset pagination (`after: ID`) if the gateway has it, else the offset it has today
  const probe = await post(url, { query: PAGE_AFTER, variables: { after } }, keys.sp);
  const afterMissing =
    probe.status === 400 &&
    (probe.json?.errors ?? []).some((e: any) => /"after"/.test(e?.message ?? "") && e?.extensions?.code === "GRAPHQL_VALIDATION_FAILED");
  if (afterMissing) {
    await run("pageDeep", () =>
      measure(
        "deep page (offset)",
        url,
        { query: PAGE_OFFSET, variables: { offset: half } },
        keys.sp,
        hundred(),
        options,
        "offset (no cursor support yet)",
      ),
    );
  } else {
    const keyset: Check = (json) =>
      hundred()(json) ?? (json.data.customers[0].id > after ? null : "the page does not start after the cursor");
    await run("pageDeep", () =>
      measure("deep page (cursor)", url, { query: PAGE_AFTER, variables: { after } }, keys.sp, keyset, options, "cursor"),
    );
  }

  await run("productImprovement", () => measure("PRODUCT_IMPROVEMENT", url, { query: PRODUCT_IMPROVEMENT }, keys.pi, hundred(), options));
  await run("notification", () => measure("NOTIFICATION", url, { query: NOTIFICATION }, keys.no, hundred(), options));
  await run("individualAgreement", () =>
    measure("INDIVIDUAL_AGREEMENT", url, { query: INDIVIDUAL_AGREEMENT }, keys.ia, hundred(), options),
  );
  let winners = 0;
  await run("prizeDelivery", () =>
    measure(
      "PRIZE_DELIVERY",
      url,
      { query: PRIZE_DELIVERY },
      keys.pd,
      (json) => {
        const all = (json?.data?.campaigns ?? []).flatMap((c: any) => c.winners);
        winners = all.length;
        return all.length > 0 && all.every((w: any) => w.customer?.fullName) ? null : "no winner with a name";
      },
      options,
    ).then((l) => ({ ...l, note: `${winners} winners` })),
  );
  await run("dataSubjectRequest", () =>
    measure("DATA_SUBJECT_REQUEST", url, { query: DATA_SUBJECT_REQUEST, variables: { id: requester } }, keys.dsr, one, options),
  );

  const stats = statisticsQueries();
  await run("statsUsage", () =>
    measureStatistics(`statistics serviceUsage (${stats.period})`, url, db, stats.usage, "serviceUsage", options),
  );
  await run("statsCustomers", () => measureStatistics("statistics customers", url, db, stats.customers, "customers", options));
  return rows;
}

// ---- the table -----------------------------------------------------------------------------

export async function benchScaling(baseUrl: string | null, options: ScaleOptions): Promise<ScalingResult> {
  const runs: ScaleRun[] = [];
  const log = (line: string) => console.log(line);
  console.log(`\nScaling: the governed + audited gateway at ${options.scales.map(formatScale).join(" / ")} customers`);
  for (const customers of options.scales) {
    const database = await scaleDatabase(baseUrl, customers, options.reseed);
    let db: DataSource | null = null;
    try {
      console.log(`  ${formatScale(customers)} customers (${database.description})`);
      db = await openDatabase({ url: database.url, poolSize: 4 }); // migrations
      let counts = await countSeeded(db);
      const fresh = !holdsScale(counts, customers);
      const started = Date.now();
      if (fresh) {
        if (counts.customers > 0) {
          if (!baseUrl) throw new Error("an embedded scale database is never partly seeded");
          log(`    the database holds other data (${counts.customers} customers): dropped and seeded again`);
          await db.destroy();
          db = null;
          await dropAndCreate(baseUrl, database.url);
          db = await openDatabase({ url: database.url, poolSize: 4 });
        }
        await seedScale(database.url, customers, log);
      }
      const gateway = await serveGateway(database.url); // production configuration: governed and audited
      try {
        if (fresh) await seedConsents(db, log); // under the policy version the gateway's start put in force
        // facts built by a migration on a reused database are vacuumed as autovacuum soon would
        // (a no-op when they are): questions read them index-only
        await db.query(`VACUUM (ANALYZE) statistics_usage_fact`);
        const seeded: "reused" | number = fresh ? (Date.now() - started) / 1000 : "reused";
        counts = await countSeeded(db);
        if (!holdsScale(counts, customers)) throw new Error(`seeding ${customers} customers gave ${JSON.stringify(counts)}`);
        log(
          `    ${counts.customers} customers, ${counts.usage} usage rows, ${counts.subscriptions} subscriptions, ${counts.entries} campaign entries (${counts.winners} winners), ` +
            `${counts.consents} consents, ${counts.openRequests} open requests — ${seeded === "reused" ? "reused" : `seeded in ${seeded.toFixed(1)} s`}`,
        );
        const rows = await measureScale(gateway.url, db, options, log);
        runs.push({ customers, counts, seeded, rows });
      } finally {
        await gateway.stop();
      }
    } finally {
      await db?.destroy();
      await database.close();
    }
  }
  const growth = printScalingTable(runs);
  return { runs, growth };
}

function formatScale(n: number): string {
  return n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

function printScalingTable(runs: ScaleRun[]): Partial<Record<RowKey, number>> {
  const growth: Partial<Record<RowKey, number>> = {};
  if (!runs.length) return growth;
  const smallest = runs[0];
  const largest = runs[runs.length - 1];
  const ratioLabel = runs.length > 1 ? `${formatScale(largest.customers)}/${formatScale(smallest.customers)}` : "";
  const cell = (l: Latency) => `${l.p50.toFixed(1)} / ${l.p99.toFixed(1)}`;
  const width = 22;
  console.log(`\nScaling table (governed + audited gateway over HTTP, sequential requests; p50 / p99 ms)`);
  console.log(
    `  ${"query".padEnd(54)}${runs.map((r) => formatScale(r.customers).padStart(width)).join("")}${ratioLabel ? ratioLabel.padStart(10) : ""}`,
  );
  for (const row of ROWS) {
    const cells = runs.map((r) => cell(r.rows[row.key]).padStart(width)).join("");
    let ratio = "";
    if (runs.length > 1) {
      growth[row.key] = largest.rows[row.key].p50 / smallest.rows[row.key].p50;
      ratio = `${growth[row.key]!.toFixed(2)}×`.padStart(10);
    }
    console.log(`  ${row.label.padEnd(54)}${cells}${ratio}`);
  }
  const deep = largest.rows.pageDeep.note;
  console.log(
    `  (deep page: ${deep}; ratio = p50 at the largest scale / p50 at the smallest; statistics: fresh answers only, n=${largest.rows.statsUsage.n} and ${largest.rows.statsCustomers.n} at the largest scale)`,
  );
  return growth;
}
