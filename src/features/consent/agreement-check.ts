import type { FeatureDb } from "../../kernel/store/feature-db";
import type { Decision } from "../../kernel/gate/gate";
import type { ErrorCatalogue } from "../../kernel/errors/catalogue";
import { refusal } from "../../kernel/errors/refusal";
import { Purpose } from "../../kernel/purposes/purpose";
import { ConsentCode } from "./error-codes";

type Allowed = Extract<Decision, { allowed: true }>;

/**
 * After the gate: an INDIVIDUAL_AGREEMENT operation must name an agreement that is
 * registered and not retired. The gate's rules are pure, so this one database lookup
 * (a primary-key read, not personal data) runs here, fresh on every request, so a
 * retirement takes effect on the next one. Refused before any resolver runs.
 */
export function agreementCheck(db: FeatureDb, catalogue: ErrorCatalogue): (decision: Allowed) => Promise<Decision> {
  return async (decision) => {
    const purpose = decision.purpose;
    if (purpose?.name !== Purpose.INDIVIDUAL_AGREEMENT || !purpose.agreement) return decision;
    const [active] = await db.query(`SELECT 1 FROM individual_agreement WHERE key = $1 AND retired_at IS NULL`, [purpose.agreement]);
    if (active) return decision;
    const error = refusal(
      ConsentCode.AGREEMENT_UNKNOWN,
      `No individual agreement "${purpose.agreement}" is in effect: name a registered agreement (see \`privacyPolicy { individualAgreements { key } }\`).`,
      { purpose: purpose.name, agreement: purpose.agreement },
      decision.input.operation,
    );
    return { allowed: false, status: catalogue.status(ConsentCode.AGREEMENT_UNKNOWN), errors: [error], purpose, reach: decision.reach };
  };
}
