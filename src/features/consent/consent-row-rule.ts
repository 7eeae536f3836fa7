import type { RowRule } from "../../kernel/data/row-rule";
import { Purpose } from "../../kernel/purposes/purpose";
import { consentCoordinatesOf } from "./consent-coordinates";
import { consentVersionRule } from "./consent-version-rule";

/**
 * INDIVIDUAL_AGREEMENT (1.7) reaches only customers with an active consent to the named
 * agreement, and only if that consent postdates every field the operation uses becoming
 * reachable. No agreement named: nobody.
 */
export const individualAgreementRowRule: RowRule = {
  name: "INDIVIDUAL_AGREEMENT: only customers who consented to the named agreement (agreement 1.7)",
  purpose: Purpose.INDIVIDUAL_AGREEMENT,
  condition(scope, alias) {
    if (!scope.agreement) return { sql: "FALSE", params: {} };
    const coordinates = scope.decision ? consentCoordinatesOf(scope.decision) : undefined;
    const version = consentVersionRule("cn_rule", Purpose.INDIVIDUAL_AGREEMENT, coordinates);
    return {
      sql: `EXISTS (SELECT 1 FROM consent cn_rule WHERE cn_rule.customer_id = ${alias}.id AND cn_rule.kind = 'INDIVIDUAL_AGREEMENT' AND cn_rule.agreement_key = :ruleAgreement AND cn_rule.withdrawn_at IS NULL AND ${version.sql})`,
      params: { ruleAgreement: scope.agreement, ...version.params },
    };
  },
};
