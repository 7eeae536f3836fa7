import type { ApolloServerPlugin } from "@apollo/server";
import type { GatewayContext } from "../../kernel/request-context";
import type { RequestOutcome, RequestRecord } from "./request-record";

const PARSE_FAILED = "GRAPHQL_PARSE_FAILED";

/**
 * Fills the request's record (its log line, metrics and span) with what GraphQL decided:
 * the declared purpose and whether the gate allowed it; before the gate, whether the
 * document did not parse or was invalid. Synchronous, like the other answer-time plugins.
 */
export function recordPlugin(recordOf: (ctx: GatewayContext) => RequestRecord | undefined): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        willSendResponse(rc) {
          const record = recordOf(rc.contextValue);
          if (!record) return Promise.resolve();
          const decision = rc.contextValue.decision;
          record.purpose = decision?.purpose?.name ?? null;
          let outcome: RequestOutcome;
          if (decision) outcome = decision.allowed ? "allowed" : "refused";
          else {
            const body = rc.response.body;
            const errors = (body.kind === "single" ? body.singleResult : body.initialResult).errors ?? [];
            outcome = errors.some((e) => e.extensions?.code === PARSE_FAILED) ? "parse_failed" : "invalid";
          }
          record.outcome = outcome;
          return Promise.resolve();
        },
      };
    },
  };
}
