import { randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { uuid_ossp } from "@electric-sql/pglite/contrib/uuid_ossp";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { socketUrl } from "./socket-url";

export interface EmbeddedPostgres {
  /** a postgres:// URL naming the Unix socket (only its owner's user can connect) */
  url: string;
  /** the random id recorded inside this store: a client checks it before trusting an address */
  storeId: string;
  stop(): Promise<void>;
}

/** The socket file name `pg` connects to for `host=<dir>`, port 5432. */
export const SOCKET_NAME = ".s.PGSQL.5432";
/** sun_path is 108 bytes on Linux, 104 on macOS: keep clear of both */
const MAX_SOCKET_PATH = 100;

/**
 * Embedded PostgreSQL (PGlite) served over the wire protocol on a Unix socket in a private
 * directory (mode 0700, socket 0600): `pg` and TypeORM connect to it exactly as to a real
 * server, and no other local user can. PGlite checks no password, so the directory's
 * permissions are the authentication. `dataDir` undefined keeps the store in memory (tests,
 * benchmarks) with its socket in a fresh private temporary directory.
 *
 * The caller owns `dataDir` exclusively (src/db/store-lock.ts): two engines on one directory
 * corrupt it.
 */
export async function startEmbeddedPostgres(
  options: { dataDir?: string; socketDir?: string; maxConnections?: number } = {},
): Promise<EmbeddedPostgres> {
  if (options.dataDir) privateDirectory(options.dataDir);
  let socketDir = options.socketDir ?? mkdtempSync(path.join(os.tmpdir(), "pgw-pglite-"));
  const temporary = options.socketDir === undefined;
  if (!temporary) privateDirectory(socketDir);
  if (path.join(socketDir, SOCKET_NAME).length > MAX_SOCKET_PATH) {
    // too deep for a socket address: serve from a private temporary directory instead
    socketDir = mkdtempSync(path.join(os.tmpdir(), "pgw-pglite-"));
  }
  const socketPath = path.join(socketDir, SOCKET_NAME);

  const db = await PGlite.create({ dataDir: options.dataDir, extensions: { uuid_ossp } });
  let server: PGLiteSocketServer | null = null;
  try {
    const storeId = await storeIdentity(db);
    rmSync(socketPath, { force: true }); // a crashed owner's socket file: nobody listens on it
    server = new PGLiteSocketServer({
      db,
      path: socketPath,
      // at least the pool size of every process that connects (gateway, CLI, tests)
      maxConnections: options.maxConnections ?? 64,
    });
    await server.start();
    chmodSync(socketPath, 0o600);
    const running = server;
    return {
      url: socketUrl(socketDir),
      storeId,
      async stop() {
        await running.stop();
        await db.close();
        rmSync(socketPath, { force: true });
        if (temporary || socketDir !== options.socketDir) rmSync(socketDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server?.stop().catch(() => {});
    await db.close().catch(() => {});
    throw error;
  }
}

/**
 * The store's identity: a random id created with the store and kept inside it (in a schema of
 * its own, which no migration or test reset touches). A process given an address checks that
 * the store answering there carries the id it expects.
 */
async function storeIdentity(db: PGlite): Promise<string> {
  await db.exec(`CREATE SCHEMA IF NOT EXISTS pgw_embedded;
    CREATE TABLE IF NOT EXISTS pgw_embedded.store_identity (id text PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), singleton boolean NOT NULL DEFAULT true UNIQUE)`);
  await db.query(`INSERT INTO pgw_embedded.store_identity (id) VALUES ($1) ON CONFLICT (singleton) DO NOTHING`, [randomUUID()]);
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM pgw_embedded.store_identity`);
  return rows[0].id;
}

/** The id a store at `url` answers with (null when it has none: not an embedded store). */
export const STORE_ID_QUERY = `SELECT id FROM pgw_embedded.store_identity`;

/** A directory only its owner can enter (PGlite creates its files world-readable). */
export function privateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}
