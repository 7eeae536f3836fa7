import { Purpose } from "../purposes/purpose";
import type { DataScope } from "./data-scope";

/**
 * Which customers a purpose may reach, as one SQL condition on a `customer` alias.
 * Every read of personal data joins through this, so no resolver can forget it.
 * Enforced in SQL, so an opt-out or an erasure takes effect on the very next query.
 */
export function customerRowRule(scope: DataScope, alias: string): { sql: string; params: Record<string, unknown> } {
  const active = `${alias}.deleted_at IS NULL AND ${alias}.erased_at IS NULL`;
  switch (scope.purpose) {
    case Purpose.SERVICE_PROVISION:
    case Purpose.PRODUCT_IMPROVEMENT:
    case Purpose.DATA_SUBJECT_REQUEST:
      return { sql: active, params: {} };
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
    case Purpose.INDIVIDUAL_AGREEMENT:
      // only customers with an active consent to the named agreement; none without a name
      if (!scope.agreement) return { sql: "FALSE", params: {} };
      return {
        sql: `${active} AND EXISTS (SELECT 1 FROM consent cn_rule WHERE cn_rule.customer_id = ${alias}.id AND cn_rule.kind = 'INDIVIDUAL_AGREEMENT' AND cn_rule.agreement_key = :ruleAgreement AND cn_rule.withdrawn_at IS NULL)`,
        params: { ruleAgreement: scope.agreement },
      };
    case Purpose.USAGE_STATISTICS:
    default:
      // statistics never see rows (they get aggregates); an unknown purpose sees nothing
      return { sql: "FALSE", params: {} };
  }
}
