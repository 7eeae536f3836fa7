import {
  getNamedType,
  GraphQLError,
  isInputObjectType,
  Kind,
  specifiedRules,
  validate,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { KernelCode } from "../errors/catalogue";
import { refusal } from "../errors/refusal";
import { unknownPurposeMessage, validationErrorCode, withoutSuggestions } from "../errors/validation-code";
import { ALL_PURPOSES } from "../purposes/purpose";
import { PURPOSE } from "../schema/directives";
import { readFieldPolicy } from "./field-policy";
import { declaredPurpose, firstObjection } from "./gate";
import type { DeclaredPurpose, GovernanceInput, GovernanceRule } from "./governance-input";
import { reachOf } from "./reach";
import { GATE_STAGES, type GateStage } from "./stages";

/**
 * The stages whose rules depend on the document alone: the operation type, a declared
 * purpose, the individual agreement named, every field and filter permitted for the purpose,
 * what the purpose may reach at all (statistics only). The others (the key, the grant, the
 * recipient's grounds and contract, roles) depend on who sends the operation.
 */
export const DOCUMENT_STAGES: readonly GateStage[] = ["operation", "purpose", "agreement", "fields", "purpose-reach"];

export interface OperationCheck {
  operation: OperationDefinitionNode;
  purpose: DeclaredPurpose | null;
  /** what the gateway would answer whoever sends the operation (empty: not refused for its document) */
  errors: GraphQLError[];
  /** what only the request can tell (a purpose or filters given through variables): judged at run time */
  notes: string[];
}

export type DocumentCheck = { valid: false; errors: GraphQLError[] } | { valid: true; operations: OperationCheck[] };

/**
 * The gate's own document rules, without a caller: for frontends' builds (the
 * check-operations CLI), so an operation that would be refused for its document is found
 * before it ships, with the same codes and messages the gateway answers with. It runs the
 * composed stages (`stages`, as given to the gate) named in DOCUMENT_STAGES, with the gate's
 * own reach and purpose reading. A rule of those stages that looked at the caller would make
 * the verdict depend on who asks: that is refused loudly, not guessed.
 */
export function createDocumentCheck(
  schema: GraphQLSchema,
  stages: ReadonlyArray<readonly GovernanceRule[]>,
): (document: DocumentNode) => DocumentCheck {
  if (stages.length !== GATE_STAGES.length) throw new Error(`expected the ${GATE_STAGES.length} gate stages, got ${stages.length}`);
  const documentStages = GATE_STAGES.flatMap((name, i) => (DOCUMENT_STAGES.includes(name) ? [stages[i]] : []));
  const policy = readFieldPolicy(schema);
  const purposeDirective = schema.getDirective(PURPOSE);
  if (!purposeDirective) throw new Error("schema lacks @purpose");

  return (document) => {
    const invalid = validate(schema, document, specifiedRules);
    if (invalid.length) return { valid: false, errors: invalid.map(asGatewayValidationError) };
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    return {
      valid: true,
      operations: operations.map((operation) => {
        const reach = reachOf(schema, document, operation);
        const notes: string[] = [];
        const byVariable = purposeVariables(operation);
        if (byVariable.length) {
          notes.push(`@purpose is given through $${byVariable.join(", $")}: its purpose is checked at run time`);
          return { operation, purpose: null, errors: [], notes };
        }
        const filterVariables = [
          ...new Set(reach.variableInputs.filter((v) => isInputObjectType(getNamedType(v.type))).map((v) => v.name)),
        ];
        if (filterVariables.length) notes.push(`filters given through $${filterVariables.join(", $")} are checked at run time`);
        let purpose: DeclaredPurpose | null;
        try {
          purpose = declaredPurpose(purposeDirective, operation, undefined);
        } catch (error) {
          const invalidPurpose = refusal(KernelCode.BAD_USER_INPUT, `Invalid @purpose: ${(error as Error).message}`, {}, operation);
          return { operation, purpose: null, errors: [invalidPurpose], notes };
        }
        const input = documentOnlyInput({ schema, policy, operation, reach, inputs: reach.inputs, purpose, variables: undefined });
        return { operation, purpose, errors: firstObjection(documentStages, input) ?? [], notes };
      }),
    };
  };
}

/** A validation error as the gateway answers it: its code, its message without suggestions. */
function asGatewayValidationError(error: GraphQLError): GraphQLError {
  const message = withoutSuggestions(error);
  return new GraphQLError(unknownPurposeMessage(message, ALL_PURPOSES) ?? message, {
    nodes: error.nodes,
    extensions: { code: validationErrorCode(message) },
  });
}

/** The input of a document-only decision: reading `caller` is a bug in the rule, said so at once. */
function documentOnlyInput(input: Omit<GovernanceInput, "caller">): GovernanceInput {
  return Object.defineProperty({ ...input } as GovernanceInput, "caller", {
    enumerable: true,
    get() {
      throw new Error("a gate rule of a document-only stage read the caller: move it to a caller stage (src/kernel/gate/stages.ts)");
    },
  });
}

/** Variables used in the operation's `@purpose` arguments. */
function purposeVariables(operation: OperationDefinitionNode): string[] {
  const names: string[] = [];
  for (const directive of operation.directives ?? []) {
    if (directive.name.value !== PURPOSE) continue;
    visit(directive, { Variable: (node) => void names.push(node.name.value) });
  }
  return names;
}

/**
 * One operation and the fragments it uses (transitively), taken from all the documents of a
 * project: frontends keep fragments in files of their own.
 */
export function operationDocument(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): DocumentNode {
  const used = new Map<string, FragmentDefinitionNode>();
  const collect = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments.get(name);
        if (!fragment || used.has(name)) return;
        used.set(name, fragment);
        collect(fragment);
      },
    });
  collect(operation);
  return { kind: Kind.DOCUMENT, definitions: [operation, ...used.values()] };
}
