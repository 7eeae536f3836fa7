import type { DataSource } from "typeorm";
import { AgreementRegistry } from "../../src/features/consent/agreement-registry";

/** Registers an individual agreement (as `npm run policy -- agreement add` does). */
export async function registerAgreement(db: DataSource, key: string, title = `Agreement ${key}`): Promise<void> {
  await new AgreementRegistry(db).register({ key, title, description: `What ${key} is about.` });
}

/** Records a consent straight in the store (for set-ups; the API path is tested on its own). */
export async function insertConsent(
  db: DataSource,
  customerId: string,
  agreementKey: string,
  policyVersion = "2026.1",
  withdrawnAt: Date | null = null,
): Promise<string> {
  const [{ id }] = await db.query(
    `INSERT INTO consent (customer_id, kind, agreement_key, policy_version, granted_at, withdrawn_at)
     VALUES ($1, 'INDIVIDUAL_AGREEMENT', $2, $3, now() - interval '1 day', $4) RETURNING id`,
    [customerId, agreementKey, policyVersion, withdrawnAt],
  );
  return id;
}

/** A policy version row as of `effectiveAt`, whose snapshot is `snapshot` (for history set-ups). */
export async function insertVersion(
  db: DataSource,
  version: string,
  effectiveAt: string,
  snapshot: Record<string, string[]>,
): Promise<void> {
  await db.query(
    `INSERT INTO policy_version (version, effective_at, text, text_sha256, purposes, grounds, change_summary, field_policy)
     SELECT $1, $2, text, text_sha256, purposes, grounds, 'Test version ' || $1, $3
     FROM policy_version WHERE version = '2026.1'`,
    [version, effectiveAt, JSON.stringify(snapshot)],
  );
}

/** The stored snapshot of a version. */
export async function snapshotOfVersion(db: DataSource, version: string): Promise<Record<string, string[]>> {
  const [{ field_policy }] = await db.query(`SELECT field_policy FROM policy_version WHERE version = $1`, [version]);
  return field_policy;
}

/** A copy of `snapshot` in which `coordinates` are not reachable for `purpose`. */
export function without(snapshot: Record<string, string[]>, purpose: string, ...coordinates: string[]): Record<string, string[]> {
  const copy = structuredClone(snapshot);
  for (const c of coordinates) {
    if (!copy[c]?.includes(purpose)) throw new Error(`${c} is not reachable for ${purpose} in the snapshot`);
    copy[c] = copy[c].filter((p) => p !== purpose);
  }
  return copy;
}
