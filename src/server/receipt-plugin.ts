import type { ApolloServerPlugin } from "@apollo/server";
import type { GovernanceReceipt } from "../kernel/receipt";
import { addToReceipt } from "../kernel/receipt";
import type { GatewayContext } from "../kernel/request-context";

type Contribution = (ctx: GatewayContext | null) => Partial<GovernanceReceipt>;

/**
 * Puts the receipt (`extensions.governance`) on every GraphQL answer, refused ones included:
 * the request id, the declared purpose and agreement, how many customers' data the answer
 * carries (as the audit trail counts them), and what the features add (the policy version
 * in force, the disclosure ground). The audit plugin adds its event's sequence number once
 * the event is committed. Synchronous: it reads only what the request already holds.
 */
export function receiptPlugin(contributions: readonly Contribution[]): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        willSendResponse(rc) {
          const body = rc.response.body;
          const result = body.kind === "single" ? body.singleResult : body.initialResult;
          const ctx = rc.contextValue;
          const decision = ctx.decision;
          const hasData = result.data !== undefined && result.data !== null;
          const customers = decision?.allowed && hasData && ctx.opened ? ctx.data.released.size : 0;
          const receipt: Partial<GovernanceReceipt> = {
            requestId: ctx.requestId,
            purpose: decision?.purpose?.name ?? null,
            agreement: decision?.purpose?.agreement ?? null,
            customers,
          };
          for (const contribute of contributions) Object.assign(receipt, contribute(ctx));
          addToReceipt(result, receipt);
          return Promise.resolve();
        },
      };
    },
  };
}
