import { DisclosureCode } from "../codes";
import { disclosureOf } from "../operation-disclosure";
import { isThirdParty } from "../../../kernel/caller/recipient";
import { refusal } from "../../../kernel/errors/refusal";
import type { GovernanceRule } from "../../../kernel/gate/governance-input";

/** The declared ground must be one the recipients registry grants to the caller's third party. */
export const requireGrantedGround: GovernanceRule = (input) => {
  const { caller, operation } = input;
  const recipient = caller?.recipient;
  const declared = disclosureOf(input);
  if (!isThirdParty(recipient) || declared.kind !== "declared") return [];
  const { ground } = declared.disclosure;
  if (recipient.grounds.includes(ground)) return [];
  return [
    refusal(
      DisclosureCode.DISCLOSURE_GROUND_NOT_GRANTED,
      `The third party "${recipient.name}" is not granted the ground ${ground}.`,
      { ground, recipient: recipient.name },
      operation,
    ),
  ];
};
