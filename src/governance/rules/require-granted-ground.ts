import { DisclosureCode } from "../../disclosure/codes";
import { disclosureOf } from "../../disclosure/operation-disclosure";
import { isThirdParty } from "../../disclosure/recipient";
import { refusal } from "../errors";
import type { GovernanceRule } from "../governance-input";

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
