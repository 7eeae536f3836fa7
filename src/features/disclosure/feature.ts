import type { GatewayFeature } from "../../kernel/feature";
import { DisclosureCodes } from "./codes";
import { disclosureDirective } from "./directives";
import { DisclosureQueries } from "./disclosure-graphql";
import { recipientRowRule } from "./recipient-row-rule";
import { requireContractedProcessorFields } from "./rules/require-contracted-processor-fields";
import { requireContractedProcessorPurpose } from "./rules/require-contracted-processor-purpose";
import { requireDisclosureGround } from "./rules/require-disclosure-ground";
import { requireDisclosureReference } from "./rules/require-disclosure-reference";
import { requireGrantedGround } from "./rules/require-granted-ground";
import { requireRegisteredRecipientFields } from "./rules/require-registered-recipient-fields";
import { requireStatisticsOnlyDisclosure } from "./rules/require-statistics-only-disclosure";
import { disclosureOf } from "./operation-disclosure";
import { ledgerReader } from "./services";

/** Third parties (Section 3) and processors (Section 4): grounds, contracts, the ledger. */
export const disclosureFeature: GatewayFeature = {
  name: "disclosure",
  codes: DisclosureCodes.table,
  resolvers: [DisclosureQueries],
  directives: (built) => [disclosureDirective(built)],
  rules: {
    recipient: [requireDisclosureGround, requireContractedProcessorPurpose],
    "recipient-grant": [requireGrantedGround],
    "recipient-reference": [requireDisclosureReference],
    contract: [requireStatisticsOnlyDisclosure, requireRegisteredRecipientFields, requireContractedProcessorFields],
  },
  rowRules: [recipientRowRule],
  start: ({ db }) => ({
    services: [ledgerReader(db)],
    // the receipt names the ground an allowed disclosure was made on
    receipt(ctx) {
      const decision = ctx?.decision;
      if (!decision?.allowed || !decision.input?.operation) return {};
      const declared = disclosureOf(decision.input);
      return declared.kind === "declared" ? { disclosureGround: declared.disclosure.ground } : {};
    },
  }),
};
