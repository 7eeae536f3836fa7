import { consentVersionRule } from "../consent/consent-version-rule";
import { recipientRowRule } from "../disclosure/recipient-row-rule";
import { Purpose } from "../purposes/purpose";
import type { DataScope } from "./data-scope";

/**
 * Which customers a purpose may reach, as one SQL condition on a `customer` alias.
 * Every read of personal data joins through this, so no resolver can forget it.
 * Enforced in SQL, so an opt-out or an erasure takes effect on the very next query.
 */
export function customerRowRule(scope: DataScope, alias: string): { sql: string; params: Record<string, unknown> } {
  const rule = purposeRowRule(scope, alias);
  // a third party's ground narrows the purpose's rows further (agreement Section 3)
  const recipient = recipientRowRule(scope, alias);
  return recipient ? { sql: `(${rule.sql}) AND (${recipient.sql})`, params: { ...rule.params, ...recipient.params } } : rule;
}

function purposeRowRule(scope: DataScope, alias: string): { sql: string; params: Record<string, unknown> } {
  const active = `${alias}.deleted_at IS NULL AND ${alias}.erased_at IS NULL`;
  switch (scope.purpose) {
    case Purpose.SERVICE_PROVISION:
    case Purpose.PRODUCT_IMPROVEMENT:
      return { sql: active, params: {} };
    case Purpose.DATA_SUBJECT_REQUEST:
      // answering a customer's request: only customers with a request still open
      return {
        sql: `${active} AND EXISTS (SELECT 1 FROM data_subject_request dsr_rule WHERE dsr_rule.customer_id = ${alias}.id AND dsr_rule.status IN ('RECEIVED', 'IN_PROGRESS'))`,
        params: {},
      };
    case Purpose.NOTIFICATION:
      // only customers currently opted in to at least one channel
      return {
        sql: `${active} AND EXISTS (SELECT 1 FROM notification_subscription ns_rule WHERE ns_rule.customer_id = ${alias}.id AND ns_rule.opted_in)`,
        params: {},
      };
    case Purpose.PRIZE_DELIVERY:
      // only winners; the data layer further reaches them only through their campaign
      return {
        sql: `${active} AND EXISTS (SELECT 1 FROM campaign_entry ce_rule WHERE ce_rule.customer_id = ${alias}.id AND ce_rule.won)`,
        params: {},
      };
    case Purpose.INDIVIDUAL_AGREEMENT: {
      // only customers with an active consent to the named agreement; none without a name;
      // and only if that consent postdates every field the operation uses becoming reachable
      if (!scope.agreement) return { sql: "FALSE", params: {} };
      const version = consentVersionRule("cn_rule", Purpose.INDIVIDUAL_AGREEMENT, scope.consentCoordinates);
      return {
        sql: `${active} AND EXISTS (SELECT 1 FROM consent cn_rule WHERE cn_rule.customer_id = ${alias}.id AND cn_rule.kind = 'INDIVIDUAL_AGREEMENT' AND cn_rule.agreement_key = :ruleAgreement AND cn_rule.withdrawn_at IS NULL AND ${version.sql})`,
        params: { ruleAgreement: scope.agreement, ...version.params },
      };
    }
    case Purpose.USAGE_STATISTICS:
    default:
      // statistics never see rows (they get aggregates); an unknown purpose sees nothing
      return { sql: "FALSE", params: {} };
  }
}
