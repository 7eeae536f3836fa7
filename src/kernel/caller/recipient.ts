import type { Purpose } from "../purposes/purpose";
import type { DisclosureGround } from "../purposes/disclosure-ground";

/**
 * Who receives personal data outside the company: a third party (Section 3: on one of the
 * five grounds) or an outsourced processor (Section 4: under contract, for our purposes).
 */
export type RecipientKind = "THIRD_PARTY" | "PROCESSOR";
export const RECIPIENT_KINDS: readonly RecipientKind[] = ["THIRD_PARTY", "PROCESSOR"];

/** A recipient as the gate sees it on the authenticated caller. */
export interface RecipientGrant {
  id: string;
  name: string;
  kind: RecipientKind;
  /** the contract (processor) or data-sharing agreement (third party) reference */
  contractRef: string;
  /** third parties: the grounds they may receive data on */
  grounds: readonly DisclosureGround[];
  /** processors: the purposes they process for */
  purposes: readonly Purpose[];
  /** the field coordinates (`Customer.email`) they may receive */
  fields: readonly string[];
}

export const isThirdParty = (r: RecipientGrant | null | undefined): r is RecipientGrant => r?.kind === "THIRD_PARTY";
export const isProcessor = (r: RecipientGrant | null | undefined): r is RecipientGrant => r?.kind === "PROCESSOR";
