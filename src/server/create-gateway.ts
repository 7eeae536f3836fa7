import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import http from "node:http";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import express, { type NextFunction, type Request, type Response } from "express";
import { GraphQLError, type GraphQLSchema } from "graphql";
import type { DataSource } from "typeorm";
import { compose, FEATURES, type Composition } from "../app/compose";
import { buildGatewaySchema } from "../app/schema/build-schema";
import { AuthenticationCache } from "../clients/authentication-cache";
import { ClientRegistry } from "../clients/client-registry";
import type { Settings } from "../config/settings";
import { KernelData } from "../kernel/data/kernel-data";
import { PurposeScopedData } from "../kernel/data/purpose-scoped-data";
import { aggregateReader, refusedAggregates } from "../kernel/store/aggregates";
import { featureDb } from "../kernel/store/feature-db";
import type { DataScope } from "../kernel/data/data-scope";
import { KernelCode } from "../kernel/errors/catalogue";
import type { FeatureRuntime, GatewayFeature } from "../kernel/feature";
import { createGate, type Gate } from "../kernel/gate/gate";
import { GatewayContext } from "../kernel/request-context";
import { ServiceRegistry } from "../kernel/services";
import { isStoreUnavailable } from "../db/store-errors";
import { configureLogging, logger } from "../observability/logger";
import { registry as metrics } from "../observability/metrics";
import { authenticate, type EarlyRefusal } from "./authenticate";
import { createFormatError } from "./format-error";
import { governancePlugin } from "./governance-plugin";
import { readiness } from "./operations/readiness";
import { requestDeadline } from "./operations/request-deadline";
import { STORE_UNAVAILABLE_MESSAGE, storeFailurePlugin } from "./operations/store-failure-plugin";
import { verifyPluginOrder, type ArrangedPlugin } from "./plugin-order";

export interface GatewayOptions {
  db: DataSource;
  /** statistics' aggregate reads (a read replica, STATS_DATABASE_URL); default `db` */
  statisticsDb?: DataSource;
  settings: Settings;
  /** the composed features (default: all of them, src/app/compose.ts) */
  features?: readonly GatewayFeature[];
}

export interface RunningGateway {
  url: string;
  schema: GraphQLSchema;
  gate: Gate;
  composition: Composition;
  /**
   * Stops accepting, lets in-flight requests finish (at most SHUTDOWN_GRACE_MS, then their
   * connections are closed), then stops the features (the audit writer flushes, the outbox
   * finishes its delivery) and the authentication cache. The store is the caller's to close.
   */
  stop(): Promise<void>;
}

/**
 * How a variant of the gateway differs (benchmarks only, in bench/): its plugin list and the
 * check of that list. Production gateways are started with `startGateway`, which always
 * runs the strict check.
 */
export interface GatewayVariant {
  arrange?(plugins: ArrangedPlugin[], openData: (scope: DataScope) => PurposeScopedData): ArrangedPlugin[];
  verify?(plugins: readonly ArrangedPlugin[]): void;
  /** false: no key lookup at all (every caller anonymous) */
  authenticate?: boolean;
}

/** Starts the gateway's HTTP server: /graphql (governed and audited), /healthz, /readyz, /metrics. */
export function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  return startGatewayVariant(options, {});
}

