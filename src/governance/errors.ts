import { GraphQLError, type ASTNode } from "graphql";

/** The gateway's own error codes (`extensions.code`) and the HTTP status each answers with. */
export const GovernanceCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  PURPOSE_REQUIRED: "PURPOSE_REQUIRED",
  PURPOSE_NOT_GRANTED: "PURPOSE_NOT_GRANTED",
  PURPOSE_NOT_PERMITTED: "PURPOSE_NOT_PERMITTED",
  BAD_REQUEST: "BAD_REQUEST",
} as const;
export type GovernanceCode = (typeof GovernanceCode)[keyof typeof GovernanceCode] | (string & {});

const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  PURPOSE_REQUIRED: 400,
  BAD_REQUEST: 400,
  BAD_USER_INPUT: 400,
  PURPOSE_NOT_GRANTED: 403,
  PURPOSE_NOT_PERMITTED: 403,
};

/** The HTTP status of a refusal: the first error's, 403 for codes without one (fail closed). */
export function statusFor(code: string): number {
  return STATUS[code] ?? 403;
}

/** Lets later capabilities (disclosure grounds, privacy budgets, …) give their codes a status. */
export function registerStatus(code: string, status: number): void {
  STATUS[code] = status;
}

export function refusal(
  code: GovernanceCode,
  message: string,
  details: Record<string, unknown> = {},
  nodes?: ASTNode | readonly ASTNode[],
): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code, ...details } });
}
