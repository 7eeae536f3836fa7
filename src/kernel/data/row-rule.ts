import type { Purpose } from "../purposes/purpose";
import type { DataScope } from "./data-scope";

/** An SQL condition with its named parameters (`:name`). */
export interface SqlCondition {
  readonly sql: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * A narrowing of the customers a scope may reach, plugged in by a feature (consent,
 * disclosure, requests). Every rule that applies is ANDed to the kernel's own, in the same
 * SQL statement that reads the customers, so a change (an opt-out, a withdrawal, a closed
 * request) counts on the very next query.
 */
export interface RowRule {
  /** for messages and the README */
  readonly name: string;
  /** when set, the rule applies to this purpose only; a purpose that needs a feature's rule
   *  (kernel/data/customer-row-rule.ts) reaches nobody unless one such rule is composed */
  readonly purpose?: Purpose;
  /** the condition on the `alias` customer row, or null when it adds nothing for this scope */
  condition(scope: DataScope, alias: string): SqlCondition | null;
}
