import { Max, Min, Matches } from "class-validator";
import { Args, ArgsType, Ctx, Field, Float, ID, Int, ObjectType, Query, Resolver } from "type-graphql";
import { ComplianceRole } from "../../../kernel/caller/roles";
import { Purpose } from "../../../kernel/purposes/purpose";
import type { GatewayContext } from "../../../kernel/request-context";
import { AllowedFor } from "../../../kernel/schema/decorators";
import { RequiresRole } from "../../../kernel/schema/requires-role";
import type { AnsweredQuestion } from "../budget/answer-book";
import type { CompanyBudgetState, OrganisationBudget } from "../budget/company-budget";
import { STATISTICS_OFFICE } from "../services";

const epsilon = (micro: number) => micro / 1_000_000;

@ObjectType("StatisticsOrganisation", {
  description: "An organisation receiving statistics: its allocation of the company budget and its spending this period.",
})
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class StatisticsOrganisationView {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field({ description: "recipient (a third party) or internal (a team)." })
  kind: string;

  @Field(() => Float, { description: "ε per period its clients share." })
  allocation: number;

  @Field(() => Float, { description: "ε its clients spent this period." })
  spent: number;

  @Field(() => Float, { description: "ε it can still spend now (its allocation left, within the lifetime cap)." })
  remaining: number;

  @Field(() => Int, { description: "API clients that belong to it." })
  clients: number;
}

@ObjectType("StatisticsBudget", {
  description: "The company's privacy budget per data subject: caps, spending, and each organisation's share.",
})
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class StatisticsBudgetView {
  @Field({ description: "The zone periods are reckoned in (the store's)." })
  timeZone: string;

  @Field({ description: 'The current period, "YYYY-MM".' })
  period: string;

  @Field(() => Float, { description: "ε the company may release per period (allocations plus releases)." })
  periodBudget: number;

  @Field(() => Float, { description: "ε the company may release over the rolling window." })
  lifetimeCap: number;

  @Field(() => Int, { description: "Periods the lifetime cap covers (this one and those before)." })
  windowPeriods: number;

  @Field({ description: "First period of the window." })
  windowStart: string;

  @Field(() => Float, { description: "Σ over organisations of max(allocation, spent this period)." })
  allocated: number;

  @Field(() => Float, { description: "ε organisations spent this period (interactive answers)." })
  interactiveSpent: number;

  @Field(() => Float, { description: "ε releases spent this period." })
  releaseSpent: number;

  @Field(() => Float, { description: "ε spent over the window, by everyone." })
  windowSpent: number;

  @Field(() => Float, { description: "ε a release could still spend now." })
  releaseRemaining: number;

  @Field(() => Float, { description: "ε left under the lifetime cap." })
  lifetimeRemaining: number;

  @Field(() => [StatisticsOrganisationView])
  organisations: StatisticsOrganisationView[];
}

@ObjectType("StatisticsAnswerRecord", {
  description: "An interactive statistics answer released: the question, who asked it first, its ε and when.",
})
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class StatisticsAnswerView {
  @Field()
  period: string;

  @Field({ description: "The canonical question (JSON): field, grouping, filter, measures and privacy parameters." })
  question: string;

  @Field({ description: "The organisation charged." })
  organisation: string;

  @Field({ description: "The client that asked first." })
  client: string;

  @Field(() => Float)
  epsilon: number;

  @Field()
  askedAt: Date;

  @Field(() => Date, { nullable: true })
  releasedAt: Date | null;
}

@ArgsType()
class StatisticsAnswersArgs {
  @Field(() => String, { nullable: true, description: 'Only this period ("YYYY-MM").' })
  @Matches(/^[0-9]{4}-(0[1-9]|1[0-2])$/)
  period?: string;

  @Field(() => Int, { defaultValue: 50, description: "How many, newest first: 1 to 500." })
  @Min(1)
  @Max(500)
  first: number;
}

/** The privacy officer's view of the statistics budget: DATA_SUBJECT_REQUEST plus the PRIVACY_OFFICER role. */
@Resolver()
export class StatisticsOfficerQueries {
  @Query(() => StatisticsBudgetView, {
    description: "The company's statistics privacy budget and each organisation's share. Privacy officer only.",
  })
  @AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
  @RequiresRole(ComplianceRole.PRIVACY_OFFICER)
  async statisticsBudget(@Ctx() ctx: GatewayContext): Promise<StatisticsBudgetView> {
    const office = ctx.service(STATISTICS_OFFICE);
    const [state, organisations] = await Promise.all([office.budget.state(), office.budget.organisations()]);
    return toBudgetView(state, organisations);
  }

  @Query(() => [StatisticsAnswerView], { description: "Interactive statistics answers released, newest first. Privacy officer only." })
  @AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
  @RequiresRole(ComplianceRole.PRIVACY_OFFICER)
  async statisticsAnswers(@Args() args: StatisticsAnswersArgs, @Ctx() ctx: GatewayContext): Promise<StatisticsAnswerView[]> {
    const answers = await ctx.service(STATISTICS_OFFICE).answers.list({ period: args.period ?? null, first: args.first });
    return answers.map(toAnswerView);
  }
}

function toBudgetView(state: CompanyBudgetState, organisations: OrganisationBudget[]): StatisticsBudgetView {
  return Object.assign(new StatisticsBudgetView(), {
    timeZone: state.timeZone,
    period: state.period,
    periodBudget: epsilon(state.periodBudgetMicro),
    lifetimeCap: epsilon(state.lifetimeCapMicro),
    windowPeriods: state.windowPeriods,
    windowStart: state.windowStart,
    allocated: epsilon(state.committedMicro),
    interactiveSpent: epsilon(state.interactiveSpentMicro),
    releaseSpent: epsilon(state.releaseSpentMicro),
    windowSpent: epsilon(state.windowSpentMicro),
    releaseRemaining: epsilon(state.releaseRemainingMicro),
    lifetimeRemaining: epsilon(state.lifetimeRemainingMicro),
    organisations: organisations.map((o) =>
      Object.assign(new StatisticsOrganisationView(), {
        id: o.id,
        name: o.name,
        kind: o.kind,
        allocation: epsilon(o.allocationMicro),
        spent: epsilon(o.spentMicro),
        remaining: epsilon(o.remainingMicro),
        clients: o.clients,
      }),
    ),
  });
}

function toAnswerView(a: AnsweredQuestion): StatisticsAnswerView {
  return Object.assign(new StatisticsAnswerView(), {
    period: a.period,
    question: JSON.stringify(a.canonical),
    organisation: a.organisation,
    client: a.client,
    epsilon: epsilon(a.epsilonMicro),
    askedAt: a.askedAt,
    releasedAt: a.releasedAt,
  });
}
