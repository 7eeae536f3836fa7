import { HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import type { PurposeScopedData } from "../kernel/data/purpose-scoped-data";
import { scopeOf, type DataScope } from "../kernel/data/data-scope";
import { lockState, type GatewayContext } from "../kernel/request-context";
import type { AllowedDecision, Decision, Gate, RefusedDecision } from "../kernel/gate/gate";
import { operationsTotal } from "../observability/metrics";

/**
 * Enforcement on the request lifecycle: after the operation is parsed and validated and
 * before anything executes, the gate decides. A refused operation gets its errors (one per
 * offending field) and never reaches a resolver; an allowed one gets a data layer scoped
 * to its declared purpose. Runs for every request, whatever the document cache holds.
 * `afterGate` runs the features' checks that need the database (an individual agreement
 * must be registered) on an allowed decision, in order, and each may still refuse it.
 */
export function governancePlugin(
  gate: Gate,
  openData: (scope: DataScope) => PurposeScopedData,
  afterGate: ReadonlyArray<(decision: AllowedDecision) => Promise<Decision>> = [],
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      // Apollo hands each operation its own copy of the context: lock the copy resolvers see
      lockState(contextValue);
      let refused: RefusedDecision | null = null;
      return {
        async didResolveOperation(rc) {
          let decision: Decision = gate.decide({
            document: rc.document,
            operation: rc.operation,
            variables: rc.request.variables,
            caller: rc.contextValue.caller,
          });
          for (const check of afterGate) {
            if (!decision.allowed) break;
            decision = await check(decision);
          }
          rc.contextValue.decide(decision);
          operationsTotal.inc({ purpose: decision.purpose?.name ?? "NONE", outcome: decision.allowed ? "allowed" : "refused" });
          if (!decision.allowed) {
            refused = decision;
            // A refused document must not become a persisted query (Apollo registers APQs
            // after this hook unless told otherwise): its hash stays unknown.
            rc.metrics.persistedQueryRegister = false;
            return;
          }
          rc.contextValue.open(openData(scopeOf(decision, rc.contextValue.caller)));
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
