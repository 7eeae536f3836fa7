import type { Purpose } from "../../kernel/purposes/purpose";

/**
 * "A field that becomes reachable under a new purpose is not used for customers whose
 * consent predates that change" — as one SQL condition on a consent row.
 *
 * The consent's policy version must be newer than every version in force so far in which
 * one of the fields the operation uses was not reachable for `purpose`: consent given before
 * a field became reachable (or before it became reachable again) does not cover that field.
 * A field the running code allows but no version in force does (an unpublished change)
 * covers no one. A consent naming an unknown version covers only fields that were always
 * reachable. Computed in PostgreSQL from the versions' field-policy snapshots, so a newly
 * published version applies on the next query, without caches.
 *
 * `coordinates` are the restricted fields the operation reads or filters by; when unknown
 * (a data scope built without them), the consent must be given under the version in force.
 */
export function consentVersionRule(
  consentAlias: string,
  purpose: Purpose,
  coordinates: readonly string[] | undefined,
): { sql: string; params: Record<string, unknown> } {
  const consentEffective = `(SELECT cv_rule.effective_at FROM policy_version cv_rule WHERE cv_rule.version = ${consentAlias}.policy_version)`;
  if (!coordinates) {
    const inForce = `(SELECT max(pv_rule.effective_at) FROM policy_version pv_rule WHERE pv_rule.effective_at <= now())`;
    return { sql: `coalesce(${consentEffective} >= ${inForce}, ${inForce} IS NULL)`, params: {} };
  }
  const lastLacking = `(SELECT max(pv_rule.effective_at) FROM policy_version pv_rule
      WHERE pv_rule.effective_at <= now()
        AND EXISTS (SELECT 1 FROM unnest(CAST(:ruleConsentCoordinates AS text[])) AS rc_rule(coordinate)
                    WHERE NOT coalesce(pv_rule.field_policy -> rc_rule.coordinate @> CAST(:ruleConsentPurpose AS jsonb), false)))`;
  return {
    sql: `coalesce(${consentEffective} > ${lastLacking}, ${lastLacking} IS NULL)`,
    params: { ruleConsentCoordinates: [...coordinates], ruleConsentPurpose: JSON.stringify([purpose]) },
  };
}
