import { GovernanceCode, refusal } from "../errors";
import { reachesPersonalData, type GovernanceRule } from "../governance-input";

/** Personal data, or any declared purpose, needs an authenticated API client. */
export const requireCaller: GovernanceRule = (input) =>
  !input.caller && (input.purpose || reachesPersonalData(input))
    ? [refusal(GovernanceCode.UNAUTHENTICATED, "This operation needs an API key: send `Authorization: Bearer <key>`.")]
    : [];
