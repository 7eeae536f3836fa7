import type { GovernanceInput } from "../../kernel/gate/governance-input";
import { declaredDisclosure, type DisclosureDeclaration } from "./declared-disclosure";

const memo = new WeakMap<GovernanceInput, DisclosureDeclaration>();

/** The `@disclosure` of the operation being decided, read once per decision for all rules. */
export function disclosureOf(input: GovernanceInput): DisclosureDeclaration {
  let declared = memo.get(input);
  if (!declared) {
    declared = declaredDisclosure(input.schema, input.operation, input.variables);
    memo.set(input, declared);
  }
  return declared;
}

/** Root coordinates (`Query.x`, `Mutation.y`) an operation reaches. */
export function isRootCoordinate(input: Pick<GovernanceInput, "schema">, coordinate: string): boolean {
  const typeName = coordinate.slice(0, coordinate.indexOf("."));
  const { schema } = input;
  return [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].some((t) => t?.name === typeName);
}

/**
 * The statistics API (agreement 3.2): the only thing reachable under ANONYMOUS_STATISTICS.
 * Named by coordinate so this rule does not depend on how statistics are built.
 */
export const STATISTICS_API: ReadonlySet<string> = new Set(["Query.statistics"]);
