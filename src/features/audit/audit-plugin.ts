import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from "@apollo/server";
import { addToReceipt, receiptIn } from "../../kernel/receipt";
import type { GatewayContext } from "../../kernel/request-context";
import { logger } from "../../observability/logger";
import type { AuditWriter } from "./audit-writer";
import { buildAuditEntry, unexpectedErrorEntry } from "./build-entry";
import { AuditCode } from "./codes";

export const AUDIT_UNAVAILABLE_MESSAGE = "The audit trail could not record this operation, so its response is withheld. Try again later.";

/**
 * One audit event per GraphQL request — executed, refused by the gate, or rejected by
 * parsing or validation — committed in `willSendResponse`, i.e. before the response
 * leaves. If the event cannot be committed the response is replaced by an error with no
 * data (HTTP 503, AUDIT_UNAVAILABLE): nothing is served that the trail does not show.
 */
export function auditPlugin(writer: AuditWriter): ApolloServerPlugin<GatewayContext> {
  return {
    /**
     * A hook that threw skips willSendResponse and Apollo answers a bare internal error
     * (no data). Apollo does not wait for this hook, so the event is recorded best effort.
     */
    async unexpectedErrorProcessingRequest({ requestContext }) {
      const entry = unexpectedErrorEntry(requestContext.contextValue, new Date());
      await writer.append(entry).catch((error) => logger.error({ err: error }, "audit event of an internal error not committed"));
    },
    async requestDidStart() {
      const occurredAt = new Date();
      return {
        async willSendResponse(rc) {
          try {
            const event = await writer.append(buildAuditEntry(rc, occurredAt));
            // the receipt names the committed event: the caller can quote it to the privacy officer
            const body = rc.response.body;
            addToReceipt(body.kind === "single" ? body.singleResult : body.initialResult, { auditSeq: event.seq.toString() });
          } catch (error) {
            logger.error({ err: error, requestId: rc.contextValue.requestId }, "audit event not committed: response withheld");
            withhold(rc);
          }
        },
      };
    },
  };
}

function withhold(rc: GraphQLRequestContextWillSendResponse<GatewayContext>): void {
  const body = rc.response.body;
  const receipt = receiptIn(body.kind === "single" ? body.singleResult : body.initialResult);
  const singleResult: { errors: Array<{ message: string; extensions: Record<string, unknown> }>; extensions?: Record<string, unknown> } = {
    errors: [{ message: AUDIT_UNAVAILABLE_MESSAGE, extensions: { code: AuditCode.AUDIT_UNAVAILABLE } }],
  };
  // nothing was recorded and nothing is carried: the receipt says so
  if (receipt) addToReceipt(singleResult, { ...receipt, auditSeq: null, customers: 0 });
  rc.response.body = { kind: "single", singleResult };
  rc.response.http.status = 503;
}
