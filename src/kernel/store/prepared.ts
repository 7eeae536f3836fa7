import { checkedTarget, isDataSource, type FeatureDb, type FeatureTx } from "./feature-db";
import { poolOf, poolRows, type CompiledStatement } from "./statements";
/**
 * A feature's hot statement as a prepared statement: parsed and planned once per pool
 * connection, then only bound and executed, sent straight to the pg pool (no TypeORM query
 * runner per call). For statements a feature runs on every request or batch (the audit
 * append); everything else goes through its handle's `query`. The statement passes the same
 * table check as `query`. A handle that is not a pooled PostgreSQL DataSource (a transaction's
 * manager, another driver) runs it through its own `query`, unprepared; so does the embedded
 * store, whose connections share one session (statements.ts, poolRows).
 */
export async function preparedRows<T = Record<string, unknown>>(
  db: FeatureDb | FeatureTx,
  statement: CompiledStatement,
  values: readonly unknown[],
): Promise<T[]> {
  const target = checkedTarget(db, statement.text);
  const pool = isDataSource(target) ? poolOf(target) : null;
  if (!pool) return (await target.query(statement.text, values as unknown[])) as T[];
  return poolRows<T>(pool, statement, [...values]);
}
