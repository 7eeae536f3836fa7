import { Purpose } from "../purposes/purpose";
import type { DataScope } from "./data-scope";
import type { RowRule, SqlCondition } from "./row-rule";

/**
 * Which customers each purpose may reach, before any feature narrows it further:
 * - "active": every customer that is neither soft-deleted nor erased;
 * - "feature": only through a feature's rule for that purpose (customers with an open
 *   request, with an active consent …); without one composed, nobody (fail closed);
 * - "none": no rows at all (statistics are aggregates, never rows).
 * NOTIFICATION and PRIZE_DELIVERY narrow on the kernel's own tables, below.
 */
const PURPOSE_ROWS: Readonly<Record<Purpose, "active" | "subscribers" | "winners" | "feature" | "none">> = {
  [Purpose.SERVICE_PROVISION]: "active",
  [Purpose.PRODUCT_IMPROVEMENT]: "active",
  [Purpose.NOTIFICATION]: "subscribers",
  [Purpose.PRIZE_DELIVERY]: "winners",
  [Purpose.DATA_SUBJECT_REQUEST]: "feature",
  [Purpose.INDIVIDUAL_AGREEMENT]: "feature",
  [Purpose.USAGE_STATISTICS]: "none",
};

/**
 * The customers `scope` may reach, as one SQL condition on a `customer` alias: the kernel's
 * rule for the purpose and every composed feature rule that applies. Every read of personal
 * data joins through this, so no resolver can forget it.
 */
export function customerRowRule(scope: DataScope, alias: string, rules: readonly RowRule[]): SqlCondition {
  const none = { sql: "FALSE", params: {} };
  if (!scope.purpose) return none;
  const active = `${alias}.deleted_at IS NULL AND ${alias}.erased_at IS NULL`;
  const parts: SqlCondition[] = [];
  switch (PURPOSE_ROWS[scope.purpose]) {
    case "active":
      parts.push({ sql: active, params: {} });
      break;
    case "subscribers":
      // only customers currently opted in to at least one channel
      parts.push({
        sql: `${active} AND EXISTS (SELECT 1 FROM notification_subscription ns_rule WHERE ns_rule.customer_id = ${alias}.id AND ns_rule.opted_in)`,
        params: {},
      });
      break;
    case "winners":
      // only winners; the data layer further reaches them only through their campaign
      parts.push({
        sql: `${active} AND EXISTS (SELECT 1 FROM campaign_entry ce_rule WHERE ce_rule.customer_id = ${alias}.id AND ce_rule.won)`,
        params: {},
      });
      break;
    case "feature":
      if (!rules.some((r) => r.purpose === scope.purpose)) return none;
      parts.push({ sql: active, params: {} });
      break;
    default:
      return none;
  }
  for (const rule of rules) {
    if (rule.purpose && rule.purpose !== scope.purpose) continue;
    const condition = rule.condition(scope, alias);
    if (condition) parts.push(condition);
  }
  return { sql: parts.map((p) => `(${p.sql})`).join(" AND "), params: Object.assign({}, ...parts.map((p) => p.params)) };
}
