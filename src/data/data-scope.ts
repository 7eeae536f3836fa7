import type { Caller, DeclaredPurpose } from "../governance/governance-input";
import type { DeclaredDisclosure } from "../disclosure/declared-disclosure";
import type { Purpose } from "../purposes/purpose";

/** What the data layer is scoped to for one request: the declared purpose and the caller. */
export interface DataScope {
  purpose: Purpose | null;
  agreement: string | null;
  caller: Caller | null;
  /**
   * Under a consent-based purpose (INDIVIDUAL_AGREEMENT): the restricted fields the operation
   * uses. A customer's consent must postdate the policy version that made each of them
   * reachable (src/consent/consent-version-rule.ts). Unset: the consent must be given under
   * the version in force (fail closed).
   */
  consentCoordinates?: readonly string[];
  /**
   * The operation's `@disclosure` (agreement Section 3), for a third party's rows: on
   * CUSTOMER_CONSENT only customers who consented to that recipient. Unset for a third
   * party: no rows at all (fail closed, src/disclosure/recipient-row-rule.ts).
   */
  disclosure?: DeclaredDisclosure | null;
}

export function scopeOf(purpose: DeclaredPurpose | null, caller: Caller | null, consentCoordinates?: readonly string[]): DataScope {
  return { purpose: purpose?.name ?? null, agreement: purpose?.agreement ?? null, caller, consentCoordinates };
}
