import type { GraphQLFormattedError } from "graphql";
import { KernelCode, type ErrorCatalogue } from "../kernel/errors/catalogue";
import { isStoreUnavailable } from "../db/store-errors";
import { unknownPurposeMessage, validationErrorCode } from "../kernel/errors/validation-code";
import { ALL_PURPOSES } from "../kernel/purposes/purpose";
import { logger } from "../observability/logger";
import { STORE_UNAVAILABLE_MESSAGE } from "./operations/store-failure-plugin";

/**
 * Errors as the caller sees them. Codes the catalogue marks safe keep their message (written
 * for the caller); anything else (a database error, a bug, a code nobody defined) is replaced
 * by a generic message, so no SQL, stack or personal value reaches the client.
 */
export function createFormatError(catalogue: ErrorCatalogue) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = String(formatted.extensions?.code ?? KernelCode.INTERNAL_SERVER_ERROR);
    if (code === KernelCode.GRAPHQL_VALIDATION_FAILED) {
      // an unknown purpose is the caller's bad input, as documented, not a schema mismatch
      const message = unknownPurposeMessage(formatted.message, ALL_PURPOSES);
      if (message) return { message, locations: formatted.locations, extensions: { code: validationErrorCode(formatted.message) } };
    }
    if (catalogue.isSafe(code)) {
      const { stacktrace: _s, exception: _e, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
      return { ...formatted, extensions };
    }
    if (isStoreUnavailable(error)) {
      // the whole response becomes 503 STORE_UNAVAILABLE (store-failure-plugin.ts); logged once per interval
      logger.warn({ err: error }, "store unavailable during an operation");
      return { message: STORE_UNAVAILABLE_MESSAGE, path: formatted.path, extensions: { code: KernelCode.STORE_UNAVAILABLE } };
    }
    logger.error({ err: error, path: formatted.path }, "internal error (masked in the response)");
    return { message: "Internal server error", path: formatted.path, extensions: { code: KernelCode.INTERNAL_SERVER_ERROR } };
  };
}
