import { isInterfaceType, isObjectType, type GraphQLSchema } from "graphql";

/** The coordinates among `fields` that name no output field of the schema (typos, removed fields). */
export function unknownCoordinates(schema: GraphQLSchema, fields: readonly string[]): string[] {
  return fields.filter((coordinate) => {
    const [typeName, fieldName] = coordinate.split(".");
    const type = schema.getType(typeName);
    return !(type && (isObjectType(type) || isInterfaceType(type)) && type.getFields()[fieldName]);
  });
}
