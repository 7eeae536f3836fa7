import type { GatewayFeature } from "../../kernel/feature";
import { ensurePolicyVersion } from "./bootstrap";
import { policyReader } from "./policy-reader";
import { PrivacyPolicyResolver } from "./policy-resolvers";

/** Section 5: the published, versioned agreement; the first version recorded at start-up. */
export const policyFeature: GatewayFeature = {
  name: "policy",
  resolvers: [PrivacyPolicyResolver],
  async start({ db, policy }) {
    // the first policy version is recorded on an empty history; drift is logged
    await ensurePolicyVersion(db, policy);
    return { services: [policyReader(db)] };
  },
};
