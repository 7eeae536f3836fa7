import type { ColumnSpec } from "../personal-data/declaration";
import { MODEL_CLASSES } from "../model";
import type { Selection } from "./selection";

/**
 * SQL for a selection: the columns it loads, under the declaration's keys (the entity
 * property names), and for the customer its related rows as JSON built in PostgreSQL, so a
 * customer and their rows are one statement. Dates travel as text (`YYYY-MM-DD`), never
 * through the driver's time zone.
 */
export function selectList(selection: Selection, alias: string): string {
  const parts = selection.columns.map(([key, spec]) => `${columnValue(spec, alias)} AS "${key}"`);
  for (const g of selection.generalisations) parts.push(`(${g.sql(alias)}) AS "${g.field}"`);
  selection.relations.forEach((relation, i) => {
    const child = `r${i}_${alias}`;
    const link = relation.selection.table.link;
    if (link.kind !== "column") throw new Error(`${relation.selection.table.table}: only rows linked by a column can be embedded`);
    const order = relation.order
      .split(",")
      .map((part) => `${child}.${part.trim()}`)
      .join(", ");
    parts.push(
      `(SELECT coalesce(json_agg(${jsonObject(relation.selection, child)} ORDER BY ${order}), '[]'::json) FROM ${relation.selection.table.table} ${child} WHERE ${child}.${link.column} = ${alias}.id) AS "${relation.field}"`,
    );
  });
  return parts.join(", ");
}

function jsonObject(selection: Selection, alias: string): string {
  const pairs = selection.columns.map(([key, spec]) => `'${key}', ${columnValue(spec, alias)}`);
  for (const g of selection.generalisations) pairs.push(`'${g.field}', (${g.sql(alias)})`);
  return `json_build_object(${pairs.join(", ")})`;
}

function columnValue(spec: ColumnSpec, alias: string): string {
  return spec.sqlType === "date" ? `${alias}.${spec.column}::text` : `${alias}.${spec.column}`;
}

/** Rows as read (JSON-embedded relations' timestamps arrive as text): typed as the declaration says. */
export function hydrate<T extends object>(selection: Selection, row: Record<string, unknown>, prototype: object | null): T {
  const value = Object.create(prototype ?? Object.prototype) as Record<string, unknown>;
  for (const [key, spec] of selection.columns) {
    const raw = row[key];
    value[key] = spec.sqlType === "timestamptz" && typeof raw === "string" ? new Date(raw) : raw;
  }
  for (const g of selection.generalisations) value[g.field] = row[g.field];
  for (const relation of selection.relations) {
    const rows = (row[relation.field] as Array<Record<string, unknown>> | null) ?? [];
    value[relation.field] = rows.map((child) =>
      hydrate(relation.selection, child, MODEL_CLASSES.get(relation.selection.table.table)?.prototype ?? null),
    );
  }
  return value as T;
}
