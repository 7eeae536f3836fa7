import net from "node:net";
import { Client } from "pg";
import type { Settings } from "../config/settings";

/** A second demo would rotate the running demo's keys: it is refused before it touches them. */
export class DemoAlreadyRunning extends Error {
  constructor(reason: string) {
    super(
      `Another Purpose Gateway demo is running: ${reason}.\n` +
        `Its keys were left alone. Use the running demo (its keys are in its terminal), stop it first (Ctrl-C), ` +
        `or start a separate one with its own store and port: PGW_DATA_DIR=.data/demo2 PORT=4001 npm run demo`,
    );
    this.name = "DemoAlreadyRunning";
  }
}

/** Held for the life of the demo: an advisory lock on a real server (released when the process ends). */
const DEMO_LOCK = 0x70677764; // "pgwd"

/**
 * Makes sure this is the only demo on its store and port, before any key is issued: the
 * HTTP port is free, and on a PostgreSQL server no other demo holds the demo lock. (A second
 * gateway on the embedded store is refused earlier, by the store's lock: src/db/store-lock.ts.)
 */
export async function claimDemo(settings: Settings): Promise<{ release(): Promise<void> }> {
  if (settings.http.port !== 0 && !(await portIsFree(settings.http.host, settings.http.port))) {
    throw new DemoAlreadyRunning(`port ${settings.http.port} is in use (by a running demo or gateway?)`);
  }
  if (!settings.store.databaseUrl) return { release: async () => {} };
  const lock = new Client({ connectionString: settings.store.databaseUrl });
  await lock.connect();
  const [{ locked }] = (await lock.query(`SELECT pg_try_advisory_lock($1) AS locked`, [DEMO_LOCK])).rows;
  if (!locked) {
    await lock.end();
    throw new DemoAlreadyRunning("one holds the demo lock on this database");
  }
  return { release: () => lock.end() };
}

function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}
