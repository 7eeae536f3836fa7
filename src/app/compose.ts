import type { GraphQLDirective, GraphQLSchema } from "graphql";
import { auditFeature } from "../features/audit/feature";
import { consentFeature } from "../features/consent/feature";
import { customersFeature } from "../features/customers/feature";
import { disclosureFeature } from "../features/disclosure/feature";
import { policyFeature } from "../features/policy/feature";
import { requestsFeature } from "../features/requests/feature";
import { statisticsFeature } from "../features/statistics/feature";
import type { RowRule } from "../kernel/data/row-rule";
import { CUSTOMER_TABLES } from "../kernel/personal-data/customer-tables";
import { PersonalDataRegistry } from "../kernel/personal-data/registry";
import { ErrorCatalogue, KernelCodes } from "../kernel/errors/catalogue";
import type { GatewayFeature } from "../kernel/feature";
import type { GovernanceRule } from "../kernel/gate/governance-input";
import { KERNEL_RULES } from "../kernel/gate/rules";
import { GATE_STAGES } from "../kernel/gate/stages";

/**
 * The composition root: the features of the gateway, in order. Each plugs its codes,
 * resolvers, directives, gate rules and row rules into the kernel here and nowhere else.
 */
export const FEATURES: readonly GatewayFeature[] = [
  customersFeature,
  policyFeature,
  consentFeature,
  disclosureFeature,
  auditFeature,
  requestsFeature,
  statisticsFeature,
];

/** What the kernel is run with: everything the features declare, joined and checked. */
export interface Composition {
  readonly features: readonly GatewayFeature[];
  readonly catalogue: ErrorCatalogue;
  /** the gate's rules, stage by stage (kernel's first in each stage) */
  readonly stages: ReadonlyArray<readonly GovernanceRule[]>;
  readonly rowRules: readonly RowRule[];
  /** every declared table: the kernel's and the features' */
  readonly registry: PersonalDataRegistry;
  readonly resolvers: readonly Function[];
  readonly directives: (built: GraphQLSchema) => GraphQLDirective[];
}

export function compose(features: readonly GatewayFeature[] = FEATURES): Composition {
  const seen = new Set<string>();
  for (const feature of features) {
    if (seen.has(feature.name)) throw new Error(`feature ${feature.name} is composed twice`);
    for (const needed of feature.requires ?? []) {
      if (!seen.has(needed)) throw new Error(`feature ${feature.name} needs ${needed} composed before it`);
    }
    seen.add(feature.name);
  }
  const catalogue = new ErrorCatalogue([
    ["kernel", KernelCodes.table],
    ...features.filter((f) => f.codes).map((f) => [f.name, f.codes!] as const),
  ]);
  const stages = GATE_STAGES.map((stage) =>
    Object.freeze([...(KERNEL_RULES[stage] ?? []), ...features.flatMap((f) => f.rules?.[stage] ?? [])]),
  );
  return Object.freeze({
    features: Object.freeze([...features]),
    catalogue,
    stages: Object.freeze(stages),
    rowRules: Object.freeze(features.flatMap((f) => f.rowRules ?? [])),
    registry: new PersonalDataRegistry([...CUSTOMER_TABLES, ...features.flatMap((f) => f.tables ?? [])]),
    resolvers: Object.freeze(features.flatMap((f) => f.resolvers ?? [])),
    directives: (built: GraphQLSchema) => features.flatMap((f) => [...(f.directives?.(built) ?? [])]),
  });
}
