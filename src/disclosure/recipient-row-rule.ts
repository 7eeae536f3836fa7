import type { DataScope } from "../data/data-scope";
import { DisclosureGround } from "./disclosure-ground";
import { isThirdParty } from "./recipient";

/**
 * Which customers a third party may receive, as an SQL condition on a `customer` alias,
 * added to the purpose's own row rule. Null when it adds nothing (not a third party, or a
 * ground whose lawfulness does not depend on the customer: 3.3–3.5).
 */
export function recipientRowRule(scope: DataScope, alias: string): { sql: string; params: Record<string, unknown> } | null {
  const recipient = scope.caller?.recipient;
  if (!isThirdParty(recipient)) return null;
  switch (scope.disclosure?.ground) {
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
    case DisclosureGround.ANONYMOUS_STATISTICS:
    default:
      // statistics never see rows; a third party without an accepted ground sees nothing
      return { sql: "FALSE", params: {} };
  }
}
