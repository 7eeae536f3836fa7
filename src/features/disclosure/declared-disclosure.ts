import { getDirectiveValues, Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { DISCLOSURE } from "./directives";
import { isDisclosureGround, type DisclosureGround } from "../../kernel/purposes/disclosure-ground";

/** What an operation declares with `@disclosure`. */
export interface DeclaredDisclosure {
  ground: DisclosureGround;
  reference: string | null;
}

export type DisclosureDeclaration =
  { kind: "none" } | { kind: "declared"; disclosure: DeclaredDisclosure } | { kind: "invalid"; message: string };

const NONE: DisclosureDeclaration = Object.freeze({ kind: "none" });

/**
 * Reads `@disclosure` on an operation (literals and variables), as the gate reads
 * `@purpose`. Invalid values are reported, never guessed.
 */
export function declaredDisclosure(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): DisclosureDeclaration {
  const directive = schema.getDirective(DISCLOSURE);
  if (!directive) return { kind: "invalid", message: "the schema lacks @disclosure" };
  const written = (operation.directives ?? []).filter((d) => d.name.value === DISCLOSURE).length;
  if (written === 0) return NONE; // most operations: nothing to read
  if (written > 1) return { kind: "invalid", message: "@disclosure may appear once per operation" };
  try {
    const values = getDirectiveValues(directive, operation, variables);
    if (!values) return NONE;
    if (!isDisclosureGround(values.ground)) return { kind: "invalid", message: "unknown ground" };
    const reference = typeof values.reference === "string" ? values.reference.trim() : null;
    return { kind: "declared", disclosure: { ground: values.ground, reference: reference || null } };
  } catch (error) {
    return { kind: "invalid", message: (error as Error).message };
  }
}

/**
 * For the audit trail of operations that never reached the gate (validation errors):
 * the ground and reference as literally written, when they are plain literals.
 */
export function literalDisclosure(document: DocumentNode | undefined, operationName: string | null | undefined): DeclaredDisclosure | null {
  const operations = (document?.definitions ?? []).filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName
    ? operations.find((o) => o.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  const directive = operation?.directives?.find((d) => d.name.value === DISCLOSURE);
  if (!directive) return null;
  let ground: DisclosureGround | null = null;
  let reference: string | null = null;
  for (const arg of directive.arguments ?? []) {
    if (arg.name.value === "ground" && arg.value.kind === Kind.ENUM && isDisclosureGround(arg.value.value)) ground = arg.value.value;
    if (arg.name.value === "reference" && arg.value.kind === Kind.STRING) reference = arg.value.value.trim() || null;
  }
  return ground ? { ground, reference } : null;
}
