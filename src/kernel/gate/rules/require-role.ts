import { KernelCode } from "../../errors/catalogue";
import { roleRequirements } from "../../schema/requires-role";
import { refusal } from "../../errors/refusal";
import type { GovernanceRule } from "../governance-input";

/** Fields marked `@requiresRole` are read only by clients holding that role: one error per field. */
export const requireRole: GovernanceRule = ({ schema, reach, caller }) => {
  const required = roleRequirements(schema);
  const errors = [];
  for (const [coordinate, node] of reach.fields) {
    const role = required.get(coordinate);
    if (!role || caller?.roles?.includes(role)) continue;
    errors.push(
      refusal(KernelCode.ROLE_REQUIRED, `${coordinate} may be read only by a client holding the role ${role}.`, { coordinate, role }, node),
    );
  }
  return errors;
};
