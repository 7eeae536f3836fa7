import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import http from "node:http";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import express, { type NextFunction, type Request, type Response } from "express";
import type { GraphQLSchema } from "graphql";
import type { DataSource } from "typeorm";
import { createAccountability } from "../audit/accountability";
import { AuthenticationCache } from "../clients/authentication-cache";
import { ClientRegistry } from "../clients/client-registry";
import { agreementCheck } from "../consent/agreement-check";
import type { GatewayConfig } from "../config";
import { PurposeScopedData } from "../data/purpose-scoped-data";
import { GatewayContext } from "../graphql/context";
import { createGate, type Gate } from "../governance/gate";
import { logger } from "../observability/logger";
import { registry } from "../observability/metrics";
import { ensurePolicyVersion } from "../policy/bootstrap";
import { buildGatewaySchema } from "../schema/build-schema";
import { initStatistics } from "../statistics/init";
import { formatError } from "./format-error";
import { authenticate } from "./authenticate";
import { governancePlugin } from "./governance-plugin";

export interface GatewayOptions {
  db: DataSource;
  config: Pick<GatewayConfig, "port" | "introspection" | "limits"> & Partial<Pick<GatewayConfig, "authCacheTtlMs">>;
  /** Benchmarks only: serve the same schema without the gate (never in production). */
  ungoverned?: boolean;
  /** Benchmarks only: serve without the audit trail (never in production). */
  unaudited?: boolean;
}

export interface RunningGateway {
  url: string;
  schema: GraphQLSchema;
  gate: Gate;
  stop(): Promise<void>;
}

/** Starts the gateway's HTTP server: /graphql (governed), /healthz, /metrics. */
export async function startGateway({ db, config, ungoverned = false, unaudited = false }: GatewayOptions): Promise<RunningGateway> {
  initStatistics(); // validates the privacy settings (e.g. STATS_MIN_GROUP_SIZE ≥ 5): unsafe ones stop the start
  const schema = await buildGatewaySchema();
  const gate = createGate(schema);
  // Section 5: the first policy version is recorded on an empty history; drift is logged.
  await ensurePolicyVersion(db, gate.policy);
  const clients = new ClientRegistry(db);
  // Every request's audit event is committed before its response leaves (issue 4).
  const accountability = unaudited ? null : createAccountability(db);
  const authCache = new AuthenticationCache(config.authCacheTtlMs ?? 0);
  await authCache.start(databaseUrlOf(db));
  const app = express();
  app.disable("x-powered-by");
  const httpServer = http.createServer(app);

  const armor = new ApolloArmor({
    // depth counts fields, not fragment spreads: fragments are flattened
    maxDepth: { n: config.limits.maxDepth, flattenFragments: true },
    maxAliases: { n: config.limits.maxAliases },
    costLimit: { maxCost: config.limits.maxCost },
    // Counted by graphql's own parser (parseOptions below): armor's plugin throws from a hook,
    // which skips willSendResponse, so such refusals were neither audited nor a clean 400.
    maxTokens: { enabled: false },
    maxDirectives: { n: config.limits.maxDirectives },
    blockFieldSuggestion: { enabled: true },
  }).protect();

  const openData = (scope: Parameters<typeof governancePlugin>[1] extends (s: infer S) => unknown ? S : never) =>
    new PurposeScopedData(db, scope);
  const governance: ApolloServerPlugin<GatewayContext>[] = ungoverned ? [ungovernedPlugin(openData)] : [governancePlugin(gate, openData, agreementCheck(db))];

  const server = new ApolloServer<GatewayContext>({
    schema,
    // Governance first: its answer for a refused operation is the one that is sent.
    plugins: [...governance, ...(armor.plugins as ApolloServerPlugin<GatewayContext>[]), ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled(), ...(accountability?.plugins ?? [])],
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: config.limits.maxTokens },
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    csrfPrevention: true,
    introspection: config.introspection,
    formatError,
    logger: { debug: () => {}, info: (m) => logger.info(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) },
  });
  await server.start();

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.use(
    "/graphql",
    ungoverned ? (req: Request, _res: Response, next: NextFunction) => ((req.caller = null), next()) : authenticate(clients, authCache, accountability?.recordUnauthenticated),
    express.json({ limit: "100kb" }),
    expressMiddleware(server, {
      context: async ({ req }) => new GatewayContext(req.caller ?? null, randomUUID()),
    }),
  );
  // Malformed bodies and unexpected failures: a JSON error with a code, never a stack trace.
  app.use((err: any, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof err?.status === "number" && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err }, "request failed");
    res.status(status).json({
      errors: [{ message: status === 500 ? "Internal server error" : "Malformed request body.", extensions: { code: status === 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST" } }],
    });
  });

  await new Promise<void>((resolve) => httpServer.listen(config.port, "127.0.0.1", resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    schema,
    gate,
    async stop() {
      await server.stop();
      await authCache.stop();
      await accountability?.close();
    },
  };
}

function databaseUrlOf(db: DataSource): string {
  const url = (db.options as { url?: string }).url;
  if (!url) throw new Error("the data source has no url");
  return url;
}

/** For the benchmark's baseline: every operation gets an unscoped-purpose data layer. */
function ungovernedPlugin(openData: (scope: any) => PurposeScopedData): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          const values = rc.operation?.directives?.find((d) => d.name.value === "purpose");
          const name = values?.arguments?.[0]?.value.kind === "EnumValue" ? values.arguments[0].value.value : null;
          rc.contextValue.open(openData({ purpose: name, agreement: null, caller: rc.contextValue.caller }));
        },
      };
    },
  };
}
