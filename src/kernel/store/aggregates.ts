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
  run<T = Record<string, unknown>>(sql: string, params: unknown[], options?: { minGroupSize?: number; countColumn?: string }): Promise<T[]>;
}

export function aggregateReader(db: DataSource, registry: PersonalDataRegistry): AggregateReader {
  const identifying = new Set(
    registry.tables.flatMap((t) => Object.entries(t.columns).filter(([, c]) => c.kind === "key" || c.kind === "link").flatMap(([key, c]) => [key, c.column])),
  );
  return {
    async run<T>(sql: string, params: unknown[], options: { minGroupSize?: number; countColumn?: string } = {}) {
      const rows: Array<Record<string, unknown>> = await db.query(sql, params);
      for (const row of rows) {
        for (const column of Object.keys(row)) {
          if (identifying.has(column)) throw new Error(`an aggregate returned the column ${column}, which identifies customers: refused`);
        }
        if (options.minGroupSize !== undefined) {
          const count = Number(row[options.countColumn ?? "customers"]);
          if (!Number.isFinite(count) || count < options.minGroupSize) throw new Error("an aggregate returned a group below the minimum group size: refused");
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
