import type { Purpose } from "../purposes/purpose";
import type { RecipientGrant } from "./recipient";
import type { ComplianceRole } from "./roles";

/** Who is calling: an API client, with the purposes it has been granted. Frozen once authenticated. */
export interface Caller {
  readonly id: string;
  readonly name: string;
  readonly purposes: readonly Purpose[];
  /** The third party or processor this client acts for (agreement Sections 3 and 4), if any. */
  readonly recipient?: RecipientGrant | null;
  /** Compliance roles beyond purposes (e.g. PRIVACY_OFFICER). */
  readonly roles?: readonly ComplianceRole[];
}
