import "reflect-metadata";
import { GraphQLObjectType, type GraphQLSchema } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { buildGatewaySchema } from "../../src/app/schema/build-schema";

/**
 * Plain fields are read by graphql-js's default resolver, not through type-graphql's
 * middleware wrapper (build-schema.ts); a field whose schema name is not its property's keeps
 * a resolver that reads the property.
 */
let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

const field = (type: string, name: string) => (schema.getType(type) as GraphQLObjectType).getFields()[name];

describe("field resolvers", () => {
  it("leaves plain fields to the default resolver", () => {
    for (const [type, name] of [
      ["Customer", "fullName"],
      ["Customer", "email"],
      ["ServiceUsage", "amount"],
      ["ServiceUsage", "occurredAt"],
    ]) {
      expect(field(type, name).resolve, `${type}.${name}`).toBeUndefined();
    }
  });

  it("keeps a resolver for a field named otherwise than its property", () => {
    const agreement = field("Consent", "agreement");
    expect(agreement.resolve).toBeTypeOf("function");
    expect(agreement.resolve!({ agreementKey: "survey-2026" }, {}, {}, {} as never)).toBe("survey-2026");
  });
});
