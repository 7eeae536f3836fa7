import type { GatewayFeature } from "../../kernel/feature";
import { ensurePolicyVersion } from "./bootstrap";
import { PolicyInForce } from "./policy-in-force";
import { policyPages } from "./policy-page";
import { policyReader } from "./policy-reader";
import { PrivacyPolicyResolver } from "./policy-resolvers";

/** Section 5: the published, versioned agreement; the first version recorded at start-up; the public page. */
export const policyFeature: GatewayFeature = {
  name: "policy",
  resolvers: [PrivacyPolicyResolver],
  async start({ db, policy }) {
    // the first policy version is recorded on an empty history; drift is logged
    await ensurePolicyVersion(db, policy);
    const inForce = await new PolicyInForce(db).start();
    return {
      services: [policyReader(db)],
      receipt: () => ({ policyVersion: inForce.current() }),
      pages: policyPages(db),
      stop: async () => inForce.stop(),
    };
  },
};
