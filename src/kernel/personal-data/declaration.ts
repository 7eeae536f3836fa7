import { commonPurposes, purposesOf, type DataCategory } from "./categories";
import type { Purpose } from "../purposes/purpose";

/**
 * The declaration of personal data: every table of the store that holds rows about a
 * customer, every column of it, once, with what it is:
 * - `personal`: a personal value, with its data category (and so its purposes); erased
 *   with the customer, exported to them, loaded only where its purpose allows;
 * - `key`: the row's id (kept as a tombstone; its category gives the purposes of `id`);
 * - `link`: the column that says whose row it is (customer_id …);
 * - `record`: a fact kept after an erasure because the law or accountability needs it
 *   (ids, codes, dates, field names — never a personal value), with the reason;
 * - `lifecycle`: deleted_at / erased_at.
 * The SDL's `@allowedFor` (decorators.ts), the columns the data layer loads, the export,
 * the erasure and the corrections all derive from these objects; nothing lists personal
 * columns by hand anywhere else. At start-up the store is checked against them: a column
 * of a customer-linked table that is not declared stops the gateway, naming it.
 */
export type SqlType =
  "uuid" | "text" | "date" | "timestamptz" | "integer" | "bigint" | "boolean" | "text[]" | "uuid[]" | "date[]" | "bytea";

export type ColumnKind = "key" | "link" | "personal" | "record" | "lifecycle";

export interface ColumnSpec {
  readonly column: string;
  readonly kind: ColumnKind;
  readonly sqlType: SqlType;
  /** personal and key columns: what the value is, and so the purposes it may be read for */
  readonly category?: DataCategory;
  /** the GraphQL field it is exposed as on the table's type, if any */
  readonly field?: string;
  /** its name in a customer's disclosure export; null: not exported (default: the field or camelCase name) */
  readonly exportAs?: string | null;
  /** record and lifecycle columns: why the value may stay after an erasure */
  readonly reason?: string;
  /** personal columns a customer may have corrected (agreement 1.5): what a valid value is */
  readonly correction?: { readonly hint: string; valid(value: string): boolean };
  /** a recognisable value for test fixtures, from a counter */
  readonly example?: (n: number) => unknown;
}

/** A value computed in SQL from personal columns, with purposes of its own (a generalisation). */
export interface GeneralisationSpec {
  readonly field: string;
  readonly category: DataCategory;
  /** the columns (keys of `columns`) it is computed from: loaded only inside the expression, never into the process */
  readonly sources: readonly string[];
  /** the SQL expression over the table alias */
  sql(alias: string): string;
}

/** A field computed in the process from relations: permitted only where all its sources are. */
export interface DerivedSpec {
  readonly field: string;
  /** relation fields of the same type it is computed from */
  readonly fromRelations: readonly string[];
}

export type LinkSpec =
  | { readonly kind: "self" }
  | { readonly kind: "column"; readonly column: string }
  | { readonly kind: "array"; readonly column: string }
  | { readonly kind: "via"; readonly column: string; readonly table: string };

/** What an erasure does to the table's rows of the customer. */
export type ErasureSpec =
  | { readonly action: "tombstone" } // personal columns NULL, erased_at set; the row stays for references
  | { readonly action: "delete" }
  | { readonly action: "keep"; readonly set?: Readonly<Record<string, string>> }; // personal columns NULL, records kept (SET column = SQL)

export interface ExportSpec {
  /** the export's section name */
  readonly section: string;
  /** SQL ORDER BY over the table alias `x` */
  readonly order: string;
  /** values looked up in public tables: name → { table, key column of x, column to take } */
  readonly lookups?: Readonly<Record<string, { readonly table: string; readonly via: string; readonly column: string }>>;
  /** child tables nested under each row (linked `via` this table) */
  readonly children?: readonly string[];
}

export interface TableDeclaration {
  readonly table: string;
  /** "kernel" or the feature that owns it: only the owner may use it directly */
  readonly owner: string;
  /** features that may read it besides its owner (its facts, under their own rules) */
  readonly readers?: readonly string[];
  /** the GraphQL type its rows are exposed as */
  readonly type?: string;
  readonly link: LinkSpec;
  readonly columns: Readonly<Record<string, ColumnSpec>>;
  readonly generalisations?: readonly GeneralisationSpec[];
  readonly derived?: readonly DerivedSpec[];
  /** the relation field on the customer's type that lists these rows, and their order */
  readonly customerRelation?: {
    readonly field: string;
    readonly order: string;
    /** narrows the relation to fewer purposes than its rows' categories allow, and why */
    readonly only?: { readonly purposes: readonly Purpose[]; readonly why: string };
  };
  /**
   * Fields of the type that lead to one row of another table through a column of this one
   * (`CampaignEntry.campaign`, `CampaignEntry.customer`): they reveal as much as the row
   * does, so they carry the purposes of this table's key.
   */
  readonly references?: Readonly<Record<string, { readonly table: string; readonly via: string; readonly alsoLoads?: readonly string[] }>>;
  readonly erasure: ErasureSpec;
  /** sections of a customer's disclosure export; absent for a child exported under its parent */
  readonly export?: ExportSpec;
  /** no section of its own: its rows are exported through this declared table (a view over it) */
  readonly exportedThrough?: string;
  /**
   * Who reads personal columns of these rows outside the purpose's row rule: by default
   * no one (personal columns of a row whose customer the scope cannot reach read as null).
   */
  readonly complianceRole?: string;
}

export function declareTable<T extends TableDeclaration>(declaration: T): T {
  for (const [name, spec] of Object.entries(declaration.columns)) {
    if ((spec.kind === "personal" || spec.kind === "key") && !spec.category) {
      throw new Error(`${declaration.table}.${spec.column} (${name}) is ${spec.kind} but has no data category`);
    }
    if ((spec.kind === "record" || spec.kind === "lifecycle") && !spec.reason) {
      throw new Error(`${declaration.table}.${spec.column} (${name}) is kept after erasure but says not why`);
    }
    if (spec.correction && spec.kind !== "personal")
      throw new Error(`${declaration.table}.${spec.column}: only personal columns are corrected`);
  }
  return deepFreeze(declaration);
}

/** The purposes a declared column's GraphQL field may be read for. */
export function columnPurposes(spec: ColumnSpec): Purpose[] {
  if (!spec.category) throw new Error(`${spec.column} has no data category: it cannot be exposed`);
  return purposesOf(spec.category);
}

/** The purposes of a derived field: those every source relation's rows may be read for. */
export function derivedPurposes(categories: readonly DataCategory[]): Purpose[] {
  return commonPurposes(categories);
}

export const personalColumns = (t: TableDeclaration): ColumnSpec[] => Object.values(t.columns).filter((c) => c.kind === "personal");
export const keyColumn = (t: TableDeclaration): ColumnSpec | undefined => Object.values(t.columns).find((c) => c.kind === "key");
export const exportName = (key: string, spec: ColumnSpec): string | null =>
  spec.exportAs === undefined ? (spec.field ?? key) : spec.exportAs;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
