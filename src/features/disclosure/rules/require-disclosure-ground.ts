import { DisclosureCode } from "../codes";
import { disclosureOf } from "../operation-disclosure";
import { isThirdParty } from "../../../kernel/caller/recipient";
import { refusal } from "../../../kernel/errors/refusal";
import type { GovernanceRule } from "../../../kernel/gate/governance-input";

/**
 * Agreement Section 3: whatever a third party's client asks is a disclosure, so it must say
 * on which ground. `@disclosure` from anyone else is a mistake (a first party or processor
 * needs no ground), refused rather than ignored so the trail never records a false ground.
 */
export const requireDisclosureGround: GovernanceRule = (input) => {
  const declared = disclosureOf(input);
  if (declared.kind === "invalid") {
    return [refusal("BAD_USER_INPUT", `Invalid @disclosure: ${declared.message}`, {}, input.operation)];
  }
  const recipient = input.caller?.recipient;
  if (isThirdParty(recipient)) {
    if (declared.kind === "declared") return [];
    return [
      refusal(
        DisclosureCode.DISCLOSURE_GROUND_REQUIRED,
        `Client "${input.caller!.name}" acts for the third party "${recipient.name}": declare the ground of this disclosure, e.g. \`query Q @purpose(name: SERVICE_PROVISION) @disclosure(ground: CUSTOMER_CONSENT) { … }\` (agreement Section 3).`,
        { recipient: recipient.name },
        input.operation,
      ),
    ];
  }
  if (declared.kind === "none") return [];
  return [
    refusal(
      DisclosureCode.DISCLOSURE_NOT_THIRD_PARTY,
      "@disclosure is declared by clients acting for a third party; this client does not act for one.",
      { ground: declared.disclosure.ground },
      input.operation,
    ),
  ];
};
