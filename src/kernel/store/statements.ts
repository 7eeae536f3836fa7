import { createHash } from "node:crypto";
import type { Pool } from "pg";
import type { DataSource, EntityManager } from "typeorm";

/** A statement written with named parameters (`:name`), compiled once to positional ones. */
export interface CompiledStatement {
  readonly text: string;
  readonly names: readonly string[];
  /** the name it is prepared under on every connection that runs it */
  readonly name: string;
}

const NAMED = /(?<![:\w]):([A-Za-z_]\w*)/g;

export function compileNamed(sql: string): CompiledStatement {
  const names: string[] = [];
  const text = sql.replace(NAMED, (_m, name: string) => {
    let index = names.indexOf(name);
    if (index < 0) index = names.push(name) - 1;
    return `$${index + 1}`;
  });
  return Object.freeze({ text, names: Object.freeze(names), name: `pgw_${createHash("sha1").update(text).digest("hex").slice(0, 20)}` });
}

export function valuesOf(statement: CompiledStatement, params: Readonly<Record<string, unknown>>): unknown[] {
  return statement.names.map((name) => {
    if (!(name in params)) throw new Error(`statement parameter :${name} has no value`);
    return params[name];
  });
}

/**
 * Runs the kernel's statements. Outside a transaction they go to the pool as prepared
 * statements (parsed and planned once per connection, then only executed); inside one,
 * through the transaction's connection. Statements are compiled once per shape by their
 * builders (a bounded cache), so a request builds no SQL on the hot path.
 */
export class StatementRunner {
  private readonly pool: Pool;

  constructor(db: DataSource) {
    const pool = (db.driver as unknown as { master?: Pool }).master;
    if (!pool) throw new Error("the data source is not initialised (no connection pool)");
    this.pool = pool;
  }

  async rows<T = Record<string, unknown>>(
    statement: CompiledStatement,
    params: Readonly<Record<string, unknown>>,
    tx?: Pick<EntityManager, "query">,
  ): Promise<T[]> {
    const values = valuesOf(statement, params);
    if (tx) return (await tx.query(statement.text, values)) as T[];
    const result = await this.pool.query({ name: statement.name, text: statement.text, values });
    return result.rows as T[];
  }
}

/** A bounded cache of compiled statements, by shape key. */
export class StatementCache {
  private readonly entries = new Map<string, CompiledStatement>();
  constructor(private readonly limit = 2000) {}

  get(key: string, build: () => string): CompiledStatement {
    let statement = this.entries.get(key);
    if (!statement) {
      if (this.entries.size >= this.limit) this.entries.clear();
      statement = compileNamed(build());
      this.entries.set(key, statement);
    }
    return statement;
  }
}
