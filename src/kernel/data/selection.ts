import type { ColumnSpec, GeneralisationSpec, TableDeclaration } from "../personal-data/declaration";
import type { PersonalDataRegistry } from "../personal-data/registry";

/**
 * What a read of one declared table loads for an operation: the columns and
 * generalisations of the fields the operation reaches on the table's type (and nothing
 * else: a column the operation does not read is never loaded into the process), and for
 * the customer, the related rows to embed (one statement for a customer and their rows).
 * Derived from the gate's reach, so it is computed once per document and purpose.
 */
export interface Selection {
  readonly table: TableDeclaration;
  /** declaration key → column, key and link columns first */
  readonly columns: ReadonlyArray<readonly [key: string, spec: ColumnSpec]>;
  readonly generalisations: readonly GeneralisationSpec[];
  /** customer relations to embed, each with its rows' selection */
  readonly relations: ReadonlyArray<{ readonly field: string; readonly order: string; readonly selection: Selection }>;
  /** a stable key of its shape, for the statement cache */
  readonly shape: string;
}

export function selectionOf(
  registry: PersonalDataRegistry,
  table: TableDeclaration,
  reached: (coordinate: string) => boolean,
  extraColumns: readonly string[] = [],
): Selection {
  const type = table.type ?? table.table;
  const wanted = (key: string, spec: ColumnSpec) =>
    spec.kind === "key" ||
    spec.kind === "link" ||
    extraColumns.includes(spec.column) ||
    (spec.field !== undefined && reached(`${type}.${spec.field}`));
  const columns = Object.entries(table.columns).filter(([key, spec]) => wanted(key, spec));
  // references need the column they go through (CampaignEntry.campaign → campaign_id)
  for (const [field, reference] of Object.entries(table.references ?? {})) {
    if (!reached(`${type}.${field}`)) continue;
    for (const column of [reference.via, ...(reference.alsoLoads ?? [])]) {
      const entry = Object.entries(table.columns).find(([, spec]) => spec.column === column);
      if (entry && !columns.some(([key]) => key === entry[0])) columns.push(entry);
    }
  }
  columns.sort(([, a], [, b]) => rank(a) - rank(b));
  const generalisations = (table.generalisations ?? []).filter((g) => reached(`${type}.${g.field}`));

  const relations: Array<{ field: string; order: string; selection: Selection }> = [];
  if (table.table === registry.customer.table) {
    const derivedFrom = new Set((table.derived ?? []).filter((d) => reached(`${type}.${d.field}`)).flatMap((d) => d.fromRelations));
    for (const relation of registry.customerRelations.values()) {
      if (!reached(`${type}.${relation.field}`) && !derivedFrom.has(relation.field)) continue;
      // the order columns are loaded too: derived fields (activity) sort the rows in the process
      const orderColumns = relation.order.split(",").map((part) => part.trim().split(/\s+/)[0]);
      relations.push({
        field: relation.field,
        order: relation.order,
        selection: selectionOf(registry, relation.table, reached, orderColumns),
      });
    }
  }
  const shape = [
    table.table,
    columns.map(([key]) => key).join(","),
    generalisations.map((g) => g.field).join(","),
    relations.map((r) => `${r.field}(${r.selection.shape})`).join(","),
  ].join("|");
  return Object.freeze({
    table,
    columns: Object.freeze(columns),
    generalisations: Object.freeze(generalisations),
    relations: Object.freeze(relations),
    shape,
  });
}

const rank = (spec: ColumnSpec) => (spec.kind === "key" ? 0 : spec.kind === "link" ? 1 : 2);
