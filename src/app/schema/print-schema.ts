import { printSchemaWithDirectives } from "@graphql-tools/utils";
import type { GraphQLSchema } from "graphql";

/** The SDL with applied directives (`@allowedFor`, `@reveals`), as committed in schema/schema.graphql. */
export function printGatewaySchema(schema: GraphQLSchema): string {
  return printSchemaWithDirectives(schema) + "\n";
}
