import { isAgreementKey } from "../agreement-key";
import { ConsentCode } from "../error-codes";
import { Purpose } from "../../../kernel/purposes/purpose";
import { refusal } from "../../../kernel/errors/refusal";
import type { GovernanceRule } from "../../../kernel/gate/governance-input";

/**
 * INDIVIDUAL_AGREEMENT (agreement 1.7) is only ever "the purpose the customer separately
 * accepted": the operation must name that agreement, and only that purpose may name one.
 * Whether the named agreement is registered is checked against the database once the
 * gate has allowed the operation (src/consent/agreement-check.ts); the customers it
 * reaches are those with an active consent to it (the row rule, in SQL).
 */
export const requireAgreement: GovernanceRule = ({ purpose, operation }) => {
  if (!purpose) return [];
  const named = purpose.agreement !== null && purpose.agreement !== "";
  if (purpose.name === Purpose.INDIVIDUAL_AGREEMENT && !named) {
    return [
      refusal(
        ConsentCode.AGREEMENT_REQUIRED,
        'INDIVIDUAL_AGREEMENT must name the individual agreement, e.g. `@purpose(name: INDIVIDUAL_AGREEMENT, agreement: "survey-2026")`.',
        { purpose: purpose.name },
        operation,
      ),
    ];
  }
  if (purpose.name !== Purpose.INDIVIDUAL_AGREEMENT && purpose.agreement !== null) {
    return [
      refusal(
        ConsentCode.AGREEMENT_NOT_APPLICABLE,
        `\`agreement\` names an individual agreement and applies only to INDIVIDUAL_AGREEMENT, not ${purpose.name}.`,
        { purpose: purpose.name },
        operation,
      ),
    ];
  }
  if (purpose.name === Purpose.INDIVIDUAL_AGREEMENT && !isAgreementKey(purpose.agreement)) {
    return [
      refusal(
        ConsentCode.AGREEMENT_UNKNOWN,
        "No individual agreement has that key (keys are lower-case letters, digits and . _ -).",
        {
          purpose: purpose.name,
        },
        operation,
      ),
    ];
  }
  return [];
};
