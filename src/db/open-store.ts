import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { DataSource } from "typeorm";
import type { Settings } from "../config/settings";
import { openDatabase } from "./data-source";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded-postgres";

export interface Store {
  db: DataSource;
  /** where it lives, without credentials */
  description: string;
  close(): Promise<void>;
}

/**
 * The personal-data store, migrated. With DATABASE_URL: that server. Without: embedded
 * PostgreSQL (PGlite) in `dataDir`. One process owns a PGlite directory, so the owner
 * writes its wire-protocol address next to it and other processes (the CLI while the
 * gateway runs) connect there instead of opening the directory a second time.
 */
export async function openStore(config: Settings["store"]): Promise<Store> {
  if (config.databaseUrl) {
    const db = await openDatabase({ url: config.databaseUrl, poolSize: config.poolSize });
    return { db, description: redact(config.databaseUrl), close: () => db.destroy() };
  }

  const addressFile = path.resolve(config.dataDir) + ".address";
  if (existsSync(addressFile)) {
    const url = readFileSync(addressFile, "utf8").trim();
    try {
      const db = await openDatabase({ url, poolSize: Math.min(config.poolSize, 4) });
      return { db, description: `embedded PostgreSQL served by another process at ${url}`, close: () => db.destroy() };
    } catch {
      rmSync(addressFile, { force: true }); // stale: its owner is gone
    }
  }

  mkdirSync(path.dirname(path.resolve(config.dataDir)), { recursive: true });
  const embedded: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir: config.dataDir });
  writeFileSync(addressFile, embedded.url);
  const db = await openDatabase({ url: embedded.url, poolSize: config.poolSize });
  return {
    db,
    description: `embedded PostgreSQL (PGlite) in ${config.dataDir}`,
    async close() {
      await db.destroy();
      rmSync(addressFile, { force: true });
      await embedded.stop();
    },
  };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}
