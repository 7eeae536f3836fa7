import { IsUUID, Max, Min } from "class-validator";
import { Args, ArgsType, Ctx, Field, Float, FieldResolver, ID, Int, ObjectType, Query, Resolver, Root } from "type-graphql";
import { ComplianceRole } from "../../../kernel/caller/roles";
import { AllowedFor } from "../../../kernel/schema/decorators";
import { RequiresRole } from "../../../kernel/schema/requires-role";
import type { GatewayContext } from "../../../kernel/request-context";
import { Purpose } from "../../../kernel/purposes/purpose";
import { toNumber } from "../noise/rational";
import { geographyOf, leafNames, type GroupingMethod } from "../releases/plan";
import { covarianceOf } from "../releases/measure";
import type { ReleaseSummary, StoredCell, StoredPlan } from "../releases/release-store";
import { RELEASE_READER } from "../releases/services";
import { StandardErrors, StatisticsKey } from "./types";
import { toKey } from "./statistics-resolver";

@ObjectType("ReleaseGrouping", { description: "One grouping of a release plan." })
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class ReleaseGroupingView {
  @Field({ description: "customers or serviceUsage" })
  field: string;

  @Field(() => [String])
  dimensions: string[];

  @Field(() => String, { nullable: true, description: '"YYYY-MM..YYYY-MM" (serviceUsage)' })
  usageMonths: string | null;

  @Field(() => Int, {
    nullable: true,
    description: "serviceUsage: a customer counts in at most this many cells per level (their most used); null: all of theirs.",
  })
  maxCellsPerCustomer: number | null;
}

@ObjectType("ReleasePlan", { description: "A release plan version (immutable once defined)." })
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class ReleasePlanView {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field(() => Int)
  version: number;

  @Field(() => Float, { description: "ε one release of this plan costs the company budget." })
  epsilon: number;

  @Field(() => [ReleaseGroupingView])
  groupings: ReleaseGroupingView[];

  @Field()
  definedAt: Date;

  @Field(() => Int, { description: "Releases published from this version." })
  releases: number;
}

@ObjectType("ReleaseLevelNoise", { description: "The noise of one level of a measure's hierarchy." })
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class ReleaseLevelNoiseView {
  @Field({ description: "country, region, prefecture (or cell)" })
  level: string;

  @Field(() => Float)
  epsilon: number;

  @Field(() => Float)
  standardDeviation: number;
}

@ObjectType("ReleaseMeasureNoise", { description: "How a measure of a grouping was measured." })
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class ReleaseMeasureNoiseView {
  @Field()
  measure: string;

  @Field(() => Int, { description: "L1 sensitivity of one level: cells per customer × clamp." })
  sensitivity: number;

  @Field(() => [ReleaseLevelNoiseView])
  levels: ReleaseLevelNoiseView[];
}

@ObjectType("ReleasedGroupingMethod", { description: "A released grouping and how it was measured." })
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class ReleasedGroupingView extends ReleaseGroupingView {
  @Field(() => Int)
  cellsPerCustomer: number;

  @Field(() => [ReleaseMeasureNoiseView])
  measures: ReleaseMeasureNoiseView[];
}

@ObjectType("ReleasedCell", { description: "A released cell: noisy, consistent, non-negative." })
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class ReleasedCellView {
  @Field(() => Int, { description: "Index of the grouping in the plan." })
  grouping: number;

  @Field(() => StatisticsKey)
  key: StatisticsKey;

  @Field(() => Int)
  customers: number;

  @Field(() => Int, { nullable: true })
  usageCount: number | null;

  @Field(() => Float, { nullable: true })
  amountSum: number | null;

  @Field(() => StandardErrors)
  standardErrors: StandardErrors;
}

@ObjectType("StatisticsRelease", { description: "A published release of a plan: what it cost, when, how noisy." })
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class StatisticsReleaseView {
  @Field(() => ID)
  id: string;

  @Field()
  plan: string;

  @Field(() => Int)
  planVersion: number;

  @Field({ description: '"YYYY-MM": the period it answers questions in (ages on its first day).' })
  period: string;

  @Field(() => Float)
  epsilon: number;

  @Field(() => Int)
  cells: number;

  @Field(() => Int, { description: "Milliseconds the measuring took (SQL, noise, consistency)." })
  measureMs: number;

  @Field()
  publishedAt: Date;

  @Field(() => [ReleasedGroupingView])
  groupings: ReleasedGroupingView[];

  method: GroupingMethod[];
}

@ArgsType()
class PageArgs {
  @Field(() => Int, { defaultValue: 100, description: "1 to 1000." })
  @Min(1)
  @Max(1000)
  first: number;

  @Field(() => Int, { defaultValue: 0 })
  @Min(0)
  offset: number;
}

@ArgsType()
class CellArgs extends PageArgs {
  @Field(() => Int, { nullable: true })
  @Min(0)
  grouping?: number;
}

