import { GraphQLError, type ASTNode } from "graphql";

/** A refusal or input error with its code (from the error catalogue) and details for the caller. */
export function refusal(
  code: string,
  message: string,
  details: Record<string, unknown> = {},
  nodes?: ASTNode | readonly ASTNode[],
): GraphQLError {
  return new GraphQLError(message, { nodes, extensions: { code, ...details } });
}
