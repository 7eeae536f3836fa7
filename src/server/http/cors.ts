import cors from "cors";

/**
 * Browser apps on other origins (CORS). Only the origins in `CORS_ORIGINS` get an
 * `Access-Control-Allow-Origin`; every other origin gets none, so the browser keeps the answer
 * from the page. No cookies are used (`credentials` off): the API key travels in the
 * `Authorization` header, which makes every call from a browser preflighted.
 */
export function corsFor(origins: readonly string[]) {
  const allowed = new Set(origins);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ["GET", "POST", "OPTIONS"],
    allowedHeaders: [
      "authorization",
      "content-type",
      "accept",
      "x-request-id",
      "apollo-require-preflight",
      "x-apollo-operation-name",
      "traceparent",
      "tracestate",
    ],
    exposedHeaders: ["x-request-id", "retry-after"],
    credentials: false,
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
}

/**
 * CSRF prevention stays on for simple requests (a form post or an `<img>` GET carries no
 * custom header and no JSON content type). Any of these headers proves the browser
 * preflighted the request; `authorization` is one of them, which lets urql's and
 * graphql-request's GET requests through (they send the API key, and no content type).
 */
export const CSRF_PREFLIGHT_HEADERS = ["x-apollo-operation-name", "apollo-require-preflight", "authorization"];
