import { getNamedType, isInterfaceType, isObjectType, isUnionType, type GraphQLNamedType, type GraphQLSchema } from "graphql";

export const STATISTICS_ROOT = "Query.statistics";

const cache = new WeakMap<GraphQLSchema, ReadonlySet<string>>();

/**
 * Every coordinate reachable from `Query.statistics` (that field, and every field of every
 * type beneath it). Under USAGE_STATISTICS nothing else may be reached. Empty when the
 * schema has no `statistics` root: then nothing at all is reachable for that purpose.
 */
export function statisticsCoordinates(schema: GraphQLSchema): ReadonlySet<string> {
  const cached = cache.get(schema);
  if (cached) return cached;
  const coordinates = new Set<string>();
  const root = schema.getQueryType()?.getFields().statistics;
  if (root) {
    coordinates.add(STATISTICS_ROOT);
    const seen = new Set<string>();
    const walk = (type: GraphQLNamedType) => {
      if (seen.has(type.name)) return;
      seen.add(type.name);
      const members = isUnionType(type) ? type.getTypes() : isInterfaceType(type) ? [type, ...schema.getPossibleTypes(type)] : [type];
      for (const member of members) {
        if (member !== type) walk(member);
        if (!isObjectType(member) && !isInterfaceType(member)) continue;
        for (const field of Object.values(member.getFields())) {
          coordinates.add(`${member.name}.${field.name}`);
          walk(getNamedType(field.type));
        }
      }
    };
    walk(getNamedType(root.type));
  }
  cache.set(schema, coordinates);
  return coordinates;
}

/** The names of the output types reachable beneath `Query.statistics`. */
export function statisticsTypes(schema: GraphQLSchema): Set<string> {
  return new Set([...statisticsCoordinates(schema)].filter((c) => c !== STATISTICS_ROOT).map((c) => c.split(".")[0]));
}
