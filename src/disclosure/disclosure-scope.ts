import type { DataScope } from "../data/data-scope";
import type { Decision } from "../governance/gate";
import { disclosureOf } from "./operation-disclosure";

/** The data scope of an allowed operation, with the `@disclosure` the gate accepted. */
export function withDisclosure(scope: DataScope, decision: Extract<Decision, { allowed: true }>): DataScope {
  const declared = disclosureOf(decision.input);
  return { ...scope, disclosure: declared.kind === "declared" ? declared.disclosure : null };
}
