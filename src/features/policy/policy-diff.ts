import type { FeatureDb } from "../../kernel/store/feature-db";
import { CONSENT_BASED_PURPOSES, consentsToRenew, type ConsentRenewal } from "../consent/consent-renewals";
import { PURPOSE_CLAUSES, ALL_PURPOSES, type Purpose } from "../../kernel/purposes/purpose";
import { compareSnapshots, type FieldSnapshot } from "./field-snapshot";
import { PolicyStore } from "./policy-store";
import type { PolicyClause } from "./policy-text";

/** One side of a comparison: a stored version, or `current` (the running code's schema). */
export interface PolicySide {
  ref: string;
  version: string | null;
  effectiveAt: Date | null;
  textSha256: string | null;
  snapshot: FieldSnapshot;
  /** the clause texts this side states (the code has no grounds texts of its own) */
  clauses: PolicyClause[];
  hasGrounds: boolean;
}

export interface PurposeDiff {
  purpose: Purpose;
  reachable: string[];
  unreachable: string[];
  needsConsent: boolean;
  /** for consent-based purposes that gained fields: the consents that no longer cover them */
  renewals: ConsentRenewal[];
}

export interface PolicyDiff {
  from: Omit<PolicySide, "snapshot" | "clauses" | "hasGrounds">;
  to: Omit<PolicySide, "snapshot" | "clauses" | "hasGrounds">;
  changedClauses: string[];
  purposes: PurposeDiff[];
}

export const CURRENT = "current";

export async function resolveSide(db: FeatureDb, ref: string, current: () => Promise<FieldSnapshot>): Promise<PolicySide> {
  if (ref === CURRENT) {
    return {
      ref,
      version: null,
      effectiveAt: null,
      textSha256: null,
      snapshot: await current(),
      clauses: ALL_PURPOSES.map((p) => ({ clause: PURPOSE_CLAUSES[p].clause, text: PURPOSE_CLAUSES[p].text })),
      hasGrounds: false,
    };
  }
  const stored = await new PolicyStore(db).get(ref);
  if (!stored) throw new Error(`no policy version "${ref}" (see \`policy list\`; or use "${CURRENT}")`);
  return {
    ref,
    version: stored.version,
    effectiveAt: stored.effectiveAt,
    textSha256: stored.textSha256,
    snapshot: stored.fieldPolicy,
    clauses: [...stored.purposes, ...stored.grounds],
    hasGrounds: true,
  };
}

/**
 * Compares two versions of the schema and policy: per purpose, the fields that became
 * reachable or unreachable; for purposes that rest on consent, the active consents that do
 * not cover the newly reachable fields (given under an older version that lacked them).
 */
export async function diffPolicies(
  db: FeatureDb,
  fromRef: string,
  toRef: string,
  current: () => Promise<FieldSnapshot>,
): Promise<PolicyDiff> {
  const from = await resolveSide(db, fromRef, current);
  const to = await resolveSide(db, toRef, current);
  const purposes: PurposeDiff[] = [];
  for (const change of compareSnapshots(from.snapshot, to.snapshot)) {
    const needsConsent = CONSENT_BASED_PURPOSES.has(change.purpose);
    const renewals = needsConsent && change.reachable.length ? await consentsToRenew(db, change.reachable, to.effectiveAt) : [];
    purposes.push({ ...change, needsConsent, renewals });
  }
  return { from: summary(from), to: summary(to), changedClauses: changedClauses(from, to), purposes };
}

function summary({ ref, version, effectiveAt, textSha256 }: PolicySide) {
  return { ref, version, effectiveAt, textSha256 };
}

function changedClauses(from: PolicySide, to: PolicySide): string[] {
  const comparable = (side: PolicySide) =>
    new Map(side.clauses.filter((c) => c.clause.startsWith("1.") || (from.hasGrounds && to.hasGrounds)).map((c) => [c.clause, c.text]));
  const a = comparable(from);
  const b = comparable(to);
  return [...new Set([...a.keys(), ...b.keys()])]
    .filter((c) => a.get(c) !== b.get(c))
    .sort((x, y) => x.localeCompare(y, "en", { numeric: true }));
}

/** The comparison as the operator reads it. */
export function formatDiff(diff: PolicyDiff): string {
  const label = (side: PolicyDiff["from"]) =>
    side.version
      ? `${side.version} (effective ${side.effectiveAt!.toISOString().slice(0, 10)}, text sha256 ${side.textSha256!.slice(0, 12)}…)`
      : "current (the running code's schema, not published)";
  const lines = [`Policy ${diff.from.ref} → ${diff.to.ref}`, `  from: ${label(diff.from)}`, `  to:   ${label(diff.to)}`];
  lines.push(`  clauses changed: ${diff.changedClauses.length ? diff.changedClauses.join(", ") : "none"}`, "");

  let reachable = 0;
  let unreachable = 0;
  let renew = 0;
  for (const p of diff.purposes) {
    reachable += p.reachable.length;
    unreachable += p.unreachable.length;
    const heading = `${p.purpose} (${PURPOSE_CLAUSES[p.purpose].clause}${p.needsConsent ? ", needs each customer's consent" : ""})`;
    if (!p.reachable.length && !p.unreachable.length) {
      lines.push(`${heading}: no change`);
      continue;
    }
    lines.push(heading);
    for (const c of p.reachable) lines.push(`  + ${c}  became reachable`);
    for (const c of p.unreachable) lines.push(`  - ${c}  became unreachable`);
    if (p.needsConsent && p.reachable.length) {
      const total = p.renewals.reduce((n, r) => n + r.consents, 0);
      renew += total;
      lines.push(
        total
          ? `  consents to renew (given under a version that did not make these fields reachable; until renewed they do not cover them): ${total}`
          : "  consents to renew: none",
      );
      for (const r of p.renewals) lines.push(`    ${r.agreement} under ${r.policyVersion}: ${r.consents}`);
    }
  }
  lines.push("", `${reachable} field(s) became reachable, ${unreachable} unreachable; ${renew} consent(s) need renewing.`);
  return lines.join("\n") + "\n";
}
