import "reflect-metadata";
import { Command } from "commander";
import { cliSettings, withStore } from "./cli-settings";
import { compose } from "../app/compose";
import { CompanyBudget } from "../features/statistics/budget/company-budget";
import { recordStatisticsZone } from "../features/statistics/budget/period-clock";
import { StatisticsDimension } from "../features/statistics/dimensions";
import { toNumber } from "../features/statistics/noise/rational";
import { validatePlan, type PlanGrouping } from "../features/statistics/releases/plan";
import { ReleasePublisher } from "../features/statistics/releases/publisher";
import { ReleaseStore, type ReleaseSummary, type StoredPlan } from "../features/statistics/releases/release-store";
import type { StatisticsField } from "../features/statistics/query";
import { aggregateReader } from "../kernel/store/aggregates";
import { featureDb, type FeatureDb } from "../kernel/store/feature-db";
import type { Store } from "../db/open-store";

/**
 * `npm run releases -- <command>`: the privacy officer's released tables (statistics).
 *   plans define <name> --epsilon E --grouping customers:AGE_BAND,GENDER,PREFECTURE
 *                       [--grouping serviceUsage:SERVICE,USAGE_MONTH,REGION@2025-07..2026-06[/N] …]
 *                       (/N: a customer counts in at most N cells per level, their most used)
 *   plans list [--json]
 *   publish <plan>          measures the newest version of the plan, charges the company budget, stores it
 *   list [--json]
 *   show <id> [--cells N] [--json]
 */
const settings = cliSettings();
const config = settings.statistics;
const composition = compose();

function statisticsDb(store: Store): FeatureDb {
  return featureDb(store.db, "statistics", composition.registry.tables);
}

/** The store, checked as the gateways do: periods (and ages) in the store's zone, or refused. */
const withStatistics = <T>(work: (store: Store) => Promise<T>) =>
  withStore(settings, async (store) => {
    await recordStatisticsZone(store.db, config.timeZone);
    return work(store);
  });
const withReleases = <T>(work: (releases: ReleaseStore, store: Store) => Promise<T>) =>
  withStatistics((store) => work(new ReleaseStore(statisticsDb(store)), store));

function parseGrouping(text: string): PlanGrouping {
  const match = /^(customers|serviceUsage):([A-Z_,]+)(?:@(\d{4}-\d{2})\.\.(\d{4}-\d{2}))?(?:\/(\d{1,5}))?$/.exec(text.trim());
  if (!match)
    throw new Error(
      `--grouping ${text}: expected field:DIM,DIM[@YYYY-MM..YYYY-MM][/N], e.g. serviceUsage:SERVICE,USAGE_MONTH,REGION@2025-07..2026-06/6`,
    );
  const dimensions = match[2].split(",").filter(Boolean);
  for (const d of dimensions) if (!(d in StatisticsDimension)) throw new Error(`--grouping ${text}: unknown dimension ${d}`);
  return {
    field: match[1] as StatisticsField,
    dimensions: dimensions as StatisticsDimension[],
    ...(match[3] ? { usageMonths: { from: match[3], to: match[4] } } : {}),
    ...(match[5] ? { maxCellsPerCustomer: Number(match[5]) } : {}),
  };
}

function epsilonMicro(text: string): number {
  const match = /^(\d{1,3})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!match) throw new Error(`--epsilon ${text}: a positive decimal with at most 6 decimals`);
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? "").padEnd(6, "0"));
}

const describeGrouping = (g: PlanGrouping) =>
  `${g.field} by ${g.dimensions.join(" × ") || "(total)"}${g.usageMonths ? ` over ${g.usageMonths.from}..${g.usageMonths.to}` : ""}${g.maxCellsPerCustomer ? `, at most ${g.maxCellsPerCustomer} cells per customer` : ""}`;

const printPlan = (p: StoredPlan) =>
  process.stdout.write(
    `${p.id}  ${p.name} v${p.version}  ε ${p.epsilonMicro / 1e6}  defined ${p.definedAt.toISOString()}  releases ${p.releases}\n` +
      p.groupings.map((g, i) => `    ${i}: ${describeGrouping(g)}\n`).join(""),
  );

const printRelease = (r: ReleaseSummary) =>
  process.stdout.write(
    `${r.id}  ${r.plan} v${r.planVersion}  period ${r.period}  ε ${r.epsilonMicro / 1e6}  cells ${r.cells}  measured in ${r.measureMs} ms  published ${r.publishedAt.toISOString()}\n`,
  );

