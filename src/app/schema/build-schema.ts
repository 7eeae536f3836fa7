import "reflect-metadata";
import { GraphQLEnumType, GraphQLSchema, specifiedDirectives } from "graphql";
import { buildSchema, getMetadataStorage } from "type-graphql";
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
  useDefaultResolvers();
  const built = await buildSchema({ resolvers: composition.resolvers as any, validate: { forbidUnknownValues: false } });
  const purpose = built.getType("Purpose");
  if (!(purpose instanceof GraphQLEnumType)) throw new Error("Purpose enum missing from schema");
  const governed = new GraphQLSchema({
    ...built.toConfig(),
    directives: [...specifiedDirectives, ...governanceDirectives(purpose), requiresRoleDirective(), ...composition.directives(built)],
  });
  return describePurposes(governed);
}

/**
 * type-graphql wraps every plain field (a property, no field resolver) in a resolver that runs
 * the field's middlewares and reads the property; the gateway gives none (enforcement is the
 * gate's, before execution), so the wrapper is pure cost on every field of every answer.
 * Plain fields get graphql-js's default resolver instead, which reads the property named as
 * the field; a field named otherwise in the schema (`agreement` for `agreementKey`), or one
 * with middlewares, keeps its wrapper.
 */
function useDefaultResolvers(): void {
  for (const field of getMetadataStorage().fields) {
    field.simple ??= field.schemaName === field.name && (field.middlewares ?? []).length === 0;
  }
}
