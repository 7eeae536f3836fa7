import { Directive, Field, type FieldOptions } from "type-graphql";

type ReturnTypeFunc = NonNullable<Parameters<typeof Field>[0]>;
import { Column, PrimaryColumn, type ColumnType } from "typeorm";
import { commonPurposes, purposesOf, type DataCategory } from "./categories";
import type { ColumnSpec, GeneralisationSpec, TableDeclaration } from "./declaration";
import type { Purpose } from "../purposes/purpose";

/**
 * Decorators that expose declared personal data in the schema. The purposes in the SDL
 * (`@allowedFor`) come from the declaration's data categories, never written by hand.
 */
const allowedFor = (purposes: readonly Purpose[]) => {
  if (purposes.length === 0) throw new Error("a declared field needs at least one purpose");
  return Directive(`@allowedFor(purposes: [${purposes.join(", ")}])`);
};

const TYPEORM: Record<ColumnSpec["sqlType"], ColumnType> = {
  uuid: "uuid",
  text: "text",
  date: "date",
  timestamptz: "timestamptz",
  integer: "integer",
  bigint: "bigint",
  boolean: "boolean",
  "text[]": "text",
  "uuid[]": "uuid",
  "date[]": "date",
  bytea: "bytea",
};

function columnDecorator(spec: ColumnSpec): PropertyDecorator {
  const array = spec.sqlType.endsWith("[]");
  if (spec.kind === "key") return PrimaryColumn({ name: spec.column, type: TYPEORM[spec.sqlType] });
  return Column({ name: spec.column, type: TYPEORM[spec.sqlType], nullable: true, ...(array ? { array: true } : {}) });
}

/**
 * A declared column as a field of an entity: its TypeORM column, its GraphQL field, and
 * `@allowedFor` with the purposes of its data category.
 */
export function DeclaredColumn(spec: ColumnSpec, type?: ReturnTypeFunc, options: FieldOptions = {}): PropertyDecorator {
  if (!spec.field) throw new Error(`${spec.column} is not declared as a GraphQL field`);
  const field = type ? Field(type, { ...options, name: spec.field }) : Field({ ...options, name: spec.field });
  const purposes = allowedFor(purposesOf(spec.category!));
  const column = columnDecorator(spec);
  return (target, key) => {
    column(target, key);
    field(target, key);
    purposes(target, key);
  };
}

/** A declared column as a field of a GraphQL type that is no entity (a feature's record type). */
export function DeclaredField(spec: ColumnSpec, type?: ReturnTypeFunc, options: FieldOptions = {}): PropertyDecorator {
  if (!spec.field) throw new Error(`${spec.column} is not declared as a GraphQL field`);
  const field = type ? Field(type, { ...options, name: spec.field }) : Field({ ...options, name: spec.field });
  const purposes = allowedFor(purposesOf(spec.category!));
  return (target, key) => {
    field(target, key);
    purposes(target, key);
  };
}

/** A generalisation (computed in SQL) as a field, with the purposes of its own category. */
export function DeclaredGeneralisation(spec: GeneralisationSpec, type?: ReturnTypeFunc, options: FieldOptions = {}): PropertyDecorator {
  const field = type
    ? Field(type, { ...options, name: spec.field, nullable: true })
    : Field({ ...options, name: spec.field, nullable: true });
  const purposes = allowedFor(purposesOf(spec.category));
  return (target, key) => {
    field(target, key);
    purposes(target, key);
  };
}

/** The categories of a table's rows: every category its declared columns carry. */
export function tableCategories(table: TableDeclaration): DataCategory[] {
  const categories = Object.values(table.columns).flatMap((c) => (c.category ? [c.category] : []));
  return [...new Map(categories.map((c) => [c.name, c])).values()];
}

/**
 * The fail-closed default for a type (for any field added to it without a declaration):
 * only the purposes every category of its table allows.
 */
export function TablePurposes(table: TableDeclaration): ClassDecorator {
  return allowedFor(commonPurposes(tableCategories(table)));
}

/**
 * The purposes of a relation or derived field that yields the rows of `tables`: where every
 * one of them may be read (a list of a customer's usage reveals their usage).
 */
export function RelationPurposes(...tables: TableDeclaration[]): MethodDecorator & PropertyDecorator {
  return allowedFor(relationPurposes(tables));
}

/** The purposes of a customer relation over `tables` (narrowed where a relation says so). */
export function relationPurposes(tables: readonly TableDeclaration[]): Purpose[] {
  return commonPurposes(tables.flatMap((t) => tableCategories(t))).filter((p) =>
    tables.every((t) => t.customerRelation?.only?.purposes.includes(p) ?? true),
  );
}
