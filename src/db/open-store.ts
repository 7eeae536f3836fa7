import { rmSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import type { DataSource } from "typeorm";
import type { Settings } from "../config/settings";
import { logger } from "../observability/logger";
import { openDatabase, type DatabaseOptions } from "./data-source";
import { startEmbeddedPostgres, STORE_ID_QUERY } from "./embedded-postgres";
import { isAlive, readOwner, tryLockStore, type StoreOwner } from "./store-lock";

export interface Store {
  db: DataSource;
  /** where it lives, without credentials */
  description: string;
  close(): Promise<void>;
}

/** A gateway serves the embedded store to others; a CLI command only uses it. */
export type StoreRole = "gateway" | "cli";

/** The embedded store is held by someone else and this process cannot use it. */
export class StoreBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreBusyError";
  }
}

type StoreSettings = Pick<Settings, "store" | "operations">;

/**
 * The personal-data store, migrated. With DATABASE_URL: that server (waited for at start up to
 * STARTUP_WAIT_MS). Without: embedded PostgreSQL (PGlite) in PGW_DATA_DIR, which has exactly
 * one owner, the process holding its lock (src/db/store-lock.ts):
 *  - a gateway takes the lock, serves the store on a private Unix socket, and publishes the
 *    address (with the store's id) in the lock file once migrated; a second gateway refuses to
 *    start; a gateway finding a CLI command holding the store waits for it to finish;
 *  - a CLI command uses the running gateway's store through that socket, after checking that
 *    the store answering there is the one the address names; with no gateway it takes the lock
 *    and opens the store itself, serving no one.
 * Never two engines on one directory.
 */
export async function openStore(settings: StoreSettings, role: StoreRole = "gateway"): Promise<Store> {
  const { store, operations } = settings;
  const bounds: Omit<DatabaseOptions, "url"> = {
    poolSize: store.poolSize,
    statementTimeoutMs: operations.database.statementTimeoutMs,
    connectTimeoutMs: operations.database.connectTimeoutMs,
  };
  if (store.databaseUrl) {
    const db = await openDatabase({ url: store.databaseUrl, ...bounds, startupWaitMs: operations.database.startupWaitMs });
    return { db, description: redact(store.databaseUrl), close: () => db.destroy() };
  }
  return openEmbedded(path.resolve(store.dataDir), role, bounds, operations.database.startupWaitMs);
}

async function openEmbedded(dataDir: string, role: StoreRole, bounds: Omit<DatabaseOptions, "url">, waitMs: number): Promise<Store> {
  const runDir = `${dataDir}.run`;
  const deadline = Date.now() + waitMs;
  let lastProblem = "";
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const lock = tryLockStore(runDir);
    if (lock) {
      const me: StoreOwner = { pid: process.pid, role, startedAt: new Date().toISOString() };
      lock.record(me);
      rmSync(`${dataDir}.address`, { force: true }); // the world-readable address file of earlier versions
      try {
        const embedded = await startEmbeddedPostgres({ dataDir, socketDir: runDir });
        try {
          const db = await openDatabase({ url: embedded.url, ...bounds });
          // published only once migrated: a client never sees a half-migrated store
          if (role === "gateway") lock.record({ ...me, url: embedded.url, storeId: embedded.storeId });
          return {
            db,
            description: `embedded PostgreSQL (PGlite) in ${dataDir}`,
            async close() {
              try {
                await db.destroy();
                await embedded.stop();
              } finally {
                lock.release();
              }
            },
          };
        } catch (error) {
          await embedded.stop().catch(() => {});
          throw error;
        }
      } catch (error) {
        lock.release();
        throw error;
      }
    }

    const owner = readOwner(runDir);
    const ownerAlive = owner !== null && isAlive(owner.pid);
    if (ownerAlive && owner.role === "gateway" && role === "gateway") {
      throw new StoreBusyError(
        `the embedded store in ${dataDir} is already served by another gateway (pid ${owner.pid}); stop that one first, ` +
          `or run several gateways on PostgreSQL (DATABASE_URL)`,
      );
    }
    if (ownerAlive && owner.url && owner.storeId && role === "cli") {
      const problem = await verifyIdentity(owner.url, owner.storeId, bounds.connectTimeoutMs ?? 3000);
      if (!problem) {
        const db = await openDatabase({ url: owner.url, ...bounds, poolSize: Math.min(bounds.poolSize ?? 4, 4), migrate: false });
        return {
          db,
          description: `embedded PostgreSQL served by the gateway (pid ${owner.pid}) for ${dataDir}`,
          close: () => db.destroy(),
        };
      }
      lastProblem = problem;
    } else {
      lastProblem = owner
        ? `held by ${owner.role === "gateway" ? "a gateway that is starting" : "a CLI command"} (pid ${owner.pid})`
        : "held by a process that has not said who it is yet";
    }
    if (Date.now() + delay > deadline) {
      throw new StoreBusyError(`the embedded store in ${dataDir} cannot be used: ${lastProblem} (waited ${waitMs} ms, STARTUP_WAIT_MS)`);
    }
    logger.debug({ dataDir, problem: lastProblem }, "embedded store busy: waiting");
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/**
 * Does the store answering at `url` carry the id the address promised? A recorded address may
 * be stale; this makes sure it can never lead to another store. Returns the problem, or null.
 */
async function verifyIdentity(url: string, expected: string, connectTimeoutMs: number): Promise<string | null> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  client.on("error", () => {});
  try {
    await client.connect();
    // a server without the identity table is not an embedded store of ours at all
    const rows = await client.query(STORE_ID_QUERY).then(
      (r) => r.rows,
      () => [],
    );
    const actual = rows[0]?.id;
    return actual === expected ? null : `the address recorded for it answers as another store (${actual ?? "no id"}, expected ${expected})`;
  } catch (error) {
    return `its recorded address does not answer (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}
