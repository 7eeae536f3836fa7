import {
  getNamedType,
  GraphQLSchema,
  isAbstractType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  isScalarType,
  Kind,
  typeFromAST,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLInputType,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLScalarType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

/**
 * Everything an operation can reach, computed from the document alone:
 * every field coordinate that may resolve (whatever `@include`/`@skip` say, under any
 * alias, fragment or type condition), and every input field used as a filter or sort.
 * Input values given through variables are collected as `variableInputs` and resolved
 * per request, because they depend on the variables, not the document.
 */
export interface Reach {
  /** coordinate → the first AST node that reaches it (for error locations) */
  fields: Map<string, ASTNode>;
  /** input coordinate (`CustomerFilter.bornBefore`) → the node using it */
  inputs: Map<string, ASTNode>;
  /** variables used as argument values (with the type they are used as): checked against the request's variables */
  variableInputs: Array<{ name: string; type: GraphQLInputType; node: ASTNode }>;
  /** literal string values given to String and ID arguments (and input fields), for their checks */
  scalars: Array<{ type: GraphQLScalarType; value: string; node: ASTNode }>;
}

const emptyReach = (): Reach => ({ fields: new Map(), inputs: new Map(), variableInputs: [], scalars: [] });

function mergeInto(target: Reach, source: Reach): void {
  for (const [k, v] of source.fields) if (!target.fields.has(k)) target.fields.set(k, v);
  for (const [k, v] of source.inputs) if (!target.inputs.has(k)) target.inputs.set(k, v);
  target.variableInputs.push(...source.variableInputs);
  target.scalars.push(...source.scalars);
}

/**
 * Walks one operation. Each named fragment is walked once and its reach reused, so a
 * fragment spread many times (even 2^30 times through nesting) costs one walk.
 */
export function reachOf(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Reach {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);

  const defaults = new Map<string, ValueNode>();
  for (const def of operation.variableDefinitions ?? []) {
    if (def.defaultValue) defaults.set(def.variable.name.value, def.defaultValue);
  }

  const memo = new Map<string, Reach>();
  const inProgress = new Set<string>();

  const walkSelections = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, into: Reach): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith("__")) continue; // __typename, __schema, __type: schema, never data
        const owners = possibleOwners(schema, parent);
        let fieldType = undefined;
        for (const owner of owners) {
          const field = owner.getFields()[name];
          if (!field) continue;
          const coordinate = `${owner.name}.${name}`;
          if (!into.fields.has(coordinate)) into.fields.set(coordinate, selection);
          fieldType ??= field.type;
          for (const argNode of selection.arguments ?? []) {
            const argDef = field.args.find((a) => a.name === argNode.name.value);
            if (argDef) walkValue(argNode.value, argDef.type, into);
          }
        }
        if (selection.selectionSet && fieldType) {
          walkSelections(selection.selectionSet, getNamedType(fieldType) as GraphQLCompositeType, into);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeCondition = selection.typeCondition
          ? (typeFromAST(schema, selection.typeCondition) as GraphQLCompositeType | undefined)
          : parent;
        if (typeCondition) walkSelections(selection.selectionSet, typeCondition, into);
      } else {
        mergeInto(into, fragmentReach(selection.name.value));
      }
    }
  };

  const fragmentReach = (name: string): Reach => {
    const cached = memo.get(name);
    if (cached) return cached;
    const reach = emptyReach();
    const fragment = fragments.get(name);
    // Unknown or cyclic fragments are rejected by validation before we run; be safe anyway.
    if (!fragment || inProgress.has(name)) return reach;
    inProgress.add(name);
    const type = typeFromAST(schema, fragment.typeCondition) as GraphQLCompositeType | undefined;
    if (type) walkSelections(fragment.selectionSet, type, reach);
    inProgress.delete(name);
    dedupeVariables(reach);
    memo.set(name, reach);
    return reach;
  };

  const walkValue = (value: ValueNode, type: GraphQLInputType, into: Reach): void => {
    if (value.kind === Kind.VARIABLE) {
      into.variableInputs.push({ name: value.name.value, type, node: value });
      // The default applies when the request omits the variable: count it as used.
      const fallback = defaults.get(value.name.value);
      if (fallback) walkValue(fallback, type, into);
      return;
    }
    if (isNonNullType(type)) return walkValue(value, type.ofType, into);
    if (isListType(type)) {
      const items = value.kind === Kind.LIST ? value.values : [value];
      for (const item of items) walkValue(item, type.ofType, into);
      return;
    }
    if (isScalarType(type) && value.kind === Kind.STRING) {
      into.scalars.push({ type, value: value.value, node: value });
      return;
    }
    if (isInputObjectType(type) && value.kind === Kind.OBJECT) {
      const fields = type.getFields();
      for (const field of value.fields) {
        const def = fields[field.name.value];
        if (!def) continue;
        const coordinate = `${type.name}.${def.name}`;
        if (!into.inputs.has(coordinate)) into.inputs.set(coordinate, field);
        walkValue(field.value, def.type, into);
      }
    }
  };

  const root = schema.getRootType(operation.operation);
  const reach = emptyReach();
  if (root) walkSelections(operation.selectionSet, root, reach);
  dedupeVariables(reach);
  return reach;
}

/**
 * A field selected on an abstract type resolves on one of its concrete types, so it is
 * checked on the abstract type and on every possible type (the stricter list wins).
 */
function possibleOwners(schema: GraphQLSchema, parent: GraphQLCompositeType): Array<GraphQLObjectType | GraphQLInterfaceType> {
  if (isObjectType(parent)) return [parent];
  const owners: Array<GraphQLObjectType | GraphQLInterfaceType> = isInterfaceType(parent) ? [parent] : [];
  if (isAbstractType(parent)) owners.push(...schema.getPossibleTypes(parent));
  return owners;
}

function dedupeVariables(reach: Reach): void {
  const seen = new Set<string>();
  reach.variableInputs = reach.variableInputs.filter((v) => {
    const key = `${v.name}:${String(v.type)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The input fields a request's variable values use, walked against their input types.
 * Raw JSON values: this runs before coercion, so unknown keys are ignored (coercion rejects them).
 */
export function inputsFromVariables(
  variableInputs: Reach["variableInputs"],
  variables: Record<string, unknown> | undefined,
  into: Map<string, ASTNode>,
): void {
  const walk = (value: unknown, type: GraphQLInputType, node: ASTNode): void => {
    if (value === null || value === undefined) return;
    if (isNonNullType(type)) return walk(value, type.ofType, node);
    if (isListType(type)) {
      for (const item of Array.isArray(value) ? value : [value]) walk(item, type.ofType, node);
      return;
    }
    if (isInputObjectType(type) && typeof value === "object") {
      const fields = type.getFields();
      for (const [key, fieldValue] of Object.entries(value as Record<string, unknown>)) {
        const def = fields[key];
        if (!def) continue;
        const coordinate = `${type.name}.${def.name}`;
        if (!into.has(coordinate)) into.set(coordinate, node);
        walk(fieldValue, def.type, node);
      }
    }
  };
  for (const { name, type, node } of variableInputs) walk(variables?.[name], type, node);
}
