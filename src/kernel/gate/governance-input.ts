import type { ASTNode, GraphQLSchema, OperationDefinitionNode } from "graphql";
import type { Purpose } from "../purposes/purpose";
import type { Caller } from "../caller/caller";
import type { FieldPolicy } from "./field-policy";
import type { Reach } from "./reach";

export type { Caller } from "../caller/caller";

/** What the operation declares with `@purpose`. */
export interface DeclaredPurpose {
  name: Purpose;
  agreement: string | null;
}

/** Everything a governance rule may look at. Rules are pure functions of it. */
export interface GovernanceInput {
  schema: GraphQLSchema;
  policy: FieldPolicy;
  operation: OperationDefinitionNode;
  reach: Reach;
  /** input coordinates used by the operation: literal ones and those from this request's variables */
  inputs: ReadonlyMap<string, ASTNode>;
  purpose: DeclaredPurpose | null;
  caller: Caller | null;
  variables: Record<string, unknown> | undefined;
}

/** A governance rule: returns the refusals it finds (none = no objection). */
export type GovernanceRule = (input: GovernanceInput) => readonly import("graphql").GraphQLError[];

/** Does the operation reach any restricted (personal) field? */
export function reachesPersonalData({ reach, policy }: Pick<GovernanceInput, "reach" | "policy">): boolean {
  for (const coordinate of reach.fields.keys()) if (policy.allowedPurposes(coordinate)) return true;
  return false;
}
