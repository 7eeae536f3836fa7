import type { DataSource, EntityManager } from "typeorm";

/**
 * The database handle a feature is given: SQL on the tables it owns (and the public ones),
 * in statements or transactions. Structurally a part of TypeORM's DataSource, so the CLIs
 * can hand a feature's stores the operator's own handle.
 */
export type FeatureDb = Pick<DataSource, "query" | "transaction">;

/** What a transaction callback receives. */
export type FeatureTx = Pick<EntityManager, "query">;

export interface TableOwnership {
  readonly table: string;
  readonly owner: string;
  /** features that may read it besides its owner (with the reason, in the declaration) */
  readonly readers?: readonly string[];
}

const raw = new WeakMap<object, DataSource | EntityManager>();
const checks = new WeakMap<object, (text: string) => void>();

/**
 * A feature's handle: every statement is checked, before it is sent, against the tables it
 * names. A customer-linked table that belongs to the kernel (the customer and their rows) or
 * to another feature is refused: those rows are read only through the kernel's
 * purpose-scoped data layer, with the purpose's row rule. The check is by table name in the
 * statement's text (a cached verdict per distinct text), so it fails closed: a name that
 * merely looks like a table's is refused too.
 */
export function featureDb(db: DataSource, feature: string, tables: readonly TableOwnership[]): FeatureDb {
  const forbidden = tables.filter((t) => t.owner !== feature && !(t.readers ?? []).includes(feature)).map((t) => t.table);
  const pattern = forbidden.length ? new RegExp(`(?<![\\w"])"?(${forbidden.map(escape).join("|")})"?(?![\\w"])`, "i") : null;
  const verdicts = new Map<string, string | null>();
  const check = (text: string) => {
    let verdict = verdicts.get(text);
    if (verdict === undefined) {
      verdict = pattern?.exec(text)?.[1] ?? null;
      if (verdicts.size > 10_000) verdicts.clear();
      verdicts.set(text, verdict);
    }
    if (verdict) {
      throw new Error(
        `feature ${feature} may not touch the table ${verdict} directly: customer rows are read through the kernel's data layer`,
      );
    }
  };
  const guard = <T extends DataSource | EntityManager>(target: T) => {
    const handle = {
      query: async (text: string, params?: unknown[]) => {
        check(text);
        return target.query(text, params);
      },
      transaction: (...args: unknown[]) => {
        const work = args[args.length - 1] as (tx: FeatureTx) => Promise<unknown>;
        return (db as DataSource).transaction((manager) => work(guard(manager) as FeatureTx));
      },
    };
    raw.set(handle, target);
    checks.set(handle, check);
    return handle;
  };
  return guard(db) as unknown as FeatureDb;
}

/** The unchecked handle behind a feature's (for the kernel's own statements in a feature's transaction). */
export function rawHandleOf(handle: object): DataSource | EntityManager | undefined {
  return raw.get(handle);
}

/**
 * For a statement sent another way than the handle's `query` (a COPY, copy-out.ts; a prepared
 * statement on the pool, prepared.ts): applies the handle's table check to it, refused exactly
 * as `query` would refuse it, and gives what to send it on — the data source or transaction
 * behind a feature's handle, or the operator's own handle (a DataSource, in the CLIs: no check).
 */
export function checkedTarget(handle: object, text: string): DataSource | EntityManager {
  checks.get(handle)?.(text);
  return raw.get(handle) ?? (handle as DataSource | EntityManager);
}

/** A data source, not a transaction's manager (a manager has no query runner of its own to create). */
export const isDataSource = (target: DataSource | EntityManager): target is DataSource => "createQueryRunner" in target;

function escape(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
