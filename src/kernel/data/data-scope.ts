import type { Caller } from "../caller/caller";
import type { AllowedDecision } from "../gate/gate";
import type { Purpose } from "../purposes/purpose";

/**
 * What the data layer is scoped to for one request: the declared purpose, the caller and
 * the gate's decision it was allowed by. Built once, frozen: nothing a resolver does can
 * widen it (a different purpose, another caller, a decision it was not given).
 */
export interface DataScope {
  readonly purpose: Purpose | null;
  readonly agreement: string | null;
  readonly caller: Caller | null;
  /** The gate's decision; absent outside a request (CLI work), where feature rules fail closed. */
  readonly decision: AllowedDecision | null;
}

export function scopeOf(decision: AllowedDecision | null, caller: Caller | null): DataScope {
  return Object.freeze({
    purpose: decision?.purpose?.name ?? null,
    agreement: decision?.purpose?.agreement ?? null,
    caller,
    decision,
  });
}
