import { z } from "zod";
import { boolean, integer, oneOf, optionalText, parsed, text } from "./env-vars";
import { statisticsConfigOf, statisticsProblems, statisticsVariables, type StatisticsConfig } from "./statistics";
import { checkpointKeyFile } from "./audit-key";
import { operationsConfigOf, operationsProblems, operationsVariables, type OperationsConfig } from "./operations";

export type { StatisticsConfig } from "./statistics";
export type { OperationsConfig } from "./operations";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Every setting of the gateway, its CLIs and the demo: the one configuration object. It is
 * read from the environment here and only here, validated as a whole at start-up, and
 * frozen; each part of the gateway is handed the slice it needs. A bad value stops the
 * start with a message naming every bad variable, instead of failing on first use.
 */
export interface Settings {
  readonly http: {
    readonly port: number;
    readonly host: string;
    readonly introspection: boolean;
    readonly limits: {
      readonly maxDepth: number;
      readonly maxAliases: number;
      readonly maxCost: number;
      readonly maxTokens: number;
      readonly maxDirectives: number;
    };
  };
  readonly store: { readonly databaseUrl: string | null; readonly dataDir: string; readonly poolSize: number };
  /** how long an authenticated key is remembered (only while revocations are relayed by NOTIFY); 0 = never */
  readonly auth: { readonly cacheTtlMs: number };
  readonly log: { readonly level: LogLevel };
  readonly demo: { readonly customers: number };
  readonly audit: {
    readonly ledgerRetentionDays: number;
    readonly maxBatch: number;
    /** Ed25519 private key (PEM) that signs chain checkpoints; null: checkpoints unsigned */
    readonly checkpointKeyPem: string | null;
  };
  readonly requests: {
    readonly deadlineDays: number;
    readonly erasure: { readonly intervalMs: number; readonly retryBaseMs: number; readonly maxAttempts: number };
  };
  readonly statistics: StatisticsConfig;
  /** issue 11 (safe to operate): timeouts, start-up wait, shutdown, log throttling, read replica, erasure signing */
  readonly operations: OperationsConfig;
  /** Issue 10 (frontends): browser origins, the IDE, request ids, tracing */
  readonly frontend: {
    /** origins a browser app may call from (CORS); empty: none */
    readonly corsOrigins: readonly string[];
    /** GraphiQL at GET /graphql for browsers */
    readonly ide: boolean;
    /** OpenTelemetry spans per request (through the global tracer provider the operator registers) */
    readonly tracing: boolean;
  };
}

const DAY_MS = 86_400_000;

