import "reflect-metadata";
import { loadSettings } from "../src/config/settings";
import { openDatabase } from "../src/db/data-source";
import { startGateway, startGatewayVariant } from "../src/server/create-gateway";
import { benchVariant } from "./variants";

/**
 * A gateway in its own process, for benchmarks (so the load generator does not share its
 * event loop). Started by bench scripts with fork(); reports its URL over IPC.
 *   argv: <databaseUrl> <json of variant options, e.g. {"ungoverned":true}>
 */
async function main() {
  const [url, extra = "{}"] = process.argv.slice(2);
  const db = await openDatabase({ url, poolSize: 10 });
  const options = JSON.parse(extra) as { ungoverned?: boolean; unaudited?: boolean };
  const settings = loadSettings({ ...process.env, PORT: "0", INTROSPECTION: "false", DATABASE_URL: url, ERASURE_OUTBOX_INTERVAL_MS: "0" });
  // no flag: the production gateway itself (startGateway, with its strict plugin-order check)
  const gateway =
    options.ungoverned || options.unaudited
      ? await startGatewayVariant({ db, settings }, benchVariant(options))
      : await startGateway({ db, settings });
  process.send?.({ url: gateway.url });
  process.on("message", async (message) => {
    if (message === "memory") {
      // after a full collection: the live heap, so growth means a leak, not garbage not yet collected
      (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed, external } = process.memoryUsage();
      process.send?.({ memory: { rss, heapUsed, external } });
    }
    if (message === "stop") {
      await gateway.stop();
      await db.destroy();
      process.exit(0);
    }
  });
}
void main();
