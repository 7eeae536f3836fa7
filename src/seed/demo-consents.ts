import type { DataSource } from "typeorm";
import { AgreementRegistry } from "../features/consent/agreement-registry";

export const DEMO_AGREEMENT = {
  key: "survey-2026",
  title: "Customer survey 2026",
  description: "We may contact you by e-mail with a short survey about our services in 2026.",
} as const;

/**
 * Demo data for individual agreements (agreement 1.7): registers `survey-2026` and records
 * a consent, under the version in force, for every tenth active customer (by id, so the
 * same demo data gives the same consents). Only once: does nothing if the agreement exists.
 */
export async function seedDemoConsents(db: DataSource): Promise<number> {
  const registry = new AgreementRegistry(db);
  if (await registry.get(DEMO_AGREEMENT.key)) return 0;
  await registry.register(DEMO_AGREEMENT);
  const rows = await db.query(
    `INSERT INTO consent (customer_id, kind, agreement_key, policy_version, granted_at)
     SELECT c.id, 'INDIVIDUAL_AGREEMENT', $1, ia.introduced_in, now()
     FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM customer WHERE deleted_at IS NULL AND erased_at IS NULL) c
     CROSS JOIN individual_agreement ia
     WHERE ia.key = $1 AND c.n % 10 = 0
     RETURNING id`,
    [DEMO_AGREEMENT.key],
  );
  return rows.length;
}
