import { HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";
import { defineCodes } from "../../kernel/errors/catalogue";

/** 429: the organisation (or the company) has used up what may be released this period. */
export const PRIVACY_BUDGET_EXHAUSTED_STATUS = 429;

export const StatisticsCodes = defineCodes({
  PRIVACY_BUDGET_EXHAUSTED: {
    status: PRIVACY_BUDGET_EXHAUSTED_STATUS,
    safe: true,
    meaning: "the statistics query would exceed the organisation's allocation or the company's privacy budget; nothing spent",
  },
  STATISTICS_NO_ORGANISATION: {
    status: 403,
    safe: true,
    meaning: "the client belongs to no statistics organisation, so it has no share of the privacy budget",
  },
});
export const PRIVACY_BUDGET_EXHAUSTED = StatisticsCodes.codes.PRIVACY_BUDGET_EXHAUSTED;
export const STATISTICS_NO_ORGANISATION = StatisticsCodes.codes.STATISTICS_NO_ORGANISATION;

/**
 * Which cap refused: the organisation's allocation for the period, the company's unallocated
 * part of the period budget (releases), or the lifetime cap over the rolling window.
 */
export type BudgetLimit = "ORGANISATION_ALLOCATION" | "COMPANY_PERIOD_BUDGET" | "LIFETIME_CAP";

export interface BudgetRefusal {
  budgetPeriod: string;
  /** ε that could still be spent now (0 when none): never more than epsilonRequired */
  budgetRemaining: number;
  epsilonRequired: number;
  budgetLimit: BudgetLimit;
  /** until the next period starts in the store's zone (the earliest any cap can free up) */
  retryAfterSeconds: number;
}

export function budgetExhausted(details: BudgetRefusal): GraphQLError {
  const which = {
    ORGANISATION_ALLOCATION: "your organisation's allocation",
    COMPANY_PERIOD_BUDGET: "the company's unallocated budget",
    LIFETIME_CAP: "the company's lifetime cap",
  }[details.budgetLimit];
  return new GraphQLError(
    `Privacy budget exhausted: this query needs ε = ${details.epsilonRequired}; ${which} has ${details.budgetRemaining} left for ${details.budgetPeriod}. Nothing was spent. A question already answered this period costs nothing.`,
    {
      extensions: {
        code: PRIVACY_BUDGET_EXHAUSTED,
        http: { status: PRIVACY_BUDGET_EXHAUSTED_STATUS, headers: new HeaderMap([["retry-after", String(details.retryAfterSeconds)]]) },
        budgetPeriod: details.budgetPeriod,
        budgetRemaining: details.budgetRemaining,
        epsilonRequired: details.epsilonRequired,
        budgetLimit: details.budgetLimit,
        retryAfterSeconds: details.retryAfterSeconds,
      },
    },
  );
}

export function noOrganisation(): GraphQLError {
  return new GraphQLError(
    "This client belongs to no statistics organisation, so it has no share of the privacy budget. The privacy officer assigns it: npm run statistics -- organisations assign-client <client> <organisation>.",
    { extensions: { code: STATISTICS_NO_ORGANISATION, http: { status: 403 } } },
  );
}
