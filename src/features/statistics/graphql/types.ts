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

@ObjectType({ description: "A released bucket of customers." })
@Public()
export class CustomerBucket {
  @Field(() => StatisticsKey)
  key: StatisticsKey;

  @Field(() => Int, { description: "Distinct customers, with differential-privacy noise." })
  customers: number;
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

  @Field(() => GraphQLSafeInt, { description: "Amount paid in yen (each customer's amount per bucket clamped to STATS_AMOUNT_CAP), with noise." })
  amountSum: number;

  @Field(() => Int, { nullable: true, description: "Average yen per use: noisy amountSum / noisy usageCount (null when that count is 0)." })
  amountAvg: number | null;

  @Field(() => Int, { nullable: true, description: "Average yen per customer: noisy amountSum / noisy customers." })
  amountPerCustomer: number | null;
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

  @Field(() => Int, { description: "k: no bucket of fewer distinct customers is ever released." })
  minGroupSize: number;

  @Field(() => Int, { description: "A bucket is released only when its noisy customer count reaches this." })
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

  @Field(() => [MeasureNoise])
  noise: MeasureNoise[];
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
