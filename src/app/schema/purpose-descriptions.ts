import { MapperKind, mapSchema } from "@graphql-tools/utils";
import type { GraphQLSchema } from "graphql";
import { readFieldPolicy } from "../../kernel/gate/field-policy";
import { PURPOSE_CLAUSES, type Purpose } from "../../kernel/purposes/purpose";
import { roleRequirements } from "../../kernel/schema/requires-role";

/**
 * Writes each field's permitted purposes into its description, so GraphiQL's docs, any
 * introspection and codegen show the policy a developer must meet, before run time. Derived
 * from the built schema's own directives (`@allowedFor`, the type's default, `@reveals`,
 * `@requiresRole`), exactly as the gate reads them; never written by hand.
 */
export function describePurposes(schema: GraphQLSchema): GraphQLSchema {
  const policy = readFieldPolicy(schema);
  const roles = roleRequirements(schema);
  const label = (purposes: readonly Purpose[]) => purposes.map((p) => `${p} (${PURPOSE_CLAUSES[p].clause})`).join(", ");
  const withLine = (description: string | null | undefined, line: string) => (description ? `${description}\n\n${line}` : line);

  const describeOutput = <C extends { description?: string | null }>(typeName: string, fieldName: string, config: C): C => {
    const coordinate = `${typeName}.${fieldName}`;
    const purposes = policy.allowedPurposes(coordinate);
    const role = roles.get(coordinate);
    let description = config.description;
    if (purposes) description = withLine(description, `Personal data. Permitted purposes: ${label(purposes)}.`);
    if (role) description = withLine(description, `Requires the ${role} role.`);
    return description === config.description ? config : { ...config, description };
  };

  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (config, fieldName, typeName) => describeOutput(typeName, fieldName, config),
    [MapperKind.INTERFACE_FIELD]: (config, fieldName, typeName) => describeOutput(typeName, fieldName, config),
    [MapperKind.INPUT_OBJECT_FIELD]: (config, fieldName, typeName) => {
      const revealed = policy.revealedBy(`${typeName}.${fieldName}`);
      if (!revealed) return config;
      const purposes = policy.allowedPurposes(revealed) ?? [];
      return {
        ...config,
        description: withLine(config.description, `Reveals ${revealed}: usable only for ${label(purposes) || "no purpose"}.`),
      };
    },
  });
}
