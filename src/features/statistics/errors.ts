import { HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";
import { defineCodes } from "../../kernel/errors/catalogue";

/** 429: the client has used up what it may ask for this period; it may ask again in the next. */
export const PRIVACY_BUDGET_EXHAUSTED_STATUS = 429;

export const StatisticsCodes = defineCodes({
  PRIVACY_BUDGET_EXHAUSTED: {
    status: PRIVACY_BUDGET_EXHAUSTED_STATUS,
    safe: true,
    meaning: "the statistics query would exceed the privacy budget for the period; nothing spent",
  },
});
export const PRIVACY_BUDGET_EXHAUSTED = StatisticsCodes.codes.PRIVACY_BUDGET_EXHAUSTED;

export function budgetExhausted(details: {
  budgetPeriod: string;
  budgetRemaining: number;
  epsilonRequired: number;
  retryAfterSeconds: number;
}): GraphQLError {
  return new GraphQLError(
    `Privacy budget exhausted: this query needs ε = ${details.epsilonRequired}, ${details.budgetRemaining} remain for ${details.budgetPeriod}. Nothing was spent. Repeating an earlier query of this period costs nothing.`,
    {
      extensions: {
        code: PRIVACY_BUDGET_EXHAUSTED,
        http: { status: PRIVACY_BUDGET_EXHAUSTED_STATUS, headers: new HeaderMap([["retry-after", String(details.retryAfterSeconds)]]) },
        budgetPeriod: details.budgetPeriod,
        budgetRemaining: details.budgetRemaining,
        epsilonRequired: details.epsilonRequired,
      },
    },
  );
}
