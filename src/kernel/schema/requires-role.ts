import {
  DirectiveLocation,
  getDirectiveValues,
  GraphQLDirective,
  GraphQLEnumType,
  GraphQLNonNull,
  isInterfaceType,
  isObjectType,
  type GraphQLSchema,
} from "graphql";
import { Directive } from "type-graphql";

export { ALL_ROLES, ComplianceRole, isComplianceRole } from "../caller/roles";
import { ComplianceRole } from "../caller/roles";

export const REQUIRES_ROLE = "requiresRole";

/** Marks a field as readable only by clients holding `role` (on top of its purposes). */
export function RequiresRole(role: ComplianceRole): MethodDecorator & PropertyDecorator {
  return Directive(`@${REQUIRES_ROLE}(role: ${role})`);
}

/** `directive @requiresRole(role: ComplianceRole!) on FIELD_DEFINITION`, with its enum. */
export function requiresRoleDirective(): GraphQLDirective {
  const roleEnum = new GraphQLEnumType({
    name: "ComplianceRole",
    description: "Compliance roles granted to API clients beyond their purposes.",
    values: {
      [ComplianceRole.PRIVACY_OFFICER]: { description: "Reads the audit trail, the disclosure ledger and the recipients registry." },
    },
  });
  return new GraphQLDirective({
    name: REQUIRES_ROLE,
    description: "Only clients holding this compliance role may read the field, whatever purpose they declare.",
    locations: [DirectiveLocation.FIELD_DEFINITION],
    args: { role: { type: new GraphQLNonNull(roleEnum) } },
  });
}

const cache = new WeakMap<GraphQLSchema, ReadonlyMap<string, ComplianceRole>>();

/** Every `Type.field` that requires a role, read once per schema. */
export function roleRequirements(schema: GraphQLSchema): ReadonlyMap<string, ComplianceRole> {
  const cached = cache.get(schema);
  if (cached) return cached;
  // Without the definition no requirement could be read: refuse to run rather than let every role through.
  const directive = schema.getDirective(REQUIRES_ROLE);
  if (!directive) throw new Error(`schema lacks the @${REQUIRES_ROLE} directive`);
  const required = new Map<string, ComplianceRole>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const role = field.astNode ? (getDirectiveValues(directive, field.astNode)?.role as ComplianceRole | undefined) : undefined;
      if (role) required.set(`${type.name}.${field.name}`, role);
    }
  }
  cache.set(schema, required);
  return required;
}
