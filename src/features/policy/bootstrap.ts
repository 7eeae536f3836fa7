import type { FeatureDb } from "../../kernel/store/feature-db";
import type { FieldPolicy } from "../../kernel/gate/field-policy";
import { logger } from "../../observability/logger";
import { compareSnapshots, snapshotOf } from "./field-snapshot";
import { PolicyStore } from "./policy-store";
import { bundledText } from "./policy-text";

/** The first published version: the agreement as the company adopted it. */
export const INITIAL_VERSION = {
  version: "2026.1",
  effectiveAt: new Date("2026-01-01T00:00:00Z"),
  changeSummary: "First published version of the Personal Information Handling Agreement.",
} as const;

/**
 * Run at start-up. On an empty history, records the first version (its text shipped with
 * the code, the running schema's field policy as its snapshot); idempotent, and safe when
 * several processes start at once. Then warns when the running code's field policy differs
 * from the version in force: the change has not been published (`npm run policy -- diff`),
 * and a field newly reachable for a consent-based purpose reaches no one until it is.
 */
export async function ensurePolicyVersion(db: FeatureDb, policy: FieldPolicy): Promise<void> {
  if (await recordInitialVersion(db, () => policy)) logger.info({ version: INITIAL_VERSION.version }, "recorded the first policy version");
  const store = new PolicyStore(db);
  const inForce = await store.inForce();
  if (!inForce) {
    logger.warn("no policy version is in force yet: consents cannot be recorded until one is");
    return;
  }
  const changes = compareSnapshots(inForce.fieldPolicy, snapshotOf(policy)).filter((c) => c.reachable.length || c.unreachable.length);
  if (changes.length) {
    logger.warn(
      {
        version: inForce.version,
        purposes: changes.map((c) => ({ purpose: c.purpose, reachable: c.reachable.length, unreachable: c.unreachable.length })),
      },
      `the running schema's field policy differs from policy version ${inForce.version}: run \`npm run policy -- diff ${inForce.version} current\` and publish a new version`,
    );
  }
}

/**
 * Records the first version if the history is empty (true if this call recorded it). The
 * field policy is asked for only then (building the schema is not free).
 */
export async function recordInitialVersion(db: FeatureDb, policy: () => FieldPolicy | Promise<FieldPolicy>): Promise<boolean> {
  const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM policy_version`);
  if (n > 0) return false;
  try {
    const fieldPolicy = snapshotOf(await policy());
    await new PolicyStore(db).publish({ ...INITIAL_VERSION, text: bundledText(INITIAL_VERSION.version), fieldPolicy });
    return true;
  } catch (error) {
    // another process recorded it first: fine, as long as a version now exists
    const [{ n: after }] = await db.query(`SELECT count(*)::int AS n FROM policy_version`);
    if (after === 0) throw error;
    return false;
  }
}
