import "reflect-metadata";
import { inject } from "vitest";
import type { DataSource } from "typeorm";
import { ClientRegistry } from "../../src/clients/client-registry";
import { openDatabase } from "../../src/db/data-source";
import type { Purpose } from "../../src/kernel/purposes/purpose";
import type { GovernanceReceipt } from "../../src/kernel/receipt";
import { loadSettings, type Settings } from "../../src/config/settings";
import { startGateway, type GatewayOptions, type RunningGateway } from "../../src/server/create-gateway";

export interface GqlResponse {
  status: number;
  /** the answer without its receipt (`extensions.governance`, moved to `receipt`) */
  body: {
    data?: any;
    errors?: Array<{ message: string; extensions?: Record<string, any>; locations?: unknown; path?: Array<string | number> }>;
    extensions?: Record<string, any>;
  };
  /** the answer's receipt, `extensions.governance` */
  receipt: GovernanceReceipt | undefined;
  headers: Headers;
}

export interface GqlRequest {
  key?: string | null;
  variables?: Record<string, unknown>;
  operationName?: string;
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

export interface TestGateway {
  url: string;
  db: DataSource;
  gateway: RunningGateway;
  /** POST a GraphQL operation over HTTP, as a client would. */
  gql(query: string | undefined, request?: GqlRequest): Promise<GqlResponse>;
  /** GET a GraphQL operation (query string parameters), as a CDN or persisted-query client would. */
  get(params: Record<string, unknown>, key?: string | null): Promise<GqlResponse>;
  /** A new API client's key. */
  client(name: string, purposes: Purpose[]): Promise<string>;
  /** SQL statements run so far by the purpose-scoped data layer (from /metrics). */
  dataQueries(): Promise<number>;
  stop(): Promise<void>;
}

/** What current GraphQL-over-HTTP clients ask for: the status code tells the outcome. */
export const GRAPHQL_RESPONSE = "application/graphql-response+json";

const TABLES_TO_KEEP = new Set(["migrations", "typeorm_metadata"]);

/** Empties every table (the schema stays): each test file starts from a known store. */
export async function resetStore(db: DataSource): Promise<void> {
  const rows: Array<{ tablename: string }> = await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
  const tables = rows.map((r) => r.tablename).filter((t) => !TABLES_TO_KEEP.has(t));
  if (tables.length) await db.query(`TRUNCATE ${tables.map((t) => `"${t}"`).join(", ")} RESTART IDENTITY CASCADE`);
}

/**
 * The settings of a test gateway: the environment (tests set privacy parameters there), an
 * ephemeral port, the test database, no background erasure worker, plus `env` overrides.
 */
export function testSettings(env: Record<string, string | undefined> = {}): Settings {
  return loadSettings({
    ...process.env,
    PORT: "0",
    INTROSPECTION: "true",
    AUTH_CACHE_TTL_MS: "5000",
    ERASURE_OUTBOX_INTERVAL_MS: "0",
    DATABASE_URL: inject("databaseUrl"),
    ...env,
  });
}

export interface TestGatewayOptions extends Partial<Omit<GatewayOptions, "db" | "settings">> {
  /** settings overrides, as environment variables */
  env?: Record<string, string | undefined>;
  /** another database than the test database (a private cluster) */
  databaseUrl?: string;
}

/** The real gateway on an ephemeral port, over the test database, with an empty store. */
export async function startTestGateway({ env, databaseUrl, ...options }: TestGatewayOptions = {}): Promise<TestGateway> {
  const url = databaseUrl ?? inject("databaseUrl");
  const settings = testSettings({ DATABASE_URL: url, ...env });
  const db = await openDatabase({ url, poolSize: 8 });
  await resetStore(db);
  const gateway = await startGateway({ db, settings, ...options });
  const clients = new ClientRegistry(db);
  const base = gateway.url.replace(/\/graphql$/, "");

  const toResponse = async (res: Response): Promise<GqlResponse> => {
    const text = await res.text();
    let body: GqlResponse["body"];
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`non-JSON response ${res.status}: ${text.slice(0, 300)}`);
    }
    const receipt = body.extensions?.governance as GovernanceReceipt | undefined;
    if (receipt) {
      const { governance: _receipt, ...others } = body.extensions!;
      if (Object.keys(others).length) body.extensions = others;
      else delete body.extensions;
    }
    return { status: res.status, body, receipt, headers: res.headers };
  };

  return {
    url: gateway.url,
    db,
    gateway,
    async gql(query, request = {}) {
      // the specification's media type: refusals keep their 4xx (with application/json they are 200)
      const headers: Record<string, string> = { "content-type": "application/json", accept: GRAPHQL_RESPONSE, ...request.headers };
      if (request.key) headers.authorization = `Bearer ${request.key}`;
      const res = await fetch(gateway.url, {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables: request.variables, operationName: request.operationName, extensions: request.extensions }),
      });
      return toResponse(res);
    },
    async get(params, key) {
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) search.set(k, typeof v === "string" ? v : JSON.stringify(v));
      const headers: Record<string, string> = { "apollo-require-preflight": "true", accept: GRAPHQL_RESPONSE };
      if (key) headers.authorization = `Bearer ${key}`;
      return toResponse(await fetch(`${gateway.url}?${search}`, { headers }));
    },
    async client(name, purposes) {
      return (await clients.create(name, purposes)).key;
    },
    async dataQueries() {
      const text = await (await fetch(`${base}/metrics`)).text();
      let total = 0;
      for (const line of text.split("\n")) {
        const match = /^pgw_data_queries_total(?:\{[^}]*\})? (\d+)/.exec(line);
        if (match) total += Number(match[1]);
      }
      return total;
    },
    async stop() {
      await gateway.stop();
      await db.destroy();
    },
  };
}

/** The error codes of a response, in order. */
export const codes = (res: GqlResponse) => (res.body.errors ?? []).map((e) => e.extensions?.code);

/**
 * Retries an assertion for up to `ms`: for effects that travel by PostgreSQL NOTIFY
 * (a revoked key reaches every gateway's authentication cache within milliseconds).
 */
export async function eventually<T>(check: () => Promise<T>, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
