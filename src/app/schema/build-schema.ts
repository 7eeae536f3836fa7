import "reflect-metadata";
import { GraphQLEnumType, GraphQLSchema, specifiedDirectives } from "graphql";
import { buildSchema } from "type-graphql";
import "../../kernel/purposes/purpose"; // registers the Purpose enum
import { governanceDirectives } from "../../kernel/schema/directives";
import { requiresRoleDirective } from "../../kernel/schema/requires-role";
import { compose, type Composition } from "../compose";
import { describePurposes } from "./purpose-descriptions";

/**
 * Builds the gateway's schema from the composed features' decorated classes. The kernel's
 * directives are defined over the schema's own generated `Purpose` enum (one Purpose type in
 * the SDL), so the schema is assembled again with them and the features' directives; then
 * every personal field's description is given its permitted purposes (purpose-descriptions.ts).
 */
export async function buildGatewaySchema(composition: Composition = compose()): Promise<GraphQLSchema> {
  const built = await buildSchema({ resolvers: composition.resolvers as any, validate: { forbidUnknownValues: false } });
  const purpose = built.getType("Purpose");
  if (!(purpose instanceof GraphQLEnumType)) throw new Error("Purpose enum missing from schema");
  const governed = new GraphQLSchema({
    ...built.toConfig(),
    directives: [...specifiedDirectives, ...governanceDirectives(purpose), requiresRoleDirective(), ...composition.directives(built)],
  });
  return describePurposes(governed);
}
