import type { DataSource } from "typeorm";
import type { PersonalDataRegistry } from "../personal-data/registry";

/**
 * The kernel's road for aggregates over customer-linked tables (statistics, counts of
 * consents to renew): the statement runs as given, and its result is checked before it is
 * returned — no column may carry a declared key or link column's name (an id), and with
 * `minGroupSize` every row must count at least that many distinct customers — so what
 * leaves is a count or a sum, never a row about someone. Fails closed on any doubt.
 */
export interface AggregateReader {
  run<T = Record<string, unknown>>(sql: string, params: unknown[], options?: AggregateOptions): Promise<T[]>;
}

export interface AggregateOptions {
  minGroupSize?: number;
  countColumn?: string;
  /**
   * Memory for the statement's sorts and hashes (e.g. "256MB"), set for its transaction
   * only (with JIT off: its compile time costs more than it saves on these plans), so a
   * large aggregate does not spill to disk while the server's default stays small.
   */
  workMem?: string;
  /** a longer statement timeout than the pool's, for this statement's transaction only */
  statementTimeoutMs?: number;
  /**
   * Plan joins as merges (no hash join), for this statement's transaction only: for a
   * statement whose inputs both stream in key order from indexes, where a hash join would
   * rebuild the order they already have (statistics' usage facts and the active customers;
   * PostgreSQL underestimates `= ANY` of all 47 prefectures at about 64 % and picks a hash).
   */
  mergeJoins?: boolean;
}

const WORK_MEM = /^[1-9][0-9]{0,6}(kB|MB|GB)$/;

export function aggregateReader(db: DataSource, registry: PersonalDataRegistry): AggregateReader {
  const identifying = new Set(
    registry.tables.flatMap((t) =>
      Object.entries(t.columns)
        .filter(([, c]) => c.kind === "key" || c.kind === "link")
        .flatMap(([key, c]) => [key, c.column]),
    ),
  );
  return {
    async run<T>(sql: string, params: unknown[], options: AggregateOptions = {}) {
      const { workMem, statementTimeoutMs, mergeJoins } = options;
      if (workMem !== undefined && !WORK_MEM.test(workMem)) throw new Error(`work_mem ${workMem}: expected e.g. 256MB`);
      if (statementTimeoutMs !== undefined && !(Number.isSafeInteger(statementTimeoutMs) && statementTimeoutMs > 0))
        throw new Error(`statement timeout ${statementTimeoutMs}`);
      const rows: Array<Record<string, unknown>> =
        workMem === undefined && statementTimeoutMs === undefined && !mergeJoins
          ? await db.query(sql, params)
          : await db.transaction(async (tx) => {
              if (workMem) await tx.query(`SELECT set_config('work_mem', $1, true), set_config('jit', 'off', true)`, [workMem]);
              if (statementTimeoutMs) await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [String(statementTimeoutMs)]);
              if (mergeJoins) await tx.query(`SELECT set_config('enable_hashjoin', 'off', true)`);
              return tx.query(sql, params);
            });
      for (const row of rows) {
        for (const column of Object.keys(row)) {
          if (identifying.has(column)) throw new Error(`an aggregate returned the column ${column}, which identifies customers: refused`);
        }
        if (options.minGroupSize !== undefined) {
          const count = Number(row[options.countColumn ?? "customers"]);
          if (!Number.isFinite(count) || count < options.minGroupSize)
            throw new Error("an aggregate returned a group below the minimum group size: refused");
        }
      }
      return rows as T[];
    },
  };
}

/** The road for a feature that has not declared `aggregateReads`: nothing. */
export function refusedAggregates(feature: string): AggregateReader {
  return {
    run: async () => {
      throw new Error(`feature ${feature} reads no aggregates over customers (it declares no aggregateReads)`);
    },
  };
}
