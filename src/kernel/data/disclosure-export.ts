import { exportName, type TableDeclaration } from "../personal-data/declaration";
import type { PersonalDataRegistry } from "../personal-data/registry";
import { belongsTo } from "./linked-sql";
import { namedQuery, type RawQuery } from "./raw-query";
import type { SqlCondition } from "./row-rule";

/**
 * A customer's disclosure export (agreement 1.5): every declared table's rows about them,
 * one section each, derived from the declaration (a table added to the store without a
 * declaration stops the gateway; one declared is exported). Record columns (the facts: who
 * accessed the data, when, why; which consents, which requests) are always exported;
 * personal values only while the scope's row rule reaches the customer — so a soft-deleted
 * or erased customer's export holds no personal value, only the facts.
 */
export async function buildDisclosureExport(
  q: RawQuery,
  registry: PersonalDataRegistry,
  reachable: SqlCondition,
  customerId: string,
  requestId: string,
): Promise<Record<string, unknown>> {
  const [{ reached }] = await namedQuery<{ reached: boolean }>(
    q,
    `SELECT EXISTS (SELECT 1 FROM customer c WHERE c.id = :customerId::uuid AND (${reachable.sql})) AS reached`,
    { ...reachable.params, customerId },
  );
  const sections: Record<string, unknown> = {};
  for (const table of registry.tables) {
    // rows linked through a parent are exported nested in it (a request's history)
    if (!table.export || table.link.kind === "via") continue;
    const rows = await namedQuery<{ j: unknown }>(q, sectionSql(registry, table, reached), { customerId });
    const value = rows[0]?.j ?? null;
    sections[table.export.section] = table.link.kind === "self" ? ((value as unknown[] | null)?.[0] ?? null) : (value ?? []);
  }
  return {
    format: "purpose-gateway/disclosure-export@1",
    generatedAt: new Date().toISOString(),
    requestId,
    customerId,
    ...sections,
  };
}

function sectionSql(registry: PersonalDataRegistry, table: TableDeclaration, reached: boolean): string {
  const spec = table.export!;
  return `SELECT json_agg(${rowJson(registry, table, "x", reached)} ORDER BY ${spec.order}) AS j FROM ${table.table} x WHERE ${belongsTo(registry, table, "x")}`;
}

function rowJson(registry: PersonalDataRegistry, table: TableDeclaration, alias: string, reached: boolean): string {
  const pairs: string[] = [];
  for (const [key, column] of Object.entries(table.columns)) {
    const name = exportName(key, column);
    if (name === null) continue;
    // a personal value leaves only while the customer is reachable; the facts always
    const value = column.kind === "personal" && !reached ? "NULL" : `${alias}.${column.column}`;
    pairs.push(`'${name}', ${value}`);
  }
  for (const [name, lookup] of Object.entries(table.export?.lookups ?? {})) {
    pairs.push(`'${name}', (SELECT l.${lookup.column} FROM ${lookup.table} l WHERE l.id = ${alias}.${lookup.via})`);
  }
  for (const childName of table.export?.children ?? []) {
    const child = registry.table(childName);
    const c = `${alias}_${child.table}`;
    const link = child.link;
    if (link.kind !== "via") throw new Error(`${child.table} is nested under ${table.table} but not linked via it`);
    const order = child.export?.order.replaceAll("x.", `${c}.`) ?? `${c}.id`;
    pairs.push(
      `'${childSection(child)}', (SELECT coalesce(json_agg(${rowJson(registry, child, c, reached)} ORDER BY ${order}), '[]'::json) FROM ${child.table} ${c} WHERE ${c}.${link.column} = ${alias}.id)`,
    );
  }
  return `json_build_object(${pairs.join(", ")})`;
}

const childSection = (child: TableDeclaration) => child.export?.section ?? child.table;
