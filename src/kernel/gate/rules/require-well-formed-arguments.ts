import {
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  type ASTNode,
  type GraphQLInputType,
  type GraphQLScalarType,
} from "graphql";
import { KernelCode } from "../../errors/catalogue";
import { refusal } from "../../errors/refusal";
import { isUuid } from "../../validation/uuid";
import type { GovernanceRule } from "../governance-input";

/** The longest string any argument may carry (a name, an address, a reason: never a document). */
export const MAX_ARGUMENT_LENGTH = 2000;

/**
 * Argument values are well formed before anything runs, whoever calls: every ID is a UUID
 * (the form of every id of the store), and no string carries a NUL character or is longer
 * than MAX_ARGUMENT_LENGTH — in literals, in variables, in input objects and lists, and in
 * the operation's own directives. Refused as the caller's mistake (BAD_USER_INPUT, 400).
 */
export const requireWellFormedArguments: GovernanceRule = ({ reach, variables, operation }) => {
  const errors = new Map<string, ReturnType<typeof refusal>>();
  const check = (type: GraphQLScalarType, value: string, node: ASTNode, where: string) => {
    const problem = value.includes("\u0000")
      ? "contains a NUL character"
      : value.length > MAX_ARGUMENT_LENGTH
        ? `is longer than ${MAX_ARGUMENT_LENGTH} characters`
        : type.name === "ID" && !isUuid(value)
          ? "is not an id (ids are UUIDs)"
          : null;
    // one error per bad value (a variable's default is seen both as a literal and as the value)
    const key = `${problem}:${value.slice(0, 200)}`;
    if (problem && !errors.has(key)) errors.set(key, refusal(KernelCode.BAD_USER_INPUT, `The value of ${where} ${problem}.`, {}, node));
  };
  const walk = (value: unknown, type: GraphQLInputType, node: ASTNode, where: string): void => {
    if (value === null || value === undefined) return;
    if (isNonNullType(type)) return walk(value, type.ofType, node, where);
    if (isListType(type)) {
      for (const item of Array.isArray(value) ? value : [value]) walk(item, type.ofType, node, where);
      return;
    }
    if (isScalarType(type)) {
      if (typeof value === "string") check(type, value, node, where);
      return;
    }
    if (isInputObjectType(type) && typeof value === "object") {
      const fields = type.getFields();
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        if (fields[key]) walk(inner, fields[key].type, node, `${type.name}.${key}`);
      }
    }
  };

  for (const { type, value, node } of reach.scalars) check(type, value, node, "an argument");
  for (const { name, type, node } of reach.variableInputs) walk(variables?.[name], type, node, `$${name}`);
  for (const directive of operation.directives ?? []) {
    for (const arg of directive.arguments ?? []) {
      const value =
        arg.value.kind === Kind.STRING ? arg.value.value : arg.value.kind === Kind.VARIABLE ? variables?.[arg.value.name.value] : undefined;
      if (typeof value === "string" && (value.includes("\u0000") || value.length > MAX_ARGUMENT_LENGTH)) {
        errors.set(
          `@${directive.name.value}`,
          refusal(KernelCode.BAD_USER_INPUT, `The value of @${directive.name.value}(${arg.name.value}:) is not a usable string.`, {}, arg),
        );
      }
    }
  }
  return [...errors.values()];
};
