import { getDirectiveValues, GraphQLSchema, isInputObjectType, isInterfaceType, isObjectType, type GraphQLDirective } from "graphql";
import { ALLOWED_FOR, PUBLIC, REVEALS } from "../schema/directives";
import type { Purpose } from "../purposes/purpose";

/**
 * What the schema says about purposes, read once from the built schema's `@allowedFor`
 * and `@reveals` directives. `null` means the field holds no personal data.
 */
export interface FieldPolicy {
  /** The purposes `Type.field` may be read for, or null when it is not restricted. */
  allowedPurposes(coordinate: string): readonly Purpose[] | null;
  /** The data field an input field reveals when used in a filter or sort, if any. */
  revealedBy(inputCoordinate: string): string | null;
  /** Every restricted output coordinate with its purposes. */
  restricted(): ReadonlyMap<string, readonly Purpose[]>;
}

export function readFieldPolicy(schema: GraphQLSchema): FieldPolicy {
  const allowedFor = requireDirective(schema, ALLOWED_FOR);
  const publicDirective = requireDirective(schema, PUBLIC);
  const reveals = requireDirective(schema, REVEALS);
  const isPublic = (node: Parameters<typeof getDirectiveValues>[1]): boolean => getDirectiveValues(publicDirective, node) !== undefined;
  const purposesOf = (node: Parameters<typeof getDirectiveValues>[1]): Purpose[] | null =>
    (getDirectiveValues(allowedFor, node)?.purposes as Purpose[] | undefined) ?? null;

  const restricted = new Map<string, readonly Purpose[]>();
  const revealed = new Map<string, string>();
  const unlabelled: string[] = [];
  const ambiguous: string[] = [];

  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      const typeLevel = type.astNode ? purposesOf(type.astNode) : null;
      const typePublic = type.astNode ? isPublic(type.astNode) : false;
      if (typeLevel && typePublic) ambiguous.push(type.name);
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        const own = field.astNode ? purposesOf(field.astNode) : null;
        const ownPublic = field.astNode ? isPublic(field.astNode) : false;
        if (own && ownPublic) ambiguous.push(coordinate);
        // a field's own label overrides its type's
        const effective = own ?? (ownPublic ? null : typeLevel);
        if (effective) restricted.set(coordinate, Object.freeze([...effective]));
        else if (!ownPublic && !typePublic) unlabelled.push(coordinate);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        const target = field.astNode ? (getDirectiveValues(reveals, field.astNode)?.coordinate as string | undefined) : undefined;
        if (target) revealed.set(`${type.name}.${field.name}`, target);
      }
    }
  }

  // Nothing unlabelled: a field nobody classified would be readable by anyone. Refuse to start.
  if (unlabelled.length) {
    throw new Error(`every field must be @allowedFor some purposes or @public; these are neither: ${unlabelled.join(", ")}`);
  }
  if (ambiguous.length) throw new Error(`these are both @allowedFor and @public: ${ambiguous.join(", ")}`);

  for (const [input, target] of revealed) {
    // A @reveals pointing nowhere would silently permit the filter: refuse to start instead.
    const [typeName, fieldName] = target.split(".");
    const type = schema.getType(typeName);
    if (!type || !(isObjectType(type) || isInterfaceType(type)) || !type.getFields()[fieldName]) {
      throw new Error(`${input} @reveals unknown field ${target}`);
    }
  }

  return {
    allowedPurposes: (coordinate) => restricted.get(coordinate) ?? null,
    revealedBy: (inputCoordinate) => revealed.get(inputCoordinate) ?? null,
    restricted: () => restricted,
  };
}

function requireDirective(schema: GraphQLSchema, name: string): GraphQLDirective {
  const directive = schema.getDirective(name);
  if (!directive) throw new Error(`schema lacks the @${name} directive`);
  return directive;
}
