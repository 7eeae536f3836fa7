import { DisclosureCode } from "../codes";
import { DisclosureGround } from "../../../kernel/purposes/disclosure-ground";
import { disclosureOf } from "../operation-disclosure";
import { isThirdParty } from "../../../kernel/caller/recipient";
import { refusal } from "../../../kernel/errors/refusal";
import type { GovernanceRule } from "../../../kernel/gate/governance-input";

/**
 * A third party receives individual data only in the fields the registry records for it
 * (its data-sharing agreement), on every ground that releases individual data — for
 * OTHER_SERVICE_OPERATION (3.4) exactly as the issue asks, and as the same cap on the
 * others. One error per personal field outside the registration.
 */
export const requireRegisteredRecipientFields: GovernanceRule = (input) => {
  const recipient = input.caller?.recipient;
  const declared = disclosureOf(input);
  if (!isThirdParty(recipient) || declared.kind !== "declared") return [];
  if (declared.disclosure.ground === DisclosureGround.ANONYMOUS_STATISTICS) return []; // its own rule
  const registered = new Set(recipient.fields);
  const errors = [];
  for (const [coordinate, node] of input.reach.fields) {
    if (!input.policy.allowedPurposes(coordinate) || registered.has(coordinate)) continue;
    errors.push(
      refusal(
        DisclosureCode.RECIPIENT_FIELD_NOT_REGISTERED,
        `${coordinate} is not among the fields registered for the third party "${recipient.name}".`,
        { coordinate, recipient: recipient.name, ground: declared.disclosure.ground },
        node,
      ),
    );
  }
  return errors;
};
