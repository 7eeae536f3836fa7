import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, Info, Query, Resolver } from "type-graphql";
import type { GatewayContext } from "../../../kernel/request-context";
import { AllowedFor } from "../../../kernel/schema/decorators";
import { Purpose } from "../../../kernel/purposes/purpose";
import { StatisticsDimension } from "../dimensions";
import type { ReleasedBucket } from "../mechanism";
import type { StatisticsField } from "../query";
import { STATISTICS } from "../services";
import type { StatisticsAnswer } from "../statistics-store";
import { CustomerStatisticsFilter, UsageStatisticsFilter } from "./inputs";
import { selectedBucketFields } from "./selection";
import { CustomerStatistics, StandardErrors, Statistics, StatisticsKey, UsageStatistics, type UsageBucket } from "./types";

/**
 * `statistics` is the only root field a USAGE_STATISTICS client may reach (governance rule
 * statistics-only). Each field below is one query: one aggregate statement, ε spent once.
 */
@Resolver(() => Statistics)
export class StatisticsResolver {
  @Query(() => Statistics, {
    description: "Anonymous statistics (agreement 1.6 and 3.2). Declare @purpose(name: USAGE_STATISTICS).",
  })
  @AllowedFor(Purpose.USAGE_STATISTICS)
  async statistics(@Ctx() ctx: GatewayContext): Promise<Statistics> {
    // refuses unless the gate opened data for USAGE_STATISTICS, and a client of no organisation
    await ctx.service(STATISTICS).organisation();
    return new Statistics();
  }

  // Each field is nullable: one refused for budget is null with its error, the others answered.
  @FieldResolver(() => CustomerStatistics, {
    nullable: true,
    description: "Distinct customers by generalised dimensions (null with an error when refused).",
  })
  async customers(
    @Arg("groupBy", () => [StatisticsDimension], { defaultValue: [] }) groupBy: StatisticsDimension[],
    @Arg("filter", () => CustomerStatisticsFilter, { nullable: true }) filter: CustomerStatisticsFilter | undefined,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<CustomerStatistics> {
    const answer = await this.answer("customers", groupBy, filter, ctx, info);
    return Object.assign(new CustomerStatistics(), answer, {
      buckets: answer.buckets.map((b) => ({ key: toKey(b.key), customers: b.customers, standardErrors: toErrors(b) })),
      release: answer.release ?? null,
    });
  }

  @FieldResolver(() => UsageStatistics, {
    nullable: true,
    description: "Service usage (customers, uses, amounts) by generalised dimensions (null with an error when refused).",
  })
  async serviceUsage(
    @Arg("groupBy", () => [StatisticsDimension], { defaultValue: [] }) groupBy: StatisticsDimension[],
    @Arg("filter", () => UsageStatisticsFilter, { nullable: true }) filter: UsageStatisticsFilter | undefined,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<UsageStatistics> {
    const answer = await this.answer("serviceUsage", groupBy, filter, ctx, info);
    return Object.assign(new UsageStatistics(), answer, { buckets: answer.buckets.map(toUsageBucket), release: answer.release ?? null });
  }

  private answer(
    field: StatisticsField,
    groupBy: StatisticsDimension[],
    filter: CustomerStatisticsFilter | UsageStatisticsFilter | undefined,
    ctx: GatewayContext,
    info: GraphQLResolveInfo,
  ): Promise<StatisticsAnswer> {
    return ctx.service(STATISTICS).answer({ field, groupBy, filter: filter ?? null }, selectedBucketFields(info));
  }
}

export function toKey(key: ReleasedBucket["key"]): StatisticsKey {
  return Object.assign(new StatisticsKey(), {
    ageBand: key.AGE_BAND ?? null,
    gender: key.GENDER ?? null,
    prefecture: key.PREFECTURE ?? null,
    region: key.REGION ?? null,
    signupMonth: key.SIGNUP_MONTH ?? null,
    signupYear: key.SIGNUP_YEAR ? Number(key.SIGNUP_YEAR) : null,
    service: key.SERVICE ?? null,
    usageMonth: key.USAGE_MONTH ?? null,
  });
}

/** Averages are post-processing of the noisy sums and counts (no extra privacy cost). */
function toUsageBucket(bucket: ReleasedBucket): UsageBucket {
  const { usageCount, amountSum, customers } = bucket;
  return {
    key: toKey(bucket.key),
    customers,
    usageCount: usageCount as number,
    amountSum: amountSum as number,
    amountAvg: amountSum !== undefined && usageCount ? Math.round(amountSum / usageCount) : null,
    amountPerCustomer: amountSum !== undefined && customers > 0 ? Math.round(amountSum / customers) : null,
    standardErrors: toErrors(bucket),
  };
}

function toErrors(bucket: ReleasedBucket): StandardErrors | null {
  const errors = bucket.standardErrors;
  if (!errors) return null;
  return Object.assign(new StandardErrors(), {
    customers: errors.customers ?? null,
    usageCount: errors.usageCount ?? null,
    amountSum: errors.amountSum ?? null,
  });
}
