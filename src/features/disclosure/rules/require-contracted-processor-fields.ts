import { DisclosureCode } from "../codes";
import { isProcessor } from "../../../kernel/caller/recipient";
import { refusal } from "../../../kernel/errors/refusal";
import type { GovernanceRule } from "../../../kernel/gate/governance-input";

/**
 * Agreement Section 4: a processor gets exactly its contract's fields. Every personal field
 * outside the contract is refused before execution, one error per field, like any other.
 */
export const requireContractedProcessorFields: GovernanceRule = ({ caller, reach, policy }) => {
  const recipient = caller?.recipient;
  if (!isProcessor(recipient)) return [];
  const contracted = new Set(recipient.fields);
  const errors = [];
  for (const [coordinate, node] of reach.fields) {
    if (!policy.allowedPurposes(coordinate) || contracted.has(coordinate)) continue;
    errors.push(
      refusal(
        DisclosureCode.PROCESSOR_FIELD_NOT_CONTRACTED,
        `${coordinate} is not in the contract of the processor "${recipient.name}" (${recipient.contractRef}).`,
        { coordinate, recipient: recipient.name },
        node,
      ),
    );
  }
  return errors;
};
