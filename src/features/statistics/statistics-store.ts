import { createHash } from "node:crypto";
import type { AggregateReader } from "../../kernel/store/aggregates";
import type { FeatureDb } from "../../kernel/store/feature-db";
import type { Caller } from "../../kernel/gate/governance-input";
import { microToNumber, type StatisticsConfig } from "../../config/statistics";
import { budgetExhausted } from "./errors";
import { PrivacyLedger, type StoredRelease } from "./ledger";
import { measuresFor, noiseReport, planMechanism, releaseBuckets, type MechanismPlan } from "./mechanism";
import { statisticsAnswersTotal } from "./metrics";
import { currentMonth, secondsUntilNextMonth } from "./months";
import { secureRandom, type SecureRandom } from "./noise/secure-random";
import { normaliseRequest, type StatisticsQuery, type StatisticsRequest } from "./query";
import { buildAggregateSql, type AggregatePlan, type BuiltSql } from "./sql";
import { ReleaseAnswers, type ReleaseSource } from "./releases/release-answers";

/** A statistics answer as the API returns it. */
export interface StatisticsAnswer extends StoredRelease {
  suppressedBuckets: number;
  epsilonSpent: number;
  budgetRemaining: number;
  budgetPeriod: string;
  repeated: boolean;
  /** set when answered from a released table (free) */
  release?: ReleaseSource;
}

export interface StatisticsStoreOptions {
  db: FeatureDb;
  /** the kernel's road for aggregates over customers' rows */
  aggregates: AggregateReader;
  caller: Caller;
  config: StatisticsConfig;
  /** counts the aggregate statement (the one statement per field that reads personal data) */
  countStatement: () => void;
  rng?: SecureRandom;
  now?: () => Date;
}

/**
 * Answers statistics for one client: validate → canonical form → repeat? (same answer, free)
 * → spend ε atomically (or refuse, spending nothing) → one aggregate statement in PostgreSQL
 * → noise and noisy threshold in Node → keep the answer for repeats.
 */
export class StatisticsStore {
  private readonly ledger: PrivacyLedger;
  private readonly releases: ReleaseAnswers;

  constructor(private readonly options: StatisticsStoreOptions) {
    this.ledger = new PrivacyLedger(options.db);
    this.releases = new ReleaseAnswers(options.db, options.config);
  }

  async answer(request: StatisticsRequest, selectedFields: ReadonlySet<string>): Promise<StatisticsAnswer> {
    const { config, caller } = this.options;
    const query = normaliseRequest(request, config);
    const plan = planMechanism(query, measuresFor(query.field, selectedFields), config);
    const period = currentMonth(config.timeZone, this.options.now?.() ?? new Date());
    const canonical = canonicalForm(query, plan, config);
    const hash = createHash("sha256").update(JSON.stringify(canonical)).digest("hex");

    const { release: earlier, spentMicro } = await this.ledger.lookup(caller.id, period, hash);
    const remaining = (spent: number) => microToNumber(config.budgetMicro - spent);
    // answerable from a released table? then answered from it, free (releases/)
    const released = query.possibleBuckets > 0 ? await this.releases.answer(query, period) : null;
    if (released) {
      statisticsAnswersTotal.inc({ field: query.field, outcome: "from-release" });
      return present(released, { epsilonSpent: 0, budgetRemaining: remaining(spentMicro), budgetPeriod: period, repeated: false });
    }
    if (earlier) {
      statisticsAnswersTotal.inc({ field: query.field, outcome: "repeated" });
      return present(earlier, { epsilonSpent: 0, budgetRemaining: remaining(spentMicro), budgetPeriod: period, repeated: true });
    }
    if (query.possibleBuckets === 0) {
      // the filter selects nobody whatever the data: nothing to compute, nothing to spend
      const empty: StoredRelease = { buckets: [], possibleBuckets: 0, ...publicParameters(plan), epsilonMicro: 0 };
      return present(empty, { epsilonSpent: 0, budgetRemaining: remaining(spentMicro), budgetPeriod: period, repeated: false });
    }

    const spent = await this.ledger.spend(caller.id, period, config.epsilonMicro, config.budgetMicro);
    if (spent === null) {
      statisticsAnswersTotal.inc({ field: query.field, outcome: "refused" });
      throw budgetExhausted({
        budgetPeriod: period,
        budgetRemaining: Math.max(0, remaining(spentMicro)),
        epsilonRequired: microToNumber(config.epsilonMicro),
        retryAfterSeconds: secondsUntilNextMonth(config.timeZone),
      });
    }

    const { sql, params } = this.aggregateSql(query, plan, period);
    this.options.countStatement();
    // through the kernel's aggregate road: every row it returns counts at least k customers
    const rows = await this.options.aggregates.run<Record<string, unknown>>(sql, params, { minGroupSize: config.minGroupSize });
    const release: StoredRelease = {
      buckets: releaseBuckets(rows, query, plan, this.options.rng ?? secureRandom),
      possibleBuckets: query.possibleBuckets,
      ...publicParameters(plan),
      epsilonMicro: config.epsilonMicro,
    };
    const kept = await this.ledger.record(caller.id, period, hash, canonical, release);
    statisticsAnswersTotal.inc({ field: query.field, outcome: "released" });
    return present(kept, { epsilonSpent: microToNumber(config.epsilonMicro), budgetRemaining: remaining(spent), budgetPeriod: period, repeated: false });
  }

  /** The statement a query runs (exported for the benchmark's direct-SQL baseline). */
  aggregateSql(query: StatisticsQuery, plan: MechanismPlan, period: string): BuiltSql {
    return buildAggregateSql(aggregatePlan(query, plan, this.options.config, period));
  }
}

export function aggregatePlan(query: StatisticsQuery, plan: MechanismPlan, config: StatisticsConfig, period: string): AggregatePlan {
  return {
    query,
    measures: plan.measures,
    minGroupSize: config.minGroupSize,
    amountCap: config.amountCap,
    usageCap: config.usageCap,
    bucketsPerCustomer: plan.bucketsPerCustomer,
    services: config.services,
    timeZone: config.timeZone,
    period,
  };
}

function publicParameters(plan: MechanismPlan) {
  return { minGroupSize: plan.minGroupSize, releaseThreshold: plan.releaseThreshold, noise: noiseReport(plan) };
}

/**
 * Withheld buckets are counted from public facts only: the size of the grouping's public
 * domain minus what was released. An empty bucket, one under k and one that missed the noisy
 * threshold all count the same, so the number says nothing about any withheld bucket.
 */
function present(release: StoredRelease, meta: Omit<StatisticsAnswer, keyof StoredRelease | "suppressedBuckets" | "release">): StatisticsAnswer {
  return { ...release, suppressedBuckets: release.possibleBuckets - release.buckets.length, ...meta };
}

/** Everything that determines an answer, in a fixed shape: equal forms get the same answer. */
export function canonicalForm(query: StatisticsQuery, plan: MechanismPlan, config: StatisticsConfig) {
  return {
    version: 1,
    field: query.field,
    groupBy: query.groupBy,
    filter: query.filter,
    measures: plan.measures,
    privacy: {
      minGroupSize: config.minGroupSize,
      epsilonMicro: config.epsilonMicro,
      delta: config.delta,
      amountCap: config.amountCap,
      usageCap: config.usageCap,
      bucketsPerCustomer: plan.bucketsPerCustomer,
    },
    services: config.services,
    timeZone: config.timeZone,
  };
}
