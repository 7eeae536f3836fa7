import { compileNamed, valuesOf } from "../store/statements";

/** Anything that runs SQL with positional parameters (a data source, a transaction's manager). */
export interface RawQuery {
  query(text: string, params?: unknown[]): Promise<any>;
}

const compiled = new Map<string, ReturnType<typeof compileNamed>>();

/** Runs a statement written with named parameters (compiled once per text). */
export async function namedQuery<T = Record<string, unknown>>(
  q: RawQuery,
  sql: string,
  params: Readonly<Record<string, unknown>>,
): Promise<T[]> {
  let statement = compiled.get(sql);
  if (!statement) {
    if (compiled.size > 2000) compiled.clear();
    compiled.set(sql, (statement = compileNamed(sql)));
  }
  const result = await q.query(statement.text, valuesOf(statement, params));
  // TypeORM answers UPDATE/DELETE with [rows, count]; SELECT and RETURNING-wrapped statements with rows
  return (
    Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === "number" ? result[0] : result
  ) as T[];
}
