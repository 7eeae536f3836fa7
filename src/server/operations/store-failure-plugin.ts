import type { ApolloServerPlugin } from "@apollo/server";
import { isStoreUnavailable } from "../../db/store-errors";
import { KernelCode } from "../../kernel/errors/catalogue";
import type { GatewayContext } from "../../kernel/request-context";
import { storeFailuresTotal } from "../../observability/metrics";

export const STORE_UNAVAILABLE_MESSAGE = "The data store is unavailable or did not answer in time, so nothing was served. Try again later.";

/**
 * An operation during which the store failed (unreachable, restarting, a statement timeout)
 * is answered 503 STORE_UNAVAILABLE with no data at all, not a 200 with some fields missing
 * or a 500. Runs right after governance, before the audit trail: its answer is the one the
 * audit event records (the event is written if the trail can be).
 */
export function storeFailurePlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let failed = false;
      return {
        async didEncounterErrors(rc) {
          if (rc.errors.some(isStoreUnavailable)) failed = true;
        },
        // Apollo starts the willSendResponse hooks in plugin order: this one changes the
        // response synchronously, before the audit plugin's hook reads it.
        async willSendResponse(rc) {
          if (!failed) return;
          storeFailuresTotal.inc({ code: KernelCode.STORE_UNAVAILABLE });
          rc.response.body = {
            kind: "single",
            singleResult: { errors: [{ message: STORE_UNAVAILABLE_MESSAGE, extensions: { code: KernelCode.STORE_UNAVAILABLE } }] },
          };
          rc.response.http.status = 503;
        },
      };
    },
  };
}
