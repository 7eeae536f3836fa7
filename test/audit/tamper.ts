import type { DataSource } from "typeorm";

/**
 * Changes the trail behind the gateway's back, as an intruder with database access would:
 * replica mode skips ordinary triggers, the append-only guard included.
 */
export async function tamper(db: DataSource, sql: string, params: unknown[] = []): Promise<void> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    await runner.query(`SET LOCAL session_replication_role = replica`);
    await runner.query(sql, params);
    await runner.commitTransaction();
  } finally {
    await runner.release();
  }
}
