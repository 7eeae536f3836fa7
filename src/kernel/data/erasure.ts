import { personalColumns, type TableDeclaration } from "../personal-data/declaration";
import type { PersonalDataRegistry } from "../personal-data/registry";
import { belongsTo } from "./linked-sql";
import { namedQuery, type RawQuery } from "./raw-query";

/**
 * Erases a customer everywhere, as the declaration says for each table: the customer row
 * keeps only its id and erased_at (a tombstone for references), rows that are only about
 * them are deleted, records kept as proof lose every personal value. Runs in the caller's
 * transaction. Tables linked through another are handled before it (their parent stays).
 */
export async function eraseCustomer(q: RawQuery, registry: PersonalDataRegistry, customerId: string): Promise<void> {
  const ordered = [...registry.tables].sort((a, b) => depth(registry, b) - depth(registry, a));
  for (const table of ordered) {
    const sql = erasureSql(registry, table);
    if (sql) await namedQuery(q, sql, { customerId });
  }
}

/** The statement that erases the customer's rows of one table (null: nothing to do). */
export function erasureSql(registry: PersonalDataRegistry, table: TableDeclaration): string | null {
  const mine = belongsTo(registry, table, "x");
  const nulls = personalColumns(table).map((c) => `${c.column} = NULL`);
  switch (table.erasure.action) {
    case "delete":
      return `DELETE FROM ${table.table} x WHERE ${mine}`;
    case "tombstone": {
      const erased = Object.values(table.columns).find((c) => c.column === "erased_at");
      if (!erased) throw new Error(`${table.table} is erased as a tombstone but has no erased_at column`);
      return `UPDATE ${table.table} x SET ${[...nulls, "erased_at = coalesce(erased_at, now())"].join(", ")} WHERE ${mine}`;
    }
    case "keep": {
      const set = [...nulls, ...Object.entries(table.erasure.set ?? {}).map(([column, value]) => `${column} = ${value}`)];
      return set.length ? `UPDATE ${table.table} x SET ${set.join(", ")} WHERE ${mine}` : null;
    }
  }
}

function depth(registry: PersonalDataRegistry, table: TableDeclaration): number {
  return table.link.kind === "via" ? 1 + depth(registry, registry.table(table.link.table)) : table.link.kind === "self" ? -1 : 0;
}
