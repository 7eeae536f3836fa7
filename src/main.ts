import "reflect-metadata";
import { ClientRegistry } from "./clients/client-registry";
import { startupSettings } from "./app/startup-settings";
import { openStore } from "./db/open-store";
import { logger } from "./observability/logger";
import { issueDemoKeys } from "./seed/demo-clients";
import { seedDemoConsents } from "./seed/demo-consents";
import { DEMO_CALLS } from "./seed/demo-calls";
import { accountabilityDemoCalls, seedDemoRecipients } from "./seed/demo-recipients";
import { seedDemoData } from "./seed/demo-data";
import { startGateway } from "./server/create-gateway";

/**
 * `node dist/src/main.js [--demo]`: migrate, (with --demo) seed demo data and issue demo
 * keys, then serve http://localhost:$PORT/graphql.
 */
async function main() {
  const settings = startupSettings();
  const demo = process.argv.includes("--demo");
  const store = await openStore(settings.store);
  logger.info({ store: store.description }, "store ready (migrations applied)");

  let demoKeys: Awaited<ReturnType<typeof issueDemoKeys>> = [];
  if (demo) {
    const started = Date.now();
    if (await seedDemoData(store.db, { customers: settings.demo.customers, deadlineDays: settings.requests.deadlineDays })) {
      logger.info({ customers: settings.demo.customers, ms: Date.now() - started }, "demo data seeded");
    }
    demoKeys = await issueDemoKeys(new ClientRegistry(store.db));
  }

  const gateway = await startGateway({ db: store.db, settings });
  if (demo) {
    // after the start: consents are recorded under the policy version the start put in force
    await seedDemoRecipients(store.db);
    await seedDemoConsents(store.db);
  }
  const url = gateway.url.replace("127.0.0.1", "localhost");
  if (demo) printDemo(url, demoKeys);
  logger.info({ url }, "Purpose Gateway ready");

  const shutdown = async (signal: string) => {
    logger.info({ signal }, "shutting down");
    await gateway.stop();
    await store.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

function printDemo(url: string, keys: Awaited<ReturnType<typeof issueDemoKeys>>) {
  const key = (name: string) => keys.find((k) => k.name === name)?.key ?? "";
  const curl = (name: string, query: string) =>
    `curl -s ${url} -H 'content-type: application/json' -H 'authorization: Bearer ${key(name)}' \\\n  -d '${JSON.stringify({ query })}'`;
  const lines = [
    "",
    "Purpose Gateway demo — API keys (shown once; a new demo start issues new ones):",
    ...keys.map((k) => `  ${k.name.padEnd(22)} ${k.purposes.join(",").padEnd(40)} ${k.key}`),
    "",
    ...DEMO_CALLS.flatMap((call) => [call.say, curl(call.client, call.query), ""]),
    ...accountabilityDemoCalls(curl),
    `GraphQL endpoint: ${url}`,
    "",
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

main().catch((error) => {
  logger.fatal({ err: error }, "failed to start");
  process.exit(1);
});
