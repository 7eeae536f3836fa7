import "reflect-metadata";
import { GraphQLEnumType, GraphQLSchema, specifiedDirectives } from "graphql";
import { buildSchema } from "type-graphql";
import { RESOLVERS } from "../graphql/resolvers";
import { governanceDirectives } from "../purposes/directives";
import { accountabilityDirectives } from "../audit/accountability-directives";
import "../purposes/purpose"; // registers the Purpose enum

/**
 * Builds the gateway's schema from the decorated classes. The governance directives are
 * defined over the schema's own generated `Purpose` enum (one Purpose type in the SDL), so
 * the schema is assembled again with them: same types, plus the directive definitions.
 */
export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  const built = await buildSchema({ resolvers: RESOLVERS as any, validate: { forbidUnknownValues: false } });
  const purpose = built.getType("Purpose");
  if (!(purpose instanceof GraphQLEnumType)) throw new Error("Purpose enum missing from schema");
  const schema = new GraphQLSchema({
    ...built.toConfig(),
    directives: [...specifiedDirectives, ...governanceDirectives(purpose), ...accountabilityDirectives(built)],
  });
  return schema;
}
