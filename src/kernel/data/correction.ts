import { GraphQLError } from "graphql";
import { KernelCode } from "../errors/catalogue";
import type { ColumnSpec, TableDeclaration } from "../personal-data/declaration";
import { namedQuery, type RawQuery } from "./raw-query";

/** A correction of one personal column of the customer, by its declaration key. */
export interface CorrectionChange {
  readonly key: string;
  readonly value: string;
}

export interface AppliedCorrection {
  readonly key: string;
  readonly before: string | null;
  readonly after: string | null;
}

/** The customer's columns a correction may change: those declared with a `correction`. */
export function correctableColumns(customer: TableDeclaration): Array<[key: string, spec: ColumnSpec]> {
  return Object.entries(customer.columns).filter(([, spec]) => spec.correction !== undefined);
}

/** Is `value` valid for the column? (A clear message when not.) */
export function checkCorrection(customer: TableDeclaration, change: CorrectionChange): void {
  const spec = customer.columns[change.key];
  if (!spec?.correction) throw new GraphQLError(`${change.key} cannot be corrected.`, { extensions: { code: KernelCode.BAD_USER_INPUT } });
  if (!spec.correction.valid(change.value)) {
    throw new GraphQLError(`Invalid value for ${change.key}: expected ${spec.correction.hint}.`, {
      extensions: { code: KernelCode.BAD_USER_INPUT },
    });
  }
}

/**
 * Applies corrections to a customer the caller's scope has found reachable and locked, in the
 * caller's transaction, and returns each value before and after (as the database shows it).
 */
export async function applyCorrections(
  q: RawQuery,
  customer: TableDeclaration,
  customerId: string,
  changes: readonly CorrectionChange[],
): Promise<AppliedCorrection[]> {
  const applied: AppliedCorrection[] = [];
  for (const change of changes) {
    checkCorrection(customer, change);
    // the column name comes from the declaration, never from input
    const column = customer.columns[change.key].column;
    const [row] = await namedQuery<{ before: string | null; after: string | null }>(
      q,
      `WITH before AS (SELECT ${column}::text AS v FROM ${customer.table} WHERE id = :customerId::uuid),
            changed AS (UPDATE ${customer.table} SET ${column} = :value WHERE id = :customerId::uuid RETURNING ${column}::text AS v)
       SELECT (SELECT v FROM before) AS before, (SELECT v FROM changed) AS after`,
      { customerId, value: change.value },
    );
    applied.push({ key: change.key, before: row.before, after: row.after });
  }
  return applied;
}
