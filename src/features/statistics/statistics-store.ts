import { createHash } from "node:crypto";
import type { AggregateReader } from "../../kernel/store/aggregates";
import type { FeatureDb } from "../../kernel/store/feature-db";
import type { Caller } from "../../kernel/gate/governance-input";
import { microToNumber, type StatisticsConfig } from "../../config/statistics";
import { AnswerBook, type StoredRelease } from "./budget/answer-book";
import { CompanyBudget } from "./budget/company-budget";
import { Organisations, type Organisation } from "./budget/organisations";
import { noOrganisation } from "./errors";
import { measuresFor, noiseReport, planMechanism, releaseBuckets, type MechanismPlan } from "./mechanism";
import { statisticsAnswersTotal } from "./metrics";
import { secureRandom, type SecureRandom } from "./noise/secure-random";
import { normaliseRequest, type StatisticsQuery, type StatisticsRequest } from "./query";
import { buildAggregateSql, type AggregatePlan, type BuiltSql } from "./sql";
import { ReleaseAnswers, type ReleaseSource } from "./releases/release-answers";
import { sameBasis, usageFactsBasis } from "./usage-facts";

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
}

/** How often a second asker looks whether the first asker's answer is stored, and for how long. */
const WAIT_POLL_MS = 20;
const WAIT_LIMIT_MS = 180_000; // longer than a claim takes to count as abandoned

/**
 * Answers statistics for one client, on behalf of its organisation: validate → canonical form
 * → already answered this period, by anyone? (same answer, free) → claim the question (or wait
 * for whoever claimed it first) → charge ε to the organisation's allocation atomically (or
 * refuse, spending nothing) → one aggregate statement in PostgreSQL → noise and noisy
 * threshold in Node → store the answer for everyone.
 */
export class StatisticsStore {
  private readonly budget: CompanyBudget;
  private readonly book: AnswerBook;
  private readonly releases: ReleaseAnswers;
  private organisationOf: Promise<Organisation> | null = null;

  constructor(private readonly options: StatisticsStoreOptions) {
    this.budget = new CompanyBudget(options.db);
    this.book = new AnswerBook(options.db);
    this.releases = new ReleaseAnswers(options.db, options.config);
  }

  /** The caller's organisation; refuses (STATISTICS_NO_ORGANISATION) a client without one. */
  organisation(): Promise<Organisation> {
    this.organisationOf ??= new Organisations(this.options.db).ofClient(this.options.caller.id).then((organisation) => {
      if (!organisation) throw noOrganisation();
      return organisation;
    });
    return this.organisationOf;
  }

  async answer(request: StatisticsRequest, selectedFields: ReadonlySet<string>): Promise<StatisticsAnswer> {
    const { config, caller } = this.options;
    const organisation = await this.organisation();
    const query = normaliseRequest(request, config);
    const plan = planMechanism(query, measuresFor(query.field, selectedFields), config);
    const period = await this.budget.currentPeriod();
    const canonical = canonicalForm(query, plan, config);
    const hash = createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
    const remaining = async () => microToNumber((await this.budget.organisationRemaining(organisation.id)).remainingMicro);

    // answerable from a released table? then answered from it, free (releases/)
    const released = query.possibleBuckets > 0 ? await this.releases.answer(query, period) : null;
    if (released) {
      statisticsAnswersTotal.inc({ field: query.field, outcome: "from-release" });
      return present(released, { epsilonSpent: 0, budgetRemaining: await remaining(), budgetPeriod: period, repeated: false });
    }
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const earlier = await this.book.find(period, hash);
      if (earlier && earlier !== "pending") {
        statisticsAnswersTotal.inc({ field: query.field, outcome: "repeated" });
        return present(earlier, { epsilonSpent: 0, budgetRemaining: await remaining(), budgetPeriod: period, repeated: true });
      }
      if (query.possibleBuckets === 0) {
        // the filter selects nobody whatever the data: nothing to compute, nothing to spend
        const empty: StoredRelease = { buckets: [], possibleBuckets: 0, ...publicParameters(plan), epsilonMicro: 0 };
        return present(empty, { epsilonSpent: 0, budgetRemaining: await remaining(), budgetPeriod: period, repeated: false });
      }
      // the first asker claims it; a pending claim is taken over only once abandoned (answer-book.ts)
      if (await this.book.claim(period, hash, canonical, config.epsilonMicro, { organisationId: organisation.id, clientId: caller.id }))
        break;
      // someone else is computing this very question: wait for their answer (never a second one)
      if (Date.now() > deadline) throw new Error("timed out waiting for a concurrent identical statistics question to be answered");
      await sleep(WAIT_POLL_MS);
    }

    let charged: { period: string; remainingMicro: number };
    try {
      charged = await this.budget.spendForOrganisation(organisation.id, config.epsilonMicro);
    } catch (refusal) {
      await this.book.abandon(period, hash);
      statisticsAnswersTotal.inc({ field: query.field, outcome: "refused" });
      throw refusal;
    }
    try {
      // usage from the per-customer facts when they are reckoned as this gateway reckons (else from every usage row)
      const usageFacts =
        query.field === "serviceUsage" &&
        sameBasis(await usageFactsBasis(this.options.db), { timeZone: config.timeZone, services: config.services });
      const { sql, params, mergeJoins } = this.aggregateSql(query, plan, period, usageFacts);
      this.options.countStatement();
      // through the kernel's aggregate road: every row it returns counts at least k customers
      const rows = await this.options.aggregates.run<Record<string, unknown>>(sql, params, {
        minGroupSize: config.minGroupSize,
        workMem: AGGREGATE_WORK_MEM,
        mergeJoins,
      });
      const release: StoredRelease = {
        buckets: releaseBuckets(rows, query, plan, this.options.rng ?? secureRandom),
        possibleBuckets: query.possibleBuckets,
        ...publicParameters(plan),
        epsilonMicro: config.epsilonMicro,
      };
      await this.book.complete(period, hash, release);
      statisticsAnswersTotal.inc({ field: query.field, outcome: "released" });
      return present(release, {
        epsilonSpent: microToNumber(config.epsilonMicro),
        budgetRemaining: microToNumber(Math.max(0, charged.remainingMicro)),
        budgetPeriod: period,
        repeated: false,
      });
    } catch (error) {
      // ε stays spent (fail closed); the question may be asked again
      await this.book.abandon(period, hash);
      throw error;
    }
  }

  /** The statement a query runs (exported for the benchmark's direct-SQL baseline). */
  aggregateSql(query: StatisticsQuery, plan: MechanismPlan, period: string, usageFacts = true): BuiltSql {
    return buildAggregateSql(aggregatePlan(query, plan, this.options.config, period, usageFacts));
  }
}

/**
 * Memory for an answer's sorts and hashes, for its statement only (with JIT off, whose
 * compile time, a second and more at 1,000,000 customers, never paid off on these plans):
 * the per-customer buckets of usage grouped by a customer dimension are hashed, millions
 * of them at that size, and would spill to disk with the server's default.
 */
export const AGGREGATE_WORK_MEM = "64MB";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function aggregatePlan(
  query: StatisticsQuery,
  plan: MechanismPlan,
  config: StatisticsConfig,
  period: string,
  usageFacts = true,
): AggregatePlan {
  return {
    usageFacts,
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
function present(
  release: StoredRelease,
  meta: Omit<StatisticsAnswer, keyof StoredRelease | "suppressedBuckets" | "release">,
): StatisticsAnswer {
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
