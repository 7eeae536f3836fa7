import type { Caller, DeclaredPurpose } from "../governance/governance-input";
import type { Purpose } from "../purposes/purpose";

/** What the data layer is scoped to for one request: the declared purpose and the caller. */
export interface DataScope {
  purpose: Purpose | null;
  agreement: string | null;
  caller: Caller | null;
}

export function scopeOf(purpose: DeclaredPurpose | null, caller: Caller | null): DataScope {
  return { purpose: purpose?.name ?? null, agreement: purpose?.agreement ?? null, caller };
}