function printMethod(r: ReleaseSummary) {
  r.method.forEach((m, i) => {
    process.stdout.write(`    ${i}: ${describeGrouping(m.grouping)}  (a customer falls into ≤ ${m.cellsPerCustomer} cells per level)\n`);
    for (const measure of m.measures) {
      const levels = measure.levels
        .map((l) => `${l.level} ε ${toNumber(l.epsilon).toPrecision(4)} sd ${Math.sqrt(l.variance).toFixed(2)}`)
        .join(", ");
      process.stdout.write(`       ${measure.measure.padEnd(10)} Δ ${measure.sensitivity}: ${levels}\n`);
    }
  });
}

const program = new Command("releases").description("Release plans and released statistics tables (agreement 1.6 and 3.2).").exitOverride();
const plans = program.command("plans").description("release plans (immutable versions)");

plans
  .command("define <name>")
  .description("define a new version of a release plan")
  .requiredOption("--epsilon <ε>", "ε one release of the plan costs the company budget")
  .requiredOption(
    "--grouping <spec>",
    "field:DIM,DIM[@YYYY-MM..YYYY-MM][/N] (repeatable; /N: at most N cells per customer, usage)",
    (value: string, all: string[] = []) => [...all, value],
  )
  .action(async (name: string, options: { epsilon: string; grouping: string[] }) => {
    const definition = validatePlan(options.grouping.map(parseGrouping), epsilonMicro(options.epsilon), config);
    printPlan(await withReleases((releases) => releases.define(name, definition)));
  });

plans
  .command("list")
  .option("--json", "machine-readable output")
  .action(async (options: { json?: boolean }) => {
    const all = await withReleases((releases) => releases.plans());
    if (options.json) return void process.stdout.write(JSON.stringify(all, null, 2) + "\n");
    all.forEach(printPlan);
  });

program
  .command("publish <plan>")
  .description("publish a release of the newest version of a plan (charges its ε to the company budget)")
  .option("--work-mem <size>", "work_mem for each measuring statement", "256MB")
  .option("--statement-timeout-ms <ms>", "statement timeout for each measuring statement", "600000")
  .option("--json", "machine-readable output")
  .action(async (plan: string, options: { workMem: string; statementTimeoutMs: string; json?: boolean }) => {
    const release = await withStatistics((store) => {
      const db = statisticsDb(store);
      const publisher = new ReleasePublisher({
        db,
        aggregates: aggregateReader(store.db, composition.registry),
        config,
        budget: new CompanyBudget(db),
        workMem: options.workMem,
        statementTimeoutMs: Number(options.statementTimeoutMs),
      });
      return publisher.publish(plan);
    });
    if (options.json) return void process.stdout.write(JSON.stringify(release, null, 2) + "\n");
    printRelease(release);
    printMethod(release);
  });

program
  .command("list")
  .description("published releases, newest first")
  .option("--json", "machine-readable output")
  .action(async (options: { json?: boolean }) => {
    const all = await withReleases((releases) => releases.releases({ first: 1000, offset: 0 }));
    if (options.json) return void process.stdout.write(JSON.stringify(all, null, 2) + "\n");
    all.forEach(printRelease);
  });

program
  .command("show <id>")
  .description("a release: its method (ε and noise per level) and its first cells")
  .option("--cells <n>", "cells to print", "20")
  .option("--json", "machine-readable output")
  .action(async (id: string, options: { cells: string; json?: boolean }) => {
    const found = await withReleases(async (releases) => {
      const release = await releases.release(id);
      return release && { release, cells: await releases.cells(id, { first: Number(options.cells), offset: 0 }) };
    });
    if (!found) throw new Error(`no release ${id}`);
    if (options.json) return void process.stdout.write(JSON.stringify(found, null, 2) + "\n");
    printRelease(found.release);
    printMethod(found.release);
    for (const cell of found.cells) {
      const key = Object.values(cell.key).join(" ");
      const usage = cell.usageCount === undefined ? "" : `  uses ${cell.usageCount}  amount ${cell.amountSum}`;
      process.stdout.write(`    [${cell.grouping}] ${key.padEnd(40)} customers ${cell.customers}${usage}\n`);
    }
  });

program.parseAsync(process.argv).catch((error: Error & { code?: string }) => {
  if (error.code?.startsWith("commander.")) process.exit(error.code === "commander.helpDisplayed" ? 0 : 2);
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