export async function startGatewayVariant({ db, statisticsDb = db, settings, features = FEATURES }: GatewayOptions, variant: GatewayVariant): Promise<RunningGateway> {
  configureLogging({ level: settings.log.level, throttleMs: settings.operations.logThrottleMs });
  const { operations } = settings;
  const composition = compose(features);
  const schema = await buildGatewaySchema(composition);
  const gate = createGate(schema, composition.stages, composition.catalogue);

  const { registry } = composition;
  // the schema and the store must hold exactly what the personal-data declaration says
  registry.checkSchema(schema);
  await registry.checkStore((sql) => db.query(sql));
  // aggregates (statistics) read from the statistics database: a read replica when configured
  const aggregates = aggregateReader(statisticsDb, registry);

  const runtimes: FeatureRuntime[] = [];
  const stopAll = async () => {
    for (const runtime of [...runtimes].reverse()) await runtime.stop?.();
  };
  try {
    for (const feature of composition.features) {
      const runtime = await feature.start?.({
        db: featureDb(db, feature.name, registry.tables),
        aggregates: feature.aggregateReads ? aggregates : refusedAggregates(feature.name),
        registry,
        settings,
        schema,
        policy: gate.policy,
        catalogue: composition.catalogue,
        rowRules: composition.rowRules,
      });
      if (runtime) runtimes.push(runtime);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  const services = new ServiceRegistry(runtimes.flatMap((r) => r.services ?? []));
  const kernel = new KernelData(db, registry, composition.rowRules);
  const openData = (scope: DataScope) => new PurposeScopedData(kernel, scope);

  const clients = new ClientRegistry(db);
  const authCache = new AuthenticationCache(settings.auth.cacheTtlMs);
  await authCache.start(databaseUrlOf(db));
  const app = express();
  app.disable("x-powered-by");
  const httpServer = http.createServer(app);

  const { limits } = settings.http;
  const armor = new ApolloArmor({
    // depth counts fields, not fragment spreads: fragments are flattened
    maxDepth: { n: limits.maxDepth, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    costLimit: { maxCost: limits.maxCost },
    // Counted by graphql's own parser (parseOptions below): armor's plugin throws from a hook,
    // which skips willSendResponse, so such refusals were neither audited nor a clean 400.
    maxTokens: { enabled: false },
    maxDirectives: { n: limits.maxDirectives },
    blockFieldSuggestion: { enabled: true },
  }).protect();

  const afterGate = runtimes.flatMap((r) => (r.afterGate ? [r.afterGate] : []));
  let plugins: ArrangedPlugin[] = [
    { role: "governance", name: "governance", plugin: governancePlugin(gate, openData, afterGate) },
    ...(armor.plugins as ApolloServerPlugin<GatewayContext>[]).map((plugin) => ({ role: null, name: "graphql-armor", plugin })),
    // right after governance and before the audit trail: a store failure's 503 is what the trail records
    { role: null, name: "store-failure", plugin: storeFailurePlugin() },
    { role: null, name: "drain-http-server", plugin: ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: operations.shutdownGraceMs }) },
    { role: null, name: "landing-page-disabled", plugin: ApolloServerPluginLandingPageDisabled() },
    // no cache hints are served (answers are personal and per purpose): don't compute them
    { role: null, name: "cache-control-disabled", plugin: ApolloServerPluginCacheControlDisabled() },
    ...runtimes.flatMap((r) =>
      (r.plugins ?? []).map((p) => ("role" in p && "plugin" in p ? { role: p.role, name: p.role, plugin: p.plugin } : { role: null, name: "feature", plugin: p })),
    ),
  ];
  if (variant.arrange) plugins = variant.arrange(plugins, openData);
  (variant.verify ?? verifyPluginOrder)(plugins);

  const server = new ApolloServer<GatewayContext>({
    schema,
    plugins: plugins.map((p) => p.plugin),
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    csrfPrevention: true,
    introspection: settings.http.introspection,
    formatError: createFormatError(composition.catalogue),
    // the process's signals are main.ts's: it stops the gateway, then the store, then exits 0
    stopOnTerminationSignals: false,
    logger: { debug: () => {}, info: (m) => logger.info(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) },
  });
  await server.start();

  // A request refused by authentication carries no operation: the features record it (the
  // audit trail) before the 401 leaves; if they cannot, the caller gets their error instead.
  const recorders = runtimes.flatMap((r) => (r.recordUnauthenticated ? [r.recordUnauthenticated] : []));
  const recordRefusal = async (_req: Request, res: Response, refusal: EarlyRefusal): Promise<boolean> => {
    const requestId = randomUUID();
    try {
      for (const record of recorders) await record(requestId, refusal);
      return true;
    } catch (error) {
      if (res.headersSent) return false; // the request deadline answered it already
      const code = error instanceof GraphQLError ? String(error.extensions.code ?? KernelCode.INTERNAL_SERVER_ERROR) : KernelCode.INTERNAL_SERVER_ERROR;
      const safe = composition.catalogue.isSafe(code) && code !== KernelCode.INTERNAL_SERVER_ERROR;
      logger.error({ err: error, requestId }, "refusal of a bad API key not recorded: response withheld");
      res.status(safe ? composition.catalogue.status(code) : 500).json({
        errors: [{ message: safe ? (error as Error).message : "Internal server error", extensions: { code: safe ? code : KernelCode.INTERNAL_SERVER_ERROR } }],
      });
      return false;
    }
  };

  // liveness: the process runs (a database outage is /readyz's business)
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  const ready = readiness(statisticsDb === db ? { database: db } : { database: db, statisticsDatabase: statisticsDb }, operations.database.connectTimeoutMs);
  app.get("/readyz", (req, res) => ready.handler(req, res));
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  app.use(
    "/graphql",
    requestDeadline(operations.requestTimeoutMs),
    variant.authenticate === false ? (req: Request, _res: Response, next: NextFunction) => ((req.caller = null), next()) : authenticate(clients, authCache, recordRefusal),
    express.json({ limit: "100kb" }),
    expressMiddleware(server, {
      context: async ({ req }) => new GatewayContext(req.caller ?? null, randomUUID(), services),
    }),
  );
  // Malformed bodies and unexpected failures: a JSON error with a code, never a stack trace.
  app.use((err: any, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return; // answered already (the request deadline): nothing more to send
    if (isStoreUnavailable(err)) {
      logger.warn({ err }, "store unavailable");
      res.status(503).set("retry-after", "1").json({ errors: [{ message: STORE_UNAVAILABLE_MESSAGE, extensions: { code: KernelCode.STORE_UNAVAILABLE } }] });
      return;
    }
    const status = typeof err?.status === "number" && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err }, "request failed");
    res.status(status).json({
      errors: [{ message: status === 500 ? "Internal server error" : "Malformed request body.", extensions: { code: status === 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST" } }],
    });
  });

  await new Promise<void>((resolve) => httpServer.listen(settings.http.port, settings.http.host, resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://${urlHost(settings.http.host)}:${port}/graphql`,
    schema,
    gate,
    composition,
    async stop() {
      ready.drain();
      await server.stop(); // closes the listener, drains in-flight requests within the grace period
      await authCache.stop();
      await stopAll();
    },
  };
}

/** The host part of the gateway's URL: a wildcard address is reached through loopback. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

function databaseUrlOf(db: DataSource): string {
  const url = (db.options as { url?: string }).url;
  if (!url) throw new Error("the data source has no url");
  return url;
}
