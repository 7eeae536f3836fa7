import { KernelCode } from "../../errors/catalogue";
import { refusal } from "../../errors/refusal";
import type { GovernanceRule } from "../governance-input";

/** Every field the operation can reach must allow the declared purpose: one error per field. */
export const requirePermittedFields: GovernanceRule = ({ reach, policy, purpose }) => {
  if (!purpose) return [];
  const errors = [];
  for (const [coordinate, node] of reach.fields) {
    const allowed = policy.allowedPurposes(coordinate);
    if (allowed && !allowed.includes(purpose.name)) {
      errors.push(
        refusal(
          KernelCode.PURPOSE_NOT_PERMITTED,
          `${coordinate} may not be read for ${purpose.name}; it is allowed for ${allowed.join(", ")}.`,
          { coordinate, purpose: purpose.name, allowedPurposes: allowed },
          node,
        ),
      );
    }
  }
  return errors;
};
