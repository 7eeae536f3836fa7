import { DisclosureCode } from "../codes";
import { isProcessor } from "../../../kernel/caller/recipient";
import { refusal } from "../../../kernel/errors/refusal";
import type { GovernanceRule } from "../../../kernel/gate/governance-input";

/** Agreement Section 4: a processor works only for the purposes its contract names. */
export const requireContractedProcessorPurpose: GovernanceRule = ({ caller, purpose, operation }) => {
  const recipient = caller?.recipient;
  if (!isProcessor(recipient) || !purpose || recipient.purposes.includes(purpose.name)) return [];
  return [
    refusal(
      DisclosureCode.PROCESSOR_PURPOSE_NOT_CONTRACTED,
      `The processor "${recipient.name}" is not contracted for ${purpose.name} (contract ${recipient.contractRef}).`,
      { purpose: purpose.name, recipient: recipient.name },
      operation,
    ),
  ];
};
