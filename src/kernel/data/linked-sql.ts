import type { TableDeclaration } from "../personal-data/declaration";
import type { PersonalDataRegistry } from "../personal-data/registry";

/**
 * SQL naming the customer a row of a declared table belongs to (a customer id), whatever
 * the table's link: its own id, a customer_id column, or its parent's (a request's history
 * belongs to the request's customer).
 */
export function customerOf(registry: PersonalDataRegistry, table: TableDeclaration, alias: string, depth = 0): string {
  const link = table.link;
  switch (link.kind) {
    case "self":
      return `${alias}.id`;
    case "column":
      return `${alias}.${link.column}`;
    case "via": {
      const parent = registry.table(link.table);
      const p = `p${depth}_${alias}`;
      return `(SELECT ${customerOf(registry, parent, p, depth + 1)} FROM ${parent.table} ${p} WHERE ${p}.id = ${alias}.${link.column})`;
    }
    case "array":
      throw new Error(`${table.table} holds several customers per row: it has no one customer`);
  }
}

/** SQL: does the row (alias) belong to the customer `:customerId`? */
export function belongsTo(registry: PersonalDataRegistry, table: TableDeclaration, alias: string, param = ":customerId::uuid"): string {
  return table.link.kind === "array" ? `${param} = ANY(${alias}.${table.link.column})` : `${customerOf(registry, table, alias)} = ${param}`;
}
