import "reflect-metadata";
import { ClientRegistry } from "./clients/client-registry";
import { startupSettings } from "./app/startup-settings";
import type { Settings } from "./config/settings";
import { Lifecycle } from "./app/lifecycle";
import { openStatisticsDatabase } from "./db/statistics-database";
import { openStore, StoreBusyError } from "./db/open-store";
import { logger } from "./observability/logger";
import { issueDemoKeys } from "./seed/demo-clients";
import { seedDemoStatistics } from "./seed/demo-statistics";
import { seedDemoConsents } from "./seed/demo-consents";
import { DEMO_CALLS } from "./seed/demo-calls";
import { accountabilityDemoCalls, seedDemoRecipients } from "./seed/demo-recipients";
import { seedDemoData } from "./seed/demo-data";
import { claimDemo, DemoAlreadyRunning } from "./seed/demo-guard";
import { DEMO_SETTING_DEFAULTS } from "./seed/demo-settings";
import { startGateway } from "./server/create-gateway";

/**
 * `node dist/src/main.js [--demo]`: migrate, (with --demo) seed demo data and issue demo
 * keys, then serve http://$HOST:$PORT/graphql until SIGTERM or SIGINT (src/app/lifecycle.ts).
 */
async function main() {
  const demo = process.argv.includes("--demo");
  const settings = startupSettings(demo ? DEMO_SETTING_DEFAULTS : {});
  const { operations } = settings;
  // after the grace period for in-flight requests, the rest of the shutdown gets 10 s more
  const lifecycle = new Lifecycle(operations.shutdownGraceMs + 10_000).handleSignals();
  try {
    await lifecycle.start(() => start(settings, demo, lifecycle));
  } catch (error) {
    if (error instanceof StoreBusyError || error instanceof DemoAlreadyRunning) process.stderr.write(`${error.message}\n`);
    await lifecycle.fail(error);
  }
}

async function start(settings: ReturnType<typeof startupSettings>, demo: boolean, lifecycle: Lifecycle) {
  const store = await openStore(settings, "gateway");
  lifecycle.own("store", () => store.close());
  logger.info({ store: store.description }, "store ready (migrations applied)");
  const statisticsDb = (await openStatisticsDatabase(settings)) ?? undefined;
  if (statisticsDb) lifecycle.own("statistics database", () => statisticsDb.destroy());

  let demoKeys: Awaited<ReturnType<typeof issueDemoKeys>> = [];
  if (demo) {
    // before any key is issued: a second demo must leave the running one's keys alone
    const claim = await claimDemo(settings);
    lifecycle.own("demo lock", () => claim.release());
    const started = Date.now();
    if (
      await seedDemoData(store.db, {
        customers: settings.demo.customers,
        deadlineDays: settings.requests.deadlineDays,
        onProgress: seedProgress(),
      })
    ) {
      logger.info({ customers: settings.demo.customers, ms: Date.now() - started }, "demo data seeded");
    }
    demoKeys = await issueDemoKeys(new ClientRegistry(store.db));
  }

  const gateway = await startGateway({ db: store.db, statisticsDb, settings });
  lifecycle.own("gateway", () => gateway.stop());
  if (demo) {
    // after the start: consents are recorded under the policy version the start put in force
    await seedDemoRecipients(store.db);
    await seedDemoConsents(store.db);
    await seedDemoStatistics(store.db);
  }
  const url = gateway.url.replace("//127.0.0.1:", "//localhost:");
  if (demo) printDemo(url, demoKeys, settings);
  logger.info({ url }, "Purpose Gateway ready");
}

/** Progress of a large seed (SEED_CUSTOMERS), at most every two seconds per step, and each step's end. */
function seedProgress() {
  let last = 0;
  return (step: string, done: number, total: number) => {
    const now = Date.now();
    if (done < total && now - last < 2000) return;
    last = now;
    logger.info({ step, done, total, percent: Math.floor((done / total) * 100) }, `seeding demo data: ${step} ${done}/${total}`);
  };
}

function printDemo(url: string, keys: Awaited<ReturnType<typeof issueDemoKeys>>, settings: Settings) {
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
    `GraphiQL (open it in a browser, paste a key above): ${url}`,
    `Browser apps may call it from: ${settings.frontend.corsOrigins.join(", ") || "no origin (set CORS_ORIGINS)"}`,
    `The published policy: ${url.replace(/\/graphql$/, "/policy")}`,
    "",
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

main().catch((error) => {
  logger.fatal({ err: error }, "failed to start");
  process.exit(1);
});
