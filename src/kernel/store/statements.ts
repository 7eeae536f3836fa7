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
    const pool = poolOf(db);
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
    return poolRows<T>(this.pool, statement, values);
  }
}

/** The pg pool behind an initialised PostgreSQL data source (TypeORM's driver keeps it as `master`), else null. */
export function poolOf(db: DataSource): Pool | null {
  if (db.options.type !== "postgres") return null;
  return (db.driver as unknown as { master?: Pool }).master ?? null;
}

/** Pools whose connections turned out to share one session (the embedded store): no statement names there. */
const sharedSessions = new WeakSet<Pool>();

/** A session already holds a statement of this name (42P05), or no longer holds it (26000). */
const NAME_CLASH = new Set(["42P05", "26000"]);

/**
 * Runs a statement on the pool, prepared under its name. On the embedded store every
 * connection of the pool is the same PostgreSQL session (PGlite serves one session over its
 * socket), so a statement one connection prepared is, for the next connection's Parse, a name
 * that already exists. The first such clash marks the pool: the statement is sent again
 * unnamed (a failed Parse ran nothing), and so is every statement after it on that pool.
 */
export async function poolRows<T>(pool: Pool, statement: CompiledStatement, values: unknown[]): Promise<T[]> {
  if (sharedSessions.has(pool)) return (await pool.query(statement.text, values)).rows as T[];
  try {
    return (await pool.query({ name: statement.name, text: statement.text, values })).rows as T[];
  } catch (error) {
    if (!NAME_CLASH.has((error as { code?: string }).code ?? "")) throw error;
    sharedSessions.add(pool);
    return (await pool.query(statement.text, values)).rows as T[];
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
