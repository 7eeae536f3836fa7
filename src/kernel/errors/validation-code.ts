import type { GraphQLError } from "graphql";
import { KernelCode } from "./catalogue";

/**
 * graphql-js reports an unknown enum value as a validation error. For the `Purpose` enum that
 * is the caller naming a purpose the agreement does not have: documented (and answered) as
 * BAD_USER_INPUT, with a message that lists the purposes (they are public: Section 1).
 */
const UNKNOWN_PURPOSE = /^Value "([^"]*)" does not exist in "Purpose" enum\./;

export function validationErrorCode(message: string): string {
  return UNKNOWN_PURPOSE.test(message) ? KernelCode.BAD_USER_INPUT : KernelCode.GRAPHQL_VALIDATION_FAILED;
}

export function unknownPurposeMessage(message: string, purposes: readonly string[]): string | null {
  const match = UNKNOWN_PURPOSE.exec(message);
  return match
    ? `"${match[1]}" is not a purpose of the Personal Information Handling Agreement; the purposes are ${purposes.join(", ")}.`
    : null;
}

/** Validation messages as the gateway sends them: without "Did you mean …?" (no schema probing). */
export function withoutSuggestions(error: GraphQLError): string {
  return error.message.replace(/ ?Did you mean(.+?)\?$/, "");
}
