import { HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import type { PurposeScopedData } from "../data/purpose-scoped-data";
import { consentCoordinatesOf } from "../consent/consent-coordinates";
import { scopeOf, type DataScope } from "../data/data-scope";
import { withDisclosure } from "../disclosure/disclosure-scope";
import type { GatewayContext } from "../graphql/context";
import type { Decision, Gate } from "../governance/gate";
import { operationsTotal } from "../observability/metrics";

/**
 * Enforcement on the request lifecycle: after the operation is parsed and validated and
 * before anything executes, the gate decides. A refused operation gets its errors (one per
 * offending field) and never reaches a resolver; an allowed one gets a data layer scoped
 * to its declared purpose. Runs for every request, whatever the document cache holds.
 * `afterGate` runs the checks that need the database (an individual agreement must be
 * registered) on an allowed decision, and may still refuse it.
 */
export function governancePlugin(
  gate: Gate,
  openData: (scope: DataScope) => PurposeScopedData,
  afterGate?: (decision: Extract<Decision, { allowed: true }>) => Promise<Decision>,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let refused: Extract<Decision, { allowed: false }> | null = null;
      return {
        async didResolveOperation(rc) {
          const decided = gate.decide({
            document: rc.document,
            operation: rc.operation,
            variables: rc.request.variables,
            caller: rc.contextValue.caller,
          });
          const decision = decided.allowed && afterGate ? await afterGate(decided) : decided;
          rc.contextValue.decision = decision;
          operationsTotal.inc({ purpose: decision.purpose?.name ?? "NONE", outcome: decision.allowed ? "allowed" : "refused" });
          if (!decision.allowed) {
            refused = decision;
            // A refused document must not become a persisted query (Apollo registers APQs
            // after this hook unless told otherwise): its hash stays unknown.
            rc.metrics.persistedQueryRegister = false;
            return;
          }
          rc.contextValue.open(openData(withDisclosure(scopeOf(decision.purpose, rc.contextValue.caller, consentCoordinatesOf(decision)), decision)));
        },
        async responseForOperation() {
          if (!refused) return null;
          return {
            http: { status: refused.status, headers: new HeaderMap() },
            body: { kind: "single", singleResult: { errors: refused.errors.map((e) => e.toJSON()) } },
          };
        },
      };
    },
  };
}
