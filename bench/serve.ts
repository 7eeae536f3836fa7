import "reflect-metadata";
import { openDatabase } from "../src/db/data-source";
import { startGateway, type GatewayOptions } from "../src/server/create-gateway";

/**
 * A gateway in its own process, for benchmarks (so the load generator does not share its
 * event loop). Started by bench scripts with fork(); reports its URL over IPC.
 *   argv: <databaseUrl> <json of extra GatewayOptions, e.g. {"ungoverned":true}>
 */
async function main() {
  const [url, extra = "{}"] = process.argv.slice(2);
  const db = await openDatabase({ url, poolSize: 10 });
  const options = JSON.parse(extra) as Partial<GatewayOptions>;
  const gateway = await startGateway({
    db,
    config: { port: 0, introspection: false, authCacheTtlMs: 5000, limits: { maxDepth: 8, maxAliases: 15, maxCost: 5000, maxTokens: 2000, maxDirectives: 20 } },
    ...options,
  });
  process.send?.({ url: gateway.url });
  process.on("message", async (message) => {
    if (message === "stop") {
      await gateway.stop();
      await db.destroy();
      process.exit(0);
    }
  });
}
void main();
