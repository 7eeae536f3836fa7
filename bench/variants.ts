import type { ApolloServerPlugin } from "@apollo/server";
import type { ArrangedPlugin } from "../src/server/plugin-order";
import type { GatewayVariant } from "../src/server/create-gateway";
import type { GatewayContext } from "../src/kernel/request-context";
import type { PurposeScopedData } from "../src/kernel/data/purpose-scoped-data";
import type { DataScope } from "../src/kernel/data/data-scope";
import type { OperationDefinitionNode } from "graphql";
import type { Purpose } from "../src/kernel/purposes/purpose";
import { readFieldPolicy, type FieldPolicy } from "../src/kernel/gate/field-policy";
import type { GovernanceInput } from "../src/kernel/gate/governance-input";
import { reachOf, type Reach } from "../src/kernel/gate/reach";

/**
 * The gateway without the gate or without the audit trail: benchmark baselines only. These
 * compositions exist here and nowhere in src/, where the plugin order is always checked.
 */
export function benchVariant({ ungoverned = false, unaudited = false }: { ungoverned?: boolean; unaudited?: boolean }): GatewayVariant {
  return {
    authenticate: !ungoverned,
    arrange(plugins, openData) {
      let arranged = unaudited ? plugins.filter((p) => p.role !== "audit") : plugins;
      if (ungoverned)
        arranged = arranged.map((p) =>
          p.role === "governance" ? { role: null, name: "ungoverned", plugin: ungovernedPlugin(openData) } : p,
        );
      return arranged;
    },
    verify: () => {},
  };
}

/**
 * For the benchmark's baseline: every operation gets a data layer for the purpose it names,
 * unchecked. What it reaches is still computed (once per document, as the gate does), so
 * the data layer loads the same columns: the difference measured is the gate's rules.
 */
function ungovernedPlugin(openData: (scope: DataScope) => PurposeScopedData): ApolloServerPlugin<GatewayContext> {
  const reaches = new WeakMap<OperationDefinitionNode, Reach>();
  let policy: FieldPolicy | null = null;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          const values = rc.operation?.directives?.find((d) => d.name.value === "purpose");
          const value = values?.arguments?.[0]?.value;
          const name = value?.kind === "EnumValue" ? (value.value as Purpose) : null;
          const operation = rc.operation!;
          let reach = reaches.get(operation);
          if (!reach) reaches.set(operation, (reach = reachOf(rc.schema, rc.document, operation)));
          policy ??= readFieldPolicy(rc.schema);
          const input = { policy } as unknown as GovernanceInput;
          const decision = { allowed: true as const, purpose: name ? { name, agreement: null } : null, reach, input };
          rc.contextValue.decide(decision);
          rc.contextValue.open(openData({ purpose: name, agreement: null, caller: rc.contextValue.caller, decision }));
        },
      };
    },
  };
}

export type { ArrangedPlugin };