@ArgsType()
class ReleaseArgs {
  @Field(() => ID)
  @IsUUID()
  id: string;
}

/** The privacy officer's view of release plans and releases (compliance road). */
@Resolver(() => StatisticsReleaseView)
export class ReleaseQueries {
  @Query(() => [ReleasePlanView], { description: "Statistics release plans, every version. Privacy officer only." })
  @AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
  @RequiresRole(ComplianceRole.PRIVACY_OFFICER)
  async statisticsReleasePlans(@Ctx() ctx: GatewayContext): Promise<ReleasePlanView[]> {
    return (await ctx.service(RELEASE_READER).plans()).map(toPlanView);
  }

  @Query(() => [StatisticsReleaseView], { description: "Published statistics releases, newest first. Privacy officer only." })
  @AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
  @RequiresRole(ComplianceRole.PRIVACY_OFFICER)
  async statisticsReleases(@Args() page: PageArgs, @Ctx() ctx: GatewayContext): Promise<StatisticsReleaseView[]> {
    return (await ctx.service(RELEASE_READER).releases(page)).map(toReleaseView);
  }

  @Query(() => StatisticsReleaseView, { nullable: true, description: "One statistics release. Privacy officer only." })
  @AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
  @RequiresRole(ComplianceRole.PRIVACY_OFFICER)
  async statisticsRelease(@Args() { id }: ReleaseArgs, @Ctx() ctx: GatewayContext): Promise<StatisticsReleaseView | null> {
    const release = await ctx.service(RELEASE_READER).release(id);
    return release && toReleaseView(release);
  }

  @FieldResolver(() => [ReleasedCellView], { description: "The release's cells, in domain order, with each cell's standard error." })
  async releasedCells(
    @Root() release: StatisticsReleaseView,
    @Args() args: CellArgs,
    @Ctx() ctx: GatewayContext,
  ): Promise<ReleasedCellView[]> {
    const cells = await ctx.service(RELEASE_READER).cells(release.id, args);
    return cells.map((cell) => toCellView(cell, release.method[cell.grouping]));
  }
}

const usageMonthsOf = (g: { usageMonths?: { from: string; to: string } }) =>
  g.usageMonths ? `${g.usageMonths.from}..${g.usageMonths.to}` : null;

function toPlanView(plan: StoredPlan): ReleasePlanView {
  return Object.assign(new ReleasePlanView(), {
    ...plan,
    epsilon: plan.epsilonMicro / 1e6,
    groupings: plan.groupings.map((g) =>
      Object.assign(new ReleaseGroupingView(), {
        field: g.field,
        dimensions: g.dimensions,
        usageMonths: usageMonthsOf(g),
        maxCellsPerCustomer: g.maxCellsPerCustomer ?? null,
      }),
    ),
  });
}

export function toReleaseView(release: ReleaseSummary): StatisticsReleaseView {
  return Object.assign(new StatisticsReleaseView(), {
    ...release,
    epsilon: release.epsilonMicro / 1e6,
    groupings: release.method.map((m) =>
      Object.assign(new ReleasedGroupingView(), {
        field: m.grouping.field,
        dimensions: m.grouping.dimensions,
        usageMonths: usageMonthsOf(m.grouping),
        maxCellsPerCustomer: m.grouping.maxCellsPerCustomer ?? null,
        cellsPerCustomer: m.cellsPerCustomer,
        measures: m.measures.map((measure) => ({
          measure: measure.measure,
          sensitivity: measure.sensitivity,
          levels: measure.levels.map((l) => ({ level: l.level, epsilon: toNumber(l.epsilon), standardDeviation: Math.sqrt(l.variance) })),
        })),
      }),
    ),
  });
}

/** A cell's standard error: √C_ii of its leaf in its tree's least-squares covariance. */
export function cellStandardErrors(cell: StoredCell, method: GroupingMethod): StandardErrors {
  const geography = geographyOf(method.grouping);
  const leaf = geography ? leafNames(geography).indexOf(cell.key[geography]!) : 0;
  const se = (measure: "customers" | "usageCount" | "amountSum") =>
    method.measures.some((m) => m.measure === measure)
      ? Math.round(Math.sqrt(covarianceOf(method, measure)[leaf][leaf]) * 100) / 100
      : null;
  return Object.assign(new StandardErrors(), { customers: se("customers"), usageCount: se("usageCount"), amountSum: se("amountSum") });
}

function toCellView(cell: StoredCell, method: GroupingMethod): ReleasedCellView {
  return Object.assign(new ReleasedCellView(), {
    grouping: cell.grouping,
    key: toKey(cell.key),
    customers: cell.customers,
    usageCount: cell.usageCount ?? null,
    amountSum: cell.amountSum ?? null,
    standardErrors: cellStandardErrors(cell, method),
  });
}
