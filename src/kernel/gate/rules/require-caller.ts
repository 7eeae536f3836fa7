import { KernelCode } from "../../errors/catalogue";
import { refusal } from "../../errors/refusal";
import { reachesPersonalData, type GovernanceRule } from "../governance-input";

/** Personal data, or any declared purpose, needs an authenticated API client. */
export const requireCaller: GovernanceRule = (input) =>
  !input.caller && (input.purpose || reachesPersonalData(input))
    ? [refusal(KernelCode.UNAUTHENTICATED, "This operation needs an API key: send `Authorization: Bearer <key>`.")]
    : [];
