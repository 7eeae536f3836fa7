import type { RowRule } from "../../kernel/data/row-rule";
import { isThirdParty } from "../../kernel/caller/recipient";
import { DisclosureGround } from "../../kernel/purposes/disclosure-ground";
import { disclosureOf } from "./operation-disclosure";

/**
 * Which customers a third party may receive, added to the purpose's own row rule. Nothing
 * added for anyone else, or for a ground whose lawfulness does not depend on the customer
 * (3.3–3.5). A third party without an accepted ground sees nothing (fail closed).
 */
export const recipientRowRule: RowRule = {
  name: "third parties: only what their ground allows (agreement Section 3)",
  condition(scope, alias) {
    const recipient = scope.caller?.recipient;
    if (!isThirdParty(recipient)) return null;
    const declared = scope.decision ? disclosureOf(scope.decision.input) : null;
    switch (declared?.kind === "declared" ? declared.disclosure.ground : null) {
      case DisclosureGround.CUSTOMER_CONSENT:
        // 3.1: only customers with an active consent to disclosure to this very recipient
        return {
          sql: `EXISTS (SELECT 1 FROM consent cn_tp WHERE cn_tp.customer_id = ${alias}.id AND cn_tp.kind = 'THIRD_PARTY_DISCLOSURE' AND cn_tp.recipient_id = :ruleRecipient AND cn_tp.withdrawn_at IS NULL)`,
          params: { ruleRecipient: recipient.id },
        };
      case DisclosureGround.LEGAL_REQUEST:
      case DisclosureGround.OTHER_SERVICE_OPERATION:
      case DisclosureGround.REQUIRED_BY_LAW:
        return null;
      default:
        // statistics never see rows; a third party without an accepted ground sees nothing
        return { sql: "FALSE", params: {} };
    }
  },
};
