import type { FieldPolicy } from "../../kernel/gate/field-policy";
import { ALL_PURPOSES, type Purpose } from "../../kernel/purposes/purpose";

/**
 * The schema's field policy at one moment: every restricted coordinate with the purposes it
 * may be read for. Stored with each policy version, so versions can be compared field by field.
 * Keys sorted and purposes in enum order, so equal policies serialise identically.
 */
export type FieldSnapshot = Record<string, Purpose[]>;

export function snapshotOf(policy: FieldPolicy): FieldSnapshot {
  const snapshot: FieldSnapshot = {};
  for (const coordinate of [...policy.restricted().keys()].sort()) {
    const allowed = new Set(policy.restricted().get(coordinate));
    snapshot[coordinate] = ALL_PURPOSES.filter((p) => allowed.has(p));
  }
  return snapshot;
}

/** Is `coordinate` reachable for `purpose` in this snapshot? Absent means not reachable. */
export function reachable(snapshot: FieldSnapshot, coordinate: string, purpose: Purpose): boolean {
  return snapshot[coordinate]?.includes(purpose) ?? false;
}

export interface PurposeChange {
  purpose: Purpose;
  /** coordinates readable for the purpose in `to` but not in `from` */
  reachable: string[];
  /** coordinates readable for the purpose in `from` but not in `to` */
  unreachable: string[];
}

/** Per purpose, which fields became reachable or unreachable from one snapshot to another. */
export function compareSnapshots(from: FieldSnapshot, to: FieldSnapshot): PurposeChange[] {
  const coordinates = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  return ALL_PURPOSES.map((purpose) => ({
    purpose,
    reachable: coordinates.filter((c) => reachable(to, c, purpose) && !reachable(from, c, purpose)),
    unreachable: coordinates.filter((c) => reachable(from, c, purpose) && !reachable(to, c, purpose)),
  }));
}

/** Do two snapshots differ anywhere? */
export function sameSnapshot(a: FieldSnapshot, b: FieldSnapshot): boolean {
  return compareSnapshots(a, b).every((c) => c.reachable.length === 0 && c.unreachable.length === 0);
}
