import type { GatewayFeature } from "../../kernel/feature";
import { agreementCheck } from "./agreement-check";
import { consentRecords } from "./consent-data";
import { ConsentMutations, CustomerConsentFields } from "./consent-resolvers";
import { individualAgreementRowRule } from "./consent-row-rule";
import { ConsentCodes } from "./error-codes";
import { CONSENT } from "./consent-table";
import { requireAgreement } from "./rules/require-agreement";

/** Consent (agreement 1.7 and 3.1): records, individual agreements, the consent-version rule. */
export const consentFeature: GatewayFeature = {
  name: "consent",
  requires: ["policy"],
  codes: ConsentCodes.table,
  resolvers: [ConsentMutations, CustomerConsentFields],
  rules: { agreement: [requireAgreement] },
  rowRules: [individualAgreementRowRule],
  tables: [CONSENT],
  start: ({ db, catalogue }) => ({ services: [consentRecords(db)], afterGate: agreementCheck(db, catalogue) }),
};
