import { Gauge } from "prom-client";
import type { FeatureDb } from "../../../kernel/store/feature-db";
import { registry } from "../../../observability/metrics";

/**
 * Releases are published by the CLI (another process), so the gateway reports them from the
 * store at each scrape: one small statement over the newest release of each plan.
 */
let source: FeatureDb | null = null;
let latest: Promise<Array<{ plan: string; cells: number; epsilon: number; seconds: number; period_epsilon: number }>> | null = null;

async function newest() {
  if (!source) return [];
  const rows = await source.query(
    `SELECT DISTINCT ON (p.name) p.name AS plan, r.cells, r.epsilon_micro / 1e6 AS epsilon, r.measure_ms / 1e3 AS seconds,
            (SELECT coalesce(sum(x.epsilon_micro), 0) / 1e6 FROM statistics_published_release x JOIN statistics_release_plan y ON y.id = x.plan_id
              WHERE y.name = p.name AND x.period = r.period) AS period_epsilon
       FROM statistics_published_release r JOIN statistics_release_plan p ON p.id = r.plan_id
      ORDER BY p.name, r.published_at DESC`,
  );
  return rows.map((r: any) => ({
    plan: r.plan,
    cells: Number(r.cells),
    epsilon: Number(r.epsilon),
    seconds: Number(r.seconds),
    period_epsilon: Number(r.period_epsilon),
  }));
}

/** One read per scrape, shared by the gauges below. */
function read() {
  if (!latest) {
    latest = newest().catch(() => []);
    setImmediate(() => (latest = null));
  }
  return latest;
}

const gauge = (name: string, help: string, pick: (row: Awaited<ReturnType<typeof newest>>[number]) => number) =>
  new Gauge({
    name,
    help,
    labelNames: ["plan"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await read()) this.set({ plan: row.plan }, pick(row));
    },
  });

gauge("pgw_statistics_release_cells", "Cells of the newest release of each plan.", (r) => r.cells);
gauge("pgw_statistics_release_epsilon", "ε the newest release of each plan cost the company budget.", (r) => r.epsilon);
gauge("pgw_statistics_release_period_epsilon", "ε spent by releases of each plan in the newest release's period.", (r) => r.period_epsilon);
gauge(
  "pgw_statistics_release_publish_seconds",
  "Seconds the newest release of each plan took to measure (SQL, noise, consistency).",
  (r) => r.seconds,
);

export function reportReleasesFrom(db: FeatureDb): void {
  source = db;
}
