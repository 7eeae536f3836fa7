import { DisclosureCode } from "../codes";
import { MAX_REFERENCE_LENGTH } from "../directives";
import { GROUNDS_NEEDING_REFERENCE } from "../../../kernel/purposes/disclosure-ground";
import { disclosureOf } from "../operation-disclosure";
import { refusal } from "../../../kernel/errors/refusal";
import type { GovernanceRule } from "../../../kernel/gate/governance-input";

/**
 * LEGAL_REQUEST (3.3) and REQUIRED_BY_LAW (3.5) are lawful only with the instrument that
 * demands the data: the court order or statute is mandatory, and recorded in the trail
 * and the ledger. A reference names an instrument; an overlong one is refused.
 */
export const requireDisclosureReference: GovernanceRule = (input) => {
  const declared = disclosureOf(input);
  if (declared.kind !== "declared") return [];
  const { ground, reference } = declared.disclosure;
  if (reference && reference.length > MAX_REFERENCE_LENGTH) {
    return [refusal("BAD_USER_INPUT", `@disclosure reference is longer than ${MAX_REFERENCE_LENGTH} characters.`, {}, input.operation)];
  }
  if (GROUNDS_NEEDING_REFERENCE.has(ground) && !reference) {
    return [
      refusal(
        DisclosureCode.DISCLOSURE_REFERENCE_REQUIRED,
        `${ground} needs the instrument it rests on: \`@disclosure(ground: ${ground}, reference: "court order / statute reference")\`.`,
        { ground },
        input.operation,
      ),
    ];
  }
  return [];
};
