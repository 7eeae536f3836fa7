import type { ApolloServerPlugin } from "@apollo/server";
import type { PluginRole } from "../kernel/feature";
import type { GatewayContext } from "../kernel/request-context";

/** An Apollo plugin with the role the order check cares about (none for the rest). */
export interface ArrangedPlugin {
  readonly role: PluginRole | null;
  readonly name: string;
  readonly plugin: ApolloServerPlugin<GatewayContext>;
}

/**
 * The order every production gateway runs its plugins in: governance first (its answer for a
 * refused operation is the one that is sent, and the data layer exists only once it allowed
 * the operation) and exactly once, and the audit trail present exactly once. Checked at
 * start-up; a composition without either exists only in bench/.
 */
export function verifyPluginOrder(plugins: readonly ArrangedPlugin[]): void {
  const roles = plugins.map((p) => p.role);
  const count = (role: PluginRole) => roles.filter((r) => r === role).length;
  if (count("governance") !== 1) throw new Error(`the gateway needs the governance plugin exactly once (found ${count("governance")})`);
  if (roles[0] !== "governance") throw new Error(`the governance plugin must run first (first is ${plugins[0]?.name})`);
  if (count("audit") !== 1) throw new Error(`the gateway needs the audit plugin exactly once (found ${count("audit")})`);
}
