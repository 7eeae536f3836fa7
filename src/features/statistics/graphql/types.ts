import { GraphQLSafeInt } from "graphql-scalars";
import { Field, Float, Int, InterfaceType, ObjectType } from "type-graphql";
import { Gender } from "../../../kernel/model/gender";
import { AgeBand } from "../dimensions";
import { Public } from "../../../kernel/schema/decorators";

/**
 * The statistics output types. None of them carries an id or any individual-level value:
 * every number is an aggregate over at least k customers, with noise.
 */
@ObjectType({ description: "A bucket's key: the value of each grouped dimension; the others are null." })
@Public()
export class StatisticsKey {
  @Field(() => AgeBand, { nullable: true })
  ageBand: AgeBand | null;

  @Field(() => Gender, { nullable: true })
  gender: Gender | null;

  @Field(() => String, { nullable: true })
  prefecture: string | null;

  @Field(() => String, { nullable: true })
  region: string | null;

  @Field(() => String, { nullable: true, description: '"YYYY-MM"' })
  signupMonth: string | null;

  @Field(() => Int, { nullable: true })
  signupYear: number | null;

  @Field(() => String, { nullable: true })
  service: string | null;

  @Field(() => String, { nullable: true, description: '"YYYY-MM"' })
  usageMonth: string | null;
}

@ObjectType({
  description:
    "Standard errors of a bucket's numbers (answers from a released table): the square root of the variance of the sum of its cells.",
})
@Public()
export class StandardErrors {
  @Field(() => Float, { nullable: true })
  customers: number | null;

  @Field(() => Float, { nullable: true })
  usageCount: number | null;

  @Field(() => Float, { nullable: true })
  amountSum: number | null;
}

@ObjectType({ description: "The released table an answer was summed from (free: no ε spent)." })
@Public()
export class StatisticsReleaseSource {
  @Field({ description: "The release's reference (the privacy officer's `releases show <reference>`); not a person's id." })
  reference: string;

  @Field({ description: "The release plan's name." })
  plan: string;

  @Field(() => Int)
  planVersion: number;

  @Field()
  publishedAt: Date;

  @Field(() => Float, { description: "ε the whole release cost the company budget once." })
  epsilon: number;
}

@ObjectType({ description: "A released bucket of customers." })
@Public()
export class CustomerBucket {
  @Field(() => StatisticsKey)
  key: StatisticsKey;

  @Field(() => Int, { description: "Distinct customers, with differential-privacy noise." })
  customers: number;

  @Field(() => StandardErrors, {
    nullable: true,
    description: "Error bars, for answers from a released table (interactive answers: see noise).",
  })
  standardErrors: StandardErrors | null;
}

@ObjectType({ description: "A released bucket of service usage." })
@Public()
export class UsageBucket {
  @Field(() => StatisticsKey)
  key: StatisticsKey;

  @Field(() => Int, { description: "Distinct customers who used a service, with noise." })
  customers: number;

  @Field(() => Int, { description: "Uses (each customer's uses per bucket clamped to STATS_USAGE_CAP), with noise." })
  usageCount: number;

  @Field(() => GraphQLSafeInt, {
    description: "Amount paid in yen (each customer's amount per bucket clamped to STATS_AMOUNT_CAP), with noise.",
  })
  amountSum: number;

  @Field(() => Int, { nullable: true, description: "Average yen per use: noisy amountSum / noisy usageCount (null when that count is 0)." })
  amountAvg: number | null;

  @Field(() => Int, { nullable: true, description: "Average yen per customer: noisy amountSum / noisy customers." })
  amountPerCustomer: number | null;

  @Field(() => StandardErrors, {
    nullable: true,
    description: "Error bars, for answers from a released table (interactive answers: see noise).",
  })
  standardErrors: StandardErrors | null;
}

@ObjectType({ description: "How noisy a measure is: the ε it was given, its sensitivity and the noise's standard deviation." })
@Public()
export class MeasureNoise {
  @Field({ description: "customers, usageCount or amountSum" })
  measure: string;

  @Field(() => Float)
  epsilon: number;

  @Field(() => Int, { description: "The most one customer can change this measure across the whole answer." })
  sensitivity: number;

  @Field(() => Float)
  standardDeviation: number;
}

@InterfaceType({ description: "What every statistics answer reports besides its buckets: what was withheld and what it cost." })
@Public()
export abstract class StatisticsResult {
  @Field(() => Int, {
    description:
      "Buckets of the grouping not in `buckets`: empty, under minGroupSize, or below the noisy threshold (deliberately indistinguishable).",
  })
  suppressedBuckets: number;

  @Field(() => Int, { description: "How many buckets the grouping can have (its public domain under the filter)." })
  possibleBuckets: number;

  @Field(() => Int, {
    description:
      "k: no bucket of fewer distinct customers is ever released (0 for an answer from a released table: every cell carries noise, none is withheld).",
  })
  minGroupSize: number;

  @Field(() => Int, {
    description: "A bucket is released only when its noisy customer count reaches this (0 for an answer from a released table).",
  })
  releaseThreshold: number;

  @Field(() => Float, { description: "ε this request spent (0 for a question already answered this period, for anyone)." })
  epsilonSpent: number;

  @Field(() => Float, {
    description: "ε the client's organisation can still spend this period (its allocation, within the company's lifetime cap).",
  })
  budgetRemaining: number;

  @Field({ description: 'The budget period, "YYYY-MM", in the store\'s statistics time zone.' })
  budgetPeriod: string;

  @Field({ description: "True when this is the stored answer to the same question asked earlier this period (by any client)." })
  repeated: boolean;

  @Field(() => [MeasureNoise], {
    description: "The noise of an interactive answer (empty for an answer from a released table: see standardErrors).",
  })
  noise: MeasureNoise[];

  @Field(() => StatisticsReleaseSource, { nullable: true, description: "Set when the answer was summed from a released table, free." })
  release: StatisticsReleaseSource | null;
}

@ObjectType({ description: "Customer counts by generalised dimensions (agreement 1.6), anonymised.", implements: StatisticsResult })
@Public()
export class CustomerStatistics extends StatisticsResult {
  @Field(() => [CustomerBucket])
  buckets: CustomerBucket[];
}

@ObjectType({ description: "Service usage by generalised dimensions (agreement 1.6), anonymised.", implements: StatisticsResult })
@Public()
export class UsageStatistics extends StatisticsResult {
  @Field(() => [UsageBucket])
  buckets: UsageBucket[];
}

@ObjectType({ description: "Anonymous statistics (agreement 1.6 and 3.2): aggregates with k-thresholds and differential privacy." })
@Public()
export class Statistics {}
