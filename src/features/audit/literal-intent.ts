import { Kind, type DocumentNode, type OperationDefinitionNode } from "graphql";
import { PURPOSE } from "../../kernel/schema/directives";
import { isPurpose, type Purpose } from "../../kernel/purposes/purpose";

/**
 * The purpose an operation declares, read from the document as written. For the audit
 * trail of requests that never reached the gate (parse or validation errors): a value that
 * is not a plain, known literal is not recorded, so no caller text enters the trail.
 */
export function literalPurpose(document: DocumentNode | undefined, operationName: string | null | undefined): Purpose | null {
  const operation = operationOf(document, operationName);
  const directive = operation?.directives?.find((d) => d.name.value === PURPOSE);
  const name = directive?.arguments?.find((a) => a.name.value === "name")?.value;
  return name?.kind === Kind.ENUM && isPurpose(name.value) ? name.value : null;
}

export function operationOf(
  document: DocumentNode | undefined,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  const operations = (document?.definitions ?? []).filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
}

/** A GraphQL name, or nothing: `operationName` is caller text and must not smuggle values in. */
export function safeName(value: string | null | undefined): string | null {
  return value && /^[_A-Za-z][_0-9A-Za-z]{0,127}$/.test(value) ? value : null;
}
