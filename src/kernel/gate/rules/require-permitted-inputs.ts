import { KernelCode } from "../../errors/catalogue";
import { refusal } from "../../errors/refusal";
import type { GovernanceRule } from "../governance-input";

/**
 * A filter or sort on a field reveals that field (an oracle): it is permitted only where
 * the field itself may be read. Covers literal arguments and variables alike.
 */
export const requirePermittedInputs: GovernanceRule = ({ inputs, policy, purpose }) => {
  const errors = [];
  for (const [inputCoordinate, node] of inputs) {
    const coordinate = policy.revealedBy(inputCoordinate);
    if (!coordinate) continue;
    const allowed = policy.allowedPurposes(coordinate) ?? [];
    if (!purpose || !allowed.includes(purpose.name)) {
      errors.push(
        refusal(
          KernelCode.PURPOSE_NOT_PERMITTED,
          `${inputCoordinate} filters or sorts by ${coordinate}, which may not be read for ${purpose?.name ?? "an undeclared purpose"}; it is allowed for ${allowed.join(", ")}.`,
          { coordinate, input: inputCoordinate, purpose: purpose?.name ?? null, allowedPurposes: allowed },
          node,
        ),
      );
    }
  }
  return errors;
};
