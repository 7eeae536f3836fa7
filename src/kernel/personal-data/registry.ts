import { isInterfaceType, isObjectType, type GraphQLSchema } from "graphql";
import type { ColumnSpec, TableDeclaration } from "./declaration";

/** A relation of the customer's type to the rows of a linked table. */
export interface CustomerRelation {
  readonly field: string;
  readonly table: TableDeclaration;
  readonly order: string;
}

/**
 * Every declared table of the composed gateway: the kernel's own and the features'. Built
 * once at the composition root; the data layer, the export, the erasure and the checks
 * read it. A table or GraphQL type declared twice stops the start.
 */
export class PersonalDataRegistry {
  readonly tables: readonly TableDeclaration[];
  private readonly byName = new Map<string, TableDeclaration>();
  private readonly byType = new Map<string, TableDeclaration>();
  readonly customerRelations: ReadonlyMap<string, CustomerRelation>;

  constructor(tables: readonly TableDeclaration[]) {
    const relations = new Map<string, CustomerRelation>();
    for (const table of tables) {
      if (this.byName.has(table.table)) throw new Error(`table ${table.table} is declared twice`);
      this.byName.set(table.table, table);
      if (table.type) {
        if (this.byType.has(table.type)) throw new Error(`GraphQL type ${table.type} is declared for two tables`);
        this.byType.set(table.type, table);
      }
      if (table.customerRelation) {
        if (relations.has(table.customerRelation.field))
          throw new Error(`customer relation ${table.customerRelation.field} is declared twice`);
        relations.set(table.customerRelation.field, { field: table.customerRelation.field, table, order: table.customerRelation.order });
      }
    }
    for (const table of tables) {
      if (table.link.kind === "via" && !this.byName.has(table.link.table))
        throw new Error(`${table.table} is linked via ${table.link.table}, which is not declared`);
      if (table.exportedThrough && !this.byName.get(table.exportedThrough)?.export) {
        throw new Error(
          `${table.table} is exported through ${table.exportedThrough}, which is not a declared table with an export section`,
        );
      }
    }
    this.tables = Object.freeze([...tables]);
    this.customerRelations = relations;
    if (!this.byName.has("customer")) throw new Error("the customer table is not declared");
    Object.freeze(this);
  }

  table(name: string): TableDeclaration {
    const table = this.byName.get(name);
    if (!table) throw new Error(`table ${name} is not declared`);
    return table;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  forType(typeName: string): TableDeclaration | undefined {
    return this.byType.get(typeName);
  }

  get customer(): TableDeclaration {
    return this.table("customer");
  }

  /** The column exposed as `field` on the table's type. */
  columnOfField(table: TableDeclaration, field: string): ColumnSpec | undefined {
    return Object.values(table.columns).find((c) => c.field === field);
  }

  /** Child tables nested under `parent` in the export (linked `via` it). */
  childrenOf(parent: TableDeclaration): TableDeclaration[] {
    return this.tables.filter((t) => t.link.kind === "via" && t.link.table === parent.table);
  }

  /**
   * Every field of a declared type must itself be declared: a column, a generalisation, a
   * derived field, a relation to the customer's linked rows, or a reference. A field that
   * computes something from personal data without a declaration (`Customer.birthYear`
   * returning the birth date's year) would carry purposes its sources do not allow.
   */
  checkSchema(schema: GraphQLSchema): void {
    const problems: string[] = [];
    for (const table of this.tables) {
      if (!table.type) continue;
      const type = schema.getType(table.type);
      if (!type || !(isObjectType(type) || isInterfaceType(type))) {
        problems.push(`${table.table} is declared as the GraphQL type ${table.type}, which the schema lacks`);
        continue;
      }
      const declared = new Set<string>([
        ...Object.values(table.columns).flatMap((c) => (c.field ? [c.field] : [])),
        ...(table.generalisations ?? []).map((g) => g.field),
        ...(table.derived ?? []).map((d) => d.field),
        ...Object.keys(table.references ?? {}),
        ...(table.table === "customer" ? [...this.customerRelations.keys()] : []),
      ]);
      for (const field of Object.keys(type.getFields())) {
        if (!declared.has(field)) {
          problems.push(
            `${table.type}.${field} is not declared: declare it with its data category (or as a generalisation or derived field) in the declaration of ${table.table}`,
          );
        }
      }
      for (const field of declared) {
        if (!type.getFields()[field])
          problems.push(`${table.type}.${field} is declared for ${table.table} but the schema has no such field`);
      }
      for (const derived of table.derived ?? []) {
        for (const relation of derived.fromRelations) {
          if (!this.customerRelations.has(relation))
            problems.push(`${table.type}.${derived.field} is derived from ${relation}, which is no declared relation`);
        }
      }
    }
    if (problems.length) throw new Error(`The schema does not match the personal-data declaration:\n  ${problems.join("\n  ")}`);
  }

  /**
   * The store must hold exactly what is declared: every column of every customer-linked
   * table (a table with a customer_id or customer_ids column, or linked through one) has a
   * declaration. A column added by a migration without one stops the start, naming it.
   */
  async checkStore(query: (sql: string) => Promise<Array<{ table_name: string; column_name: string }>>): Promise<void> {
    const rows = await query(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
    );
    const columns = new Map<string, string[]>();
    for (const row of rows) columns.set(row.table_name, [...(columns.get(row.table_name) ?? []), row.column_name]);
    const problems: string[] = [];
    const linked = new Set(this.tables.map((t) => t.table));
    for (const [table, names] of columns) {
      if (!linked.has(table) && names.some((n) => n === "customer_id" || n === "customer_ids")) {
        problems.push(`table ${table} holds customer rows but is not declared: declare its columns with their data categories`);
      }
    }
    for (const table of this.tables) {
      const actual = columns.get(table.table);
      if (!actual) {
        problems.push(`table ${table.table} is declared but the store has no such table`);
        continue;
      }
      const declared = new Set(Object.values(table.columns).map((c) => c.column));
      for (const column of actual) {
        if (!declared.has(column))
          problems.push(`${table.table}.${column} has no data category: declare it (personal with its category, or a record kept and why)`);
      }
      for (const column of declared)
        if (!actual.includes(column)) problems.push(`${table.table}.${column} is declared but the store has no such column`);
    }
    if (problems.length) throw new Error(`The store does not match the personal-data declaration:\n  ${problems.join("\n  ")}`);
  }
}
