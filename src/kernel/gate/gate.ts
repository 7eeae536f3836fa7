import {
  getDirectiveValues,
  getVariableValues,
  GraphQLError,
  type ASTNode,
  type DocumentNode,
  type GraphQLDirective,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { PURPOSE } from "../schema/directives";
import type { Purpose } from "../purposes/purpose";
import { KernelCode, type ErrorCatalogue } from "../errors/catalogue";
import { refusal } from "../errors/refusal";
import { readFieldPolicy, type FieldPolicy } from "./field-policy";
import type { Caller, DeclaredPurpose, GovernanceInput, GovernanceRule } from "./governance-input";
import { inputsFromVariables, reachOf, type Reach } from "./reach";

export type Decision =
  | { allowed: true; purpose: DeclaredPurpose | null; reach: Reach; input: GovernanceInput }
  | { allowed: false; status: number; errors: GraphQLError[]; purpose: DeclaredPurpose | null; reach: Reach | null };

export type AllowedDecision = Extract<Decision, { allowed: true }>;
export type RefusedDecision = Extract<Decision, { allowed: false }>;

export interface Gate {
  policy: FieldPolicy;
  decide(request: {
    document: DocumentNode;
    operation: OperationDefinitionNode | undefined;
    variables: Record<string, unknown> | undefined;
    caller: Caller | null;
  }): Decision;
}

/**
 * The one place where an operation is allowed or refused, before any resolver runs.
 * What an operation reaches depends only on the document, so it is cached per parsed
 * operation (Apollo reuses the parsed document for the same text); everything that
 * depends on the caller or the variables is decided fresh for every request.
 */
export function createGate(schema: GraphQLSchema, stages: ReadonlyArray<readonly GovernanceRule[]>, catalogue: ErrorCatalogue): Gate {
  const policy = readFieldPolicy(schema);
  const purposeDirective = schema.getDirective(PURPOSE);
  if (!purposeDirective) throw new Error("schema lacks @purpose");
  const reachCache = new WeakMap<OperationDefinitionNode, Reach>();

  const refuse = (errors: GraphQLError[], purpose: DeclaredPurpose | null = null, reach: Reach | null = null): Decision => ({
    allowed: false,
    status: catalogue.status(String(errors[0].extensions.code)),
    errors,
    purpose,
    reach,
  });

  return {
    policy,
    decide({ document, operation, variables, caller }) {
      if (!operation) {
        return refuse([refusal(KernelCode.BAD_REQUEST, "No operation to run: name one with `operationName`.")]);
      }
      let reach = reachCache.get(operation);
      if (!reach) {
        reach = reachOf(schema, document, operation);
        reachCache.set(operation, reach);
      }

      // Coerce the variables as execution will, so `@purpose(name: $p)` and filters given
      // through variables are judged on the values that would really be used.
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 10 });
      if (coerced.errors) {
        return refuse(
          coerced.errors.map((e) => refusal(KernelCode.BAD_USER_INPUT, e.message, {}, e.nodes)),
          null,
          reach,
        );
      }

      let purpose: DeclaredPurpose | null = null;
      try {
        purpose = declaredPurpose(purposeDirective, operation, coerced.coerced);
      } catch (error) {
        return refuse([refusal(KernelCode.BAD_USER_INPUT, `Invalid @purpose: ${(error as Error).message}`, {}, operation)], null, reach);
      }

      const inputs = new Map<string, ASTNode>(reach.inputs);
      inputsFromVariables(reach.variableInputs, coerced.coerced, inputs);

      const input: GovernanceInput = { schema, policy, operation, reach, inputs, purpose, caller, variables: coerced.coerced };
      const errors = firstObjection(stages, input);
      if (errors) return refuse(errors, purpose, reach);
      return Object.freeze({ allowed: true as const, purpose: purpose && Object.freeze(purpose), reach, input: Object.freeze(input) });
    },
  };
}

/** What `@purpose` declares, read with the request's variables; throws on an invalid value. */
export function declaredPurpose(
  purposeDirective: GraphQLDirective,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): DeclaredPurpose | null {
  const values = getDirectiveValues(purposeDirective, operation, variables);
  return values ? { name: values.name as Purpose, agreement: (values.agreement as string | undefined) ?? null } : null;
}

/**
 * The gate's verdict over its stages: the errors of the first stage with an objection (a
 * caller not granted a purpose learns nothing of what that purpose would permit), or null.
 */
export function firstObjection(stages: ReadonlyArray<readonly GovernanceRule[]>, input: GovernanceInput): GraphQLError[] | null {
  for (const stage of stages) {
    let errors: GraphQLError[] | null = null; // allocated only for an objection: every request runs every rule
    for (const rule of stage) {
      const found = rule(input);
      if (found.length > 0) (errors ??= []).push(...found);
    }
    if (errors) return errors;
  }
  return null;
}
