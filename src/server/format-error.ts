import type { GraphQLFormattedError } from "graphql";
import { logger } from "../observability/logger";

/**
 * Codes whose messages are written for the caller. Anything else (a database error, a bug)
 * is replaced by a generic message, so no SQL, stack or personal value reaches the client.
 */
const SAFE_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "PURPOSE_REQUIRED",
  "PURPOSE_NOT_GRANTED",
  "PURPOSE_NOT_PERMITTED",
  "NOT_FOUND",
  "INVALID_REQUEST_STATE",
]);

export function allowSafeErrorCode(code: string): void {
  SAFE_CODES.add(code);
}

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? "INTERNAL_SERVER_ERROR");
  if (SAFE_CODES.has(code)) {
    const { stacktrace: _s, exception: _e, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    return { ...formatted, extensions };
  }
  logger.error({ err: error, path: formatted.path }, "internal error (masked in the response)");
  return { message: "Internal server error", path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
}