/** The environment variables, each with its default and its bounds (documented in the README). */
const variables = z.object({
  PORT: integer(4000, 0, 65_535),
  HOST: text("127.0.0.1", { test: /^[0-9A-Za-z.:-]{1,253}$/, hint: "a host name or IP address" }),
  INTROSPECTION: boolean(true),
  MAX_DEPTH: integer(8, 1, 100),
  MAX_ALIASES: integer(15, 0, 1000),
  MAX_COST: integer(5000, 1, 1_000_000),
  MAX_TOKENS: integer(2000, 1, 1_000_000),
  MAX_DIRECTIVES: integer(20, 1, 1000),
  DATABASE_URL: optionalText({ test: /^postgres(ql)?:\/\//, hint: "a postgres:// connection string" }),
  PGW_DATA_DIR: text(".data/pglite"),
  DB_POOL_SIZE: integer(10, 1, 1000),
  AUTH_CACHE_TTL_MS: integer(5000, 0, DAY_MS),
  LOG_LEVEL: oneOf<LogLevel>("info", LOG_LEVELS),
  SEED_CUSTOMERS: integer(2000, 1, 10_000_000),
  LEDGER_RETENTION_DAYS: integer(1095, 1, 36_500),
  AUDIT_MAX_BATCH: integer(500, 1, 100_000),
  AUDIT_CHECKPOINT_KEY_FILE: parsed(checkpointKeyFile),
  DSR_DEADLINE_DAYS: integer(14, 1, 365),
  ERASURE_OUTBOX_INTERVAL_MS: integer(10_000, 0, DAY_MS),
  ERASURE_RETRY_BASE_MS: integer(30_000, 0, DAY_MS),
  ERASURE_MAX_ATTEMPTS: integer(8, 1, 100),
  ...statisticsVariables,
  // issue 11 (safe to operate): see src/config/operations.ts
  ...operationsVariables,
  // Issue 10 (frontends): CORS allowlist, the offline IDE, OpenTelemetry tracing
  CORS_ORIGINS: parsed(corsOrigins),
  IDE: boolean(true),
  OTEL_TRACING: boolean(false),
});

/**
 * `CORS_ORIGINS`: comma-separated origins (`https://shop.example.com,http://localhost:5173`),
 * each a scheme, host and optional port and nothing else, compared exactly. No wildcard: a
 * browser app is let in by name. Empty (the default): no origin is allowed.
 */
function corsOrigins(value: string | undefined): readonly string[] {
  if (value === undefined) return [];
  const origins = value
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let parsedUrl: URL | null = null;
    try {
      parsedUrl = new URL(origin);
    } catch {
      parsedUrl = null;
    }
    if (!parsedUrl || !/^https?:$/.test(parsedUrl.protocol) || parsedUrl.origin !== origin || origin.includes("*")) {
      throw new Error(
        `must be comma-separated origins like https://app.example.com or http://localhost:5173 (no path, no wildcard), got "${origin}"`,
      );
    }
  }
  return [...new Set(origins)];
}

/** Settings that cannot be used: every problem, one per line. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "SettingsError";
  }
}

/** Reads and validates every setting; throws a SettingsError naming each bad variable. */
export function loadSettings(
  env: Readonly<Record<string, string | undefined>> = process.env,
  /** values used where `env` sets none (the demo's CORS origins) */
  defaults: Readonly<Record<string, string>> = {},
): Settings {
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ""));
  const parsed = variables.safeParse({ ...defaults, ...given });
  if (!parsed.success) {
    throw new SettingsError(parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`));
  }
  const v = parsed.data;
  const problems = [...statisticsProblems(v), ...operationsProblems(v)];
  if (problems.length) throw new SettingsError(problems);
  return deepFreeze({
    http: {
      port: v.PORT,
      host: v.HOST,
      introspection: v.INTROSPECTION,
      limits: {
        maxDepth: v.MAX_DEPTH,
        maxAliases: v.MAX_ALIASES,
        maxCost: v.MAX_COST,
        maxTokens: v.MAX_TOKENS,
        maxDirectives: v.MAX_DIRECTIVES,
      },
    },
    store: { databaseUrl: v.DATABASE_URL, dataDir: v.PGW_DATA_DIR, poolSize: v.DB_POOL_SIZE },
    auth: { cacheTtlMs: v.AUTH_CACHE_TTL_MS },
    log: { level: v.LOG_LEVEL },
    demo: { customers: v.SEED_CUSTOMERS },
    audit: { ledgerRetentionDays: v.LEDGER_RETENTION_DAYS, maxBatch: v.AUDIT_MAX_BATCH, checkpointKeyPem: v.AUDIT_CHECKPOINT_KEY_FILE },
    requests: {
      deadlineDays: v.DSR_DEADLINE_DAYS,
      erasure: { intervalMs: v.ERASURE_OUTBOX_INTERVAL_MS, retryBaseMs: v.ERASURE_RETRY_BASE_MS, maxAttempts: v.ERASURE_MAX_ATTEMPTS },
    },
    statistics: statisticsConfigOf(v),
    operations: operationsConfigOf(v),
    frontend: { corsOrigins: v.CORS_ORIGINS, ide: v.IDE, tracing: v.OTEL_TRACING },
  });
}

/** The statistics settings alone (tests of the privacy parameters). */
export function loadStatisticsConfig(env: Readonly<Record<string, string | undefined>> = {}): StatisticsConfig {
  return loadSettings(env).statistics;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
