import { readFileSync } from "node:fs";
import { z } from "zod";
import { integer, optionalText, text } from "./env-vars";

/**
 * How the gateway behaves as an operator runs it (issue 11): bounds on every wait (requests,
 * statements, connections, start-up, shutdown), how often repeated failures are logged, where
 * statistics read from, and how erasure notices are signed and leased.
 */
export interface OperationsConfig {
  /** in-flight requests get this long to finish after SIGTERM/SIGINT */
  readonly shutdownGraceMs: number;
  /** a request not answered by then gets 503 REQUEST_TIMEOUT (no data) */
  readonly requestTimeoutMs: number;
  readonly database: {
    /** PostgreSQL's statement_timeout, and (plus a margin) the client's own bound on a query */
    readonly statementTimeoutMs: number;
    /** a new connection, or a free one from the pool, within this */
    readonly connectTimeoutMs: number;
    /** how long a start waits for the database (and for a CLI holding the embedded store) */
    readonly startupWaitMs: number;
  };
  /** one log line per failure kind per interval, with a count; 0 = every line */
  readonly logThrottleMs: number;
  /** statistics' aggregate reads go here (a read replica); null = the main database */
  readonly statisticsDatabaseUrl: string | null;
  readonly erasure: {
    /** null: notices are not sent (they stay PENDING) until a key is configured */
    readonly signing: { readonly keyId: string; readonly secret: string } | null;
    /** one delivery (connect, send, answer) is abandoned after this */
    readonly deliveryTimeoutMs: number;
    /** a claimed notice is no other gateway's for this long; always outlives a delivery */
    readonly leaseMs: number;
  };
}

const HOUR_MS = 3_600_000;

/** The operations variables, as part of the one settings schema (settings.ts). */
export const operationsVariables = {
  SHUTDOWN_GRACE_MS: integer(10_000, 0, 10 * 60_000),
  REQUEST_TIMEOUT_MS: integer(15_000, 100, HOUR_MS),
  DB_STATEMENT_TIMEOUT_MS: integer(10_000, 100, HOUR_MS),
  DB_CONNECT_TIMEOUT_MS: integer(3_000, 100, 10 * 60_000),
  STARTUP_WAIT_MS: integer(30_000, 0, HOUR_MS),
  LOG_THROTTLE_MS: integer(10_000, 0, HOUR_MS),
  STATS_DATABASE_URL: optionalText({ test: /^postgres(ql)?:\/\//, hint: "a postgres:// connection string" }),
  ERASURE_HMAC_SECRET: optionalText({ test: /^\S{32,}$/, hint: "at least 32 characters without spaces" }),
  ERASURE_HMAC_SECRET_FILE: optionalText(),
  ERASURE_HMAC_KEY_ID: text("1", { test: /^[A-Za-z0-9._-]{1,64}$/, hint: "1 to 64 letters, digits, . _ -" }),
  ERASURE_DELIVERY_TIMEOUT_MS: integer(5_000, 100, 120_000),
  ERASURE_LEASE_MS: integer(60_000, 1_000, HOUR_MS),
};

type OperationsVariables = { [K in keyof typeof operationsVariables]: z.output<(typeof operationsVariables)[K]> };

/** Margin a lease keeps over a delivery: the record of the outcome must land inside it too. */
export const LEASE_MARGIN_MS = 5_000;

/** Checks between variables, and the secret file; returns the problems. */
export function operationsProblems(v: OperationsVariables): string[] {
  const problems: string[] = [];
  if (v.ERASURE_LEASE_MS < v.ERASURE_DELIVERY_TIMEOUT_MS + LEASE_MARGIN_MS) {
    problems.push(`ERASURE_LEASE_MS must be at least ERASURE_DELIVERY_TIMEOUT_MS + ${LEASE_MARGIN_MS} (a lease must outlive a delivery)`);
  }
  if (v.ERASURE_HMAC_SECRET && v.ERASURE_HMAC_SECRET_FILE)
    problems.push("ERASURE_HMAC_SECRET and ERASURE_HMAC_SECRET_FILE must not both be set");
  if (v.ERASURE_HMAC_SECRET_FILE) {
    try {
      const secret = readFileSync(v.ERASURE_HMAC_SECRET_FILE, "utf8").trim();
      if (!/^\S{32,}$/.test(secret)) problems.push("ERASURE_HMAC_SECRET_FILE must hold at least 32 characters without spaces");
    } catch (error) {
      problems.push(`ERASURE_HMAC_SECRET_FILE must be a readable file (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
    }
  }
  return problems;
}

export function operationsConfigOf(v: OperationsVariables): OperationsConfig {
  const secret = v.ERASURE_HMAC_SECRET ?? (v.ERASURE_HMAC_SECRET_FILE ? readFileSync(v.ERASURE_HMAC_SECRET_FILE, "utf8").trim() : null);
  return {
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
    requestTimeoutMs: v.REQUEST_TIMEOUT_MS,
    database: {
      statementTimeoutMs: v.DB_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: v.DB_CONNECT_TIMEOUT_MS,
      startupWaitMs: v.STARTUP_WAIT_MS,
    },
    logThrottleMs: v.LOG_THROTTLE_MS,
    statisticsDatabaseUrl: v.STATS_DATABASE_URL,
    erasure: {
      signing: secret ? { keyId: v.ERASURE_HMAC_KEY_ID, secret } : null,
      deliveryTimeoutMs: v.ERASURE_DELIVERY_TIMEOUT_MS,
      leaseMs: v.ERASURE_LEASE_MS,
    },
  };
}
