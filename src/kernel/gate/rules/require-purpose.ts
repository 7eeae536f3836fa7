import { KernelCode } from "../../errors/catalogue";
import { refusal } from "../../errors/refusal";
import { reachesPersonalData, type GovernanceRule } from "../governance-input";

/** An operation that reaches personal data must declare what for. */
export const requirePurpose: GovernanceRule = (input) =>
  !input.purpose && reachesPersonalData(input)
    ? [
        refusal(
          KernelCode.PURPOSE_REQUIRED,
          "This operation reaches personal data and must declare its purpose, e.g. `query Q @purpose(name: SERVICE_PROVISION) { … }`.",
          {},
          input.operation,
        ),
      ]
    : [];
