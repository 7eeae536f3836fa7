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
import { printGatewaySchema } from "../app/schema/print-schema";
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
import { addToReceipt } from "../kernel/receipt";
import { CSRF_PREFLIGHT_HEADERS, corsFor } from "./http/cors";
import { mediaTypeStatusPlugin } from "./http/media-type-status";
import { chain } from "./http/chain";
import { observeRequests } from "./http/observe";
import { recordPlugin } from "./http/record-plugin";
import type { RequestRecord } from "./http/request-record";
import { landingPage } from "./landing-page";
import { ideAssets, idePage } from "./ide/ide";
import { verifyPluginOrder, type ArrangedPlugin } from "./plugin-order";
import { receiptPlugin } from "./receipt-plugin";

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

export async function startGatewayVariant(
  { db, statisticsDb = db, settings, features = FEATURES }: GatewayOptions,
  variant: GatewayVariant,
): Promise<RunningGateway> {
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
  // Express would hash every answer for an ETag: answers are personal, per caller and purpose,
  // and never cached (no cache hints either), so a validator is pure cost per request
  app.disable("etag");
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
  const receiptParts = runtimes.flatMap((r) => (r.receipt ? [r.receipt] : []));
  // each request's record (log line, metrics, span), found from its GraphQL context
  const records = new WeakMap<object, RequestRecord>();
  let plugins: ArrangedPlugin[] = [
    { role: "governance", name: "governance", plugin: governancePlugin(gate, openData, afterGate) },
    ...(armor.plugins as ApolloServerPlugin<GatewayContext>[]).map((plugin) => ({ role: null, name: "graphql-armor", plugin })),
    // right after governance and before the audit trail: a store failure's 503 is what the trail records
    { role: null, name: "store-failure", plugin: storeFailurePlugin() },
    // synchronous answer-time plugins, after the store-failure answer and before the audit
    // trail (whose hook starts after theirs): the status and the receipt are what it records
    { role: null, name: "media-type-status", plugin: mediaTypeStatusPlugin() },
    { role: null, name: "receipt", plugin: receiptPlugin(receiptParts) },
    { role: null, name: "request-record", plugin: recordPlugin((ctx) => records.get(ctx.state)) },
    {
      role: null,
      name: "drain-http-server",
      plugin: ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: operations.shutdownGraceMs }),
    },
    { role: null, name: "landing-page-disabled", plugin: ApolloServerPluginLandingPageDisabled() },
    // no cache hints are served (answers are personal and per purpose): don't compute them
    { role: null, name: "cache-control-disabled", plugin: ApolloServerPluginCacheControlDisabled() },
    ...runtimes.flatMap((r) =>
      (r.plugins ?? []).map((p) =>
        "role" in p && "plugin" in p ? { role: p.role, name: p.role, plugin: p.plugin } : { role: null, name: "feature", plugin: p },
      ),
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
    csrfPrevention: { requestHeaders: CSRF_PREFLIGHT_HEADERS },
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
  const recordRefusal = async (req: Request, res: Response, refusal: EarlyRefusal): Promise<boolean> => {
    const requestId = req.record!.requestId;
    try {
      let auditSeq: string | null = null;
      for (const record of recorders) auditSeq = (await record(requestId, refusal))?.auditSeq ?? auditSeq;
      res.locals.receipt = addToReceipt({}, { ...receiptOf(null), requestId, auditSeq });
      return true;
    } catch (error) {
      if (res.headersSent) return false; // the request deadline answered it already
      const code =
        error instanceof GraphQLError
          ? String(error.extensions.code ?? KernelCode.INTERNAL_SERVER_ERROR)
          : KernelCode.INTERNAL_SERVER_ERROR;
      const safe = composition.catalogue.isSafe(code) && code !== KernelCode.INTERNAL_SERVER_ERROR;
      logger.error({ err: error, requestId }, "refusal of a bad API key not recorded: response withheld");
      res.status(safe ? composition.catalogue.status(code) : 500).json({
        errors: [
          {
            message: safe ? (error as Error).message : "Internal server error",
            extensions: { code: safe ? code : KernelCode.INTERNAL_SERVER_ERROR },
          },
        ],
      });
      return false;
    }
  };

  // what the features add to a receipt outside GraphQL (the policy version in force)
  const receiptOf = (ctx: GatewayContext | null) => Object.assign({}, ...receiptParts.map((part) => part(ctx)));

  // /graphql first: the operations are nearly all the traffic, so they match the first layers
  if (settings.frontend.ide) app.use("/graphql", idePage());
  app.use(
    "/graphql",
    chain(
      observeRequests({ tracing: settings.frontend.tracing, logger }),
      requestDeadline(operations.requestTimeoutMs),
      corsFor(settings.frontend.corsOrigins),
      // a preflight the CORS middleware did not answer (an origin not allowed): 204 without any
      // Access-Control-Allow-* header, so the browser refuses, rather than a CSRF error from Apollo
      (req: Request, res: Response, next: NextFunction) => (req.method === "OPTIONS" ? void res.status(204).end() : next()),
      variant.authenticate === false
        ? (req: Request, _res: Response, next: NextFunction) => ((req.caller = null), next())
        : authenticate(clients, authCache, recordRefusal),
      express.json({ limit: "100kb" }),
      expressMiddleware(server, {
        context: async ({ req }) => {
          const ctx = new GatewayContext(req.caller ?? null, req.record!.requestId, services);
          records.set(ctx.state, req.record!);
          return ctx;
        },
      }),
    ),
  );

  // liveness: the process runs (a database outage is /readyz's business)
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  const ready = readiness(
    statisticsDb === db ? { database: db } : { database: db, statisticsDatabase: statisticsDb },
    operations.database.connectTimeoutMs,
  );
  app.get("/readyz", (req, res) => ready.handler(req, res));
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  if (settings.http.introspection) {
    // the SDL with its directives (@allowedFor, @reveals, …): what frontends check their operations against
    const sdl = printGatewaySchema(schema);
    app.get("/schema.graphql", (_req, res) => {
      res.type("text/plain; charset=utf-8").send(sdl);
    });
  }
  app.get("/", (_req, res) => {
    res.type("html").send(landingPage(settings.frontend.ide));
  });
  for (const page of runtimes.flatMap((r) => r.pages ?? [])) {
    app.get(page.path, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const rendered = await page.render(req.params as Record<string, string>);
        if (!rendered) return next();
        res.setHeader("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
        res.type(rendered.type).send(rendered.body);
      } catch (error) {
        next(error);
      }
    });
  }
  if (settings.frontend.ide) app.use(ideAssets());
  // Malformed bodies and unexpected failures: a JSON error with a code, never a stack trace.
  app.use((err: any, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return; // answered already (the request deadline): nothing more to send
    // the client hung up while its body was being read: nobody to answer (logged as aborted)
    if (err?.type === "request.aborted") return;
    if (isStoreUnavailable(err)) {
      logger.warn({ err }, "store unavailable");
      const unavailable: { errors: unknown[]; extensions?: Record<string, unknown> } = {
        errors: [{ message: STORE_UNAVAILABLE_MESSAGE, extensions: { code: KernelCode.STORE_UNAVAILABLE } }],
      };
      if (req.record) addToReceipt(unavailable, { ...receiptOf(null), requestId: req.record.requestId, auditSeq: null });
      res.status(503).set("retry-after", "1").json(unavailable);
      return;
    }
    const status = typeof err?.status === "number" && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err, requestId: req.record?.requestId }, "request failed");
    const body: { errors: unknown[]; extensions?: Record<string, unknown> } = {
      errors: [
        {
          message: status === 500 ? "Internal server error" : "Malformed request body.",
          extensions: { code: status === 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST" },
        },
      ],
    };
    // not GraphQL, never audited: the receipt says so (no audit event), and gives the id to quote
    if (req.record) addToReceipt(body, { ...receiptOf(null), requestId: req.record.requestId, auditSeq: null });
    res.status(status).json(body);
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
