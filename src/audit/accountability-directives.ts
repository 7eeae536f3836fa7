import type { GraphQLDirective, GraphQLSchema } from "graphql";
import { disclosureDirective } from "../disclosure/directives";
import { requiresRoleDirective } from "./roles";

/** The accountability directives (`@disclosure`, `@requiresRole`), over the built schema's types. */
export function accountabilityDirectives(built: GraphQLSchema): GraphQLDirective[] {
  return [disclosureDirective(built), requiresRoleDirective()];
}
