import type { TableDeclaration } from "../personal-data/declaration";
import type { PersonalDataRegistry } from "../personal-data/registry";
import { customerOf } from "./linked-sql";
import { namedQuery, type RawQuery } from "./raw-query";
import type { SqlCondition } from "./row-rule";

export interface RecordQuery {
  /** SQL condition on the table alias `x`, with named parameters */
  readonly where: string;
  readonly params?: Readonly<Record<string, unknown>>;
  /** SQL ORDER BY over `x` */
  readonly order: string;
  readonly limit?: number;
}

/** A declared table's row as the caller may see it, with the customer it belongs to. */
export type LinkedRecord = Record<string, unknown> & { readonly customerId: string };

/**
 * Rows of a feature's customer-linked table (a customer's requests, their history …), read
 * through the kernel: the record columns as stored, each personal column only where the
 * scope's row rule reaches the row's customer, or where the caller holds the table's
 * declared compliance role — otherwise null. A closed request's status, yes; what the
 * customer asked to have corrected, no.
 */
export async function readRecords(
  q: RawQuery,
  registry: PersonalDataRegistry,
  table: TableDeclaration,
  reach: SqlCondition,
  roleGranted: boolean,
  query: RecordQuery,
): Promise<Array<LinkedRecord & { readonly personalValues: boolean }>> {
  const owner = customerOf(registry, table, "x");
  const visible = roleGranted ? "TRUE" : `EXISTS (SELECT 1 FROM customer c WHERE c.id = ${owner} AND (${reach.sql}))`;
  const columns = Object.entries(table.columns).map(([key, spec]) =>
    spec.kind === "personal" ? `CASE WHEN v.visible THEN x.${spec.column} END AS "${key}"` : `x.${spec.column} AS "${key}"`,
  );
  const rows = await namedQuery<Record<string, unknown>>(
    q,
    `SELECT ${columns.join(", ")}, ${owner} AS "customerId", v.visible AS "personalValues"
       FROM ${table.table} x CROSS JOIN LATERAL (SELECT ${visible} AS visible) v
      WHERE ${query.where} ORDER BY ${query.order}${query.limit ? ` LIMIT ${Math.trunc(query.limit)}` : ""}`,
    { ...reach.params, ...query.params },
  );
  return rows as Array<LinkedRecord & { personalValues: boolean }>;
}
