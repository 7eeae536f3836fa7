import { randomUUID } from "node:crypto";
import type { StatisticsConfig } from "../../../config/statistics";
import type { AggregateReader } from "../../../kernel/store/aggregates";
import type { FeatureDb, FeatureTx } from "../../../kernel/store/feature-db";
import { COLUMN } from "../dimensions";
import { currentMonth } from "../months";
import { secureRandom, type SecureRandom } from "../noise/secure-random";
import { badInput } from "../query";
import { cellId, measureGrouping, type ExactCell } from "./measure";
import { methodOf, type GroupingMethod } from "./plan";
import { publishSql } from "./publish-sql";
import { ReleaseStore, type ReleaseSummary, type StoredCell } from "./release-store";
import { sameBasis, usageFactsBasis } from "../usage-facts";

/** What charges a release to the company's privacy budget (statistics/budget/company-budget.ts). */
export interface ReleaseBudget {
  spendForRelease(tx: FeatureTx, releaseId: string, epsilonMicro: number): Promise<{ period: string }>;
}

export interface ReleasePublisherOptions {
  db: FeatureDb;
  aggregates: AggregateReader;
  config: StatisticsConfig;
  budget: ReleaseBudget;
  rng?: SecureRandom;
  now?: () => Date;
  /** work_mem for each measuring statement (its per-customer facts are hashed in memory) */
  workMem?: string;
  statementTimeoutMs?: number;
}

/**
 * Publishes a release of a plan: one aggregate statement per grouping (exact cells, through
 * the kernel's aggregate road), noise on every cell of every level and least-squares +
 * top-down consistency in Node (measure.ts), then, in one transaction, the charge to the
 * company budget and the stored cells: a release the budget refuses is never stored, and no
 * release is stored unpaid. The exact values live only in this function's memory.
 */
export class ReleasePublisher {
  private readonly store: ReleaseStore;

  constructor(private readonly options: ReleasePublisherOptions) {
    this.store = new ReleaseStore(options.db);
  }

  async publish(planNameOrId: string): Promise<ReleaseSummary> {
    const { config, aggregates, db, budget } = this.options;
    const plan = await this.store.plan(planNameOrId);
    if (!plan) throw badInput(`No release plan ${planNameOrId}.`);
    const period = currentMonth(config.timeZone, this.options.now?.() ?? new Date());
    const method = methodOf(plan, config);
    const started = performance.now();
    const cells: StoredCell[] = [];
    const basis = await usageFactsBasis(db);
    for (const [index, grouping] of method.entries()) {
      // usage from the per-customer facts when they are reckoned as this plan reckons (else from every usage row)
      const usageFacts = sameBasis(basis, { timeZone: config.timeZone, services: grouping.services });
      const { sql, params } = publishSql(grouping, { ...config, period, usageFacts });
      // every cell, small ones too: they get noise, not suppression (README, "Released tables")
      const rows = await aggregates.run<Record<string, unknown>>(sql, params, {
        workMem: this.options.workMem ?? "256MB",
        statementTimeoutMs: this.options.statementTimeoutMs,
      });
      const exact = exactCells(grouping, rows);
      for (const cell of measureGrouping(grouping, exact, this.options.rng ?? secureRandom)) cells.push({ grouping: index, ...cell });
    }
    const measureMs = Math.round(performance.now() - started);
    const id = randomUUID();
    // the charge first: it locks the company budget until this transaction ends, and the
    // release is stored under the period it was charged to
    await db.transaction(async (tx) => {
      const charged = await budget.spendForRelease(tx, id, plan.epsilonMicro);
      // ages were reckoned on the first day of `period`: a release straddling a new period is refused (nothing charged)
      if (charged.period !== period)
        throw new Error(`the budget period turned to ${charged.period} while measuring (${period}): publish again`);
      await this.store.store(
        tx,
        { id, planId: plan.id, period: charged.period, epsilonMicro: plan.epsilonMicro, method, measureMs },
        cells,
      );
    });
    return (await this.store.release(id))!;
  }
}

function exactCells(method: GroupingMethod, rows: ReadonlyArray<Record<string, unknown>>): Map<string, ExactCell> {
  const exact = new Map<string, ExactCell>();
  const { dimensions } = method.grouping;
  for (const row of rows) {
    const key = Object.fromEntries(dimensions.map((d) => [d, String(row[COLUMN[d]])]));
    const cell: ExactCell = { customers: Number(row.customers) };
    if (row.usage_count !== undefined) cell.usageCount = Number(row.usage_count);
    if (row.amount_sum !== undefined) cell.amountSum = Number(row.amount_sum);
    exact.set(cellId(key, dimensions), cell);
  }
  return exact;
}
