import type { FeatureDb } from "../../kernel/store/feature-db";
import { Purpose } from "../../kernel/purposes/purpose";

/** Active consents to renew: per agreement and the version they were given under. */
export interface ConsentRenewal {
  agreement: string;
  policyVersion: string;
  consents: number;
}

/**
 * Purposes that rest on each customer's consent, and so need it renewed when a new version
 * makes more fields reachable for them. Third-party disclosure on the customer's consent
 * (3.1) is assessed per recipient by the recipients registry, which knows the fields each
 * recipient receives.
 */
export const CONSENT_BASED_PURPOSES: ReadonlySet<Purpose> = new Set([Purpose.INDIVIDUAL_AGREEMENT]);

/**
 * Active individual-agreement consents (to agreements still in effect, of customers still
 * reachable at all) given under a version older than `before` (null: any) whose snapshot
 * does not make every one of `fields` reachable for INDIVIDUAL_AGREEMENT — exactly the
 * consents the row rule stops honouring for operations that use those fields.
 * Counts only, aggregated in PostgreSQL: no customer is named.
 */
export async function consentsToRenew(db: FeatureDb, fields: readonly string[], before: Date | null): Promise<ConsentRenewal[]> {
  if (fields.length === 0) return [];
  const rows = await db.query(
    `SELECT cn.agreement_key AS agreement, cn.policy_version, count(*)::int AS consents
     FROM consent cn
     JOIN individual_agreement ia ON ia.key = cn.agreement_key AND ia.retired_at IS NULL
     JOIN customer c ON c.id = cn.customer_id AND c.deleted_at IS NULL AND c.erased_at IS NULL
     LEFT JOIN policy_version v ON v.version = cn.policy_version
     WHERE cn.kind = 'INDIVIDUAL_AGREEMENT' AND cn.withdrawn_at IS NULL
       AND ($1::timestamptz IS NULL OR v.effective_at IS NULL OR v.effective_at < $1::timestamptz)
       AND (v.version IS NULL OR EXISTS (
             SELECT 1 FROM unnest($2::text[]) AS f(coordinate)
             WHERE NOT coalesce(v.field_policy -> f.coordinate @> $3::jsonb, false)))
     GROUP BY cn.agreement_key, cn.policy_version
     ORDER BY cn.agreement_key, cn.policy_version`,
    [before, [...fields], JSON.stringify([Purpose.INDIVIDUAL_AGREEMENT])],
  );
  return rows.map((r: any) => ({ agreement: r.agreement, policyVersion: r.policy_version, consents: r.consents }));
}
