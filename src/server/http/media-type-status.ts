import type { ApolloServerPlugin } from "@apollo/server";
import Negotiator from "negotiator";
import type { GatewayContext } from "../../kernel/request-context";

export const APPLICATION_JSON = "application/json; charset=utf-8";
export const GRAPHQL_RESPONSE_JSON = "application/graphql-response+json; charset=utf-8";

/**
 * The media type an answer is sent as, negotiated from `Accept` exactly as Apollo does
 * (same candidates, same order: no `Accept` or `*\/*` means `application/json`); null when the
 * caller accepts neither (Apollo then answers 406).
 */
export function negotiatedMediaType(accept: string | undefined): string | null {
  if (!accept) return APPLICATION_JSON;
  return new Negotiator({ headers: { accept } }).mediaType([APPLICATION_JSON, GRAPHQL_RESPONSE_JSON]) ?? null;
}

/** Statuses that are HTTP's own answer, whatever the media type: method, media type, size. */
const TRANSPORT_STATUSES = new Set([405, 406, 413, 415]);

/**
 * Status codes as the GraphQL-over-HTTP specification says. With
 * `application/graphql-response+json` a refused or invalid request keeps its 4xx (400, 401,
 * 403, 429 from the error catalogue). With `application/json` every well-formed request is
 * answered 200 with the errors in the body, so clients that treat non-2xx as a network
 * failure (Apollo Client) surface the GraphQL errors and their codes. 5xx stay 5xx. A partial
 * answer (some fields answered, others null with their errors, e.g. one statistics field
 * refused for budget) is 200 under either media type, as the specification asks when data is
 * present; the refused field's code and extensions are in its error (Retry-After is kept).
 * Data that answers nothing (every field null) keeps the refusal's status.
 *
 * Its hook is synchronous and the plugin sits right after governance: Apollo starts the
 * `willSendResponse` hooks in plugin order, so the status is final before the audit plugin
 * records it.
 */
export function mediaTypeStatusPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        willSendResponse(rc) {
          const status = rc.response.http.status ?? 200;
          if (status < 400 || status >= 500 || TRANSPORT_STATUSES.has(status)) return Promise.resolve();
          const { body } = rc.response;
          if (body.kind === "single" && answersSomething(body.singleResult.data)) {
            rc.response.http.status = 200;
            return Promise.resolve();
          }
          if (negotiatedMediaType(rc.request.http?.headers.get("accept")) === APPLICATION_JSON) rc.response.http.status = 200;
          return Promise.resolve();
        },
      };
    },
  };
}

/** Whether data holds any value besides nulls (objects of nulls answer nothing). */
function answersSomething(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value !== "object" || Array.isArray(value)) return true;
  return Object.values(value).some(answersSomething);
}
