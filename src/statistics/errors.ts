import { HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";
import { registerStatus } from "../governance/errors";
import { allowSafeErrorCode } from "../server/format-error";

export const PRIVACY_BUDGET_EXHAUSTED = "PRIVACY_BUDGET_EXHAUSTED";
/** 429: the client has used up what it may ask for this period; it may ask again in the next. */
export const PRIVACY_BUDGET_EXHAUSTED_STATUS = 429;

/** Makes the statistics codes known to the gateway: their HTTP status, and safe to show. */
export function registerStatisticsCodes(): void {
  registerStatus(PRIVACY_BUDGET_EXHAUSTED, PRIVACY_BUDGET_EXHAUSTED_STATUS);
  allowSafeErrorCode(PRIVACY_BUDGET_EXHAUSTED);
}

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
