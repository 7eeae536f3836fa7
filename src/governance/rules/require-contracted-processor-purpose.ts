import { DisclosureCode } from "../../disclosure/codes";
import { isProcessor } from "../../disclosure/recipient";
import { refusal } from "../errors";
import type { GovernanceRule } from "../governance-input";

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
