import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The gateway's Prometheus metrics, served at /metrics. One registry per process. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const operationsTotal = new Counter({
  name: "pgw_operations_total",
  help: "GraphQL operations by declared purpose and outcome (allowed, refused).",
  labelNames: ["purpose", "outcome"] as const,
  registers: [registry],
});

export const dataQueriesTotal = new Counter({
  name: "pgw_data_queries_total",
  help: "SQL statements run by the purpose-scoped data layer, by purpose. A refused operation adds none.",
  labelNames: ["purpose"] as const,
  registers: [registry],
});

// issue 11: what an operator watches during and after an outage
export const keyLookupsTotal = new Counter({
  name: "pgw_key_lookups_total",
  help: "API keys looked up in the database (not answered from the authentication cache).",
  registers: [registry],
});

export const authCacheActive = new Gauge({
  name: "pgw_auth_cache_active",
  help: "1 while the authentication cache is on (its notification listener proven), else 0.",
  registers: [registry],
});

export const storeFailuresTotal = new Counter({
  name: "pgw_store_failures_total",
  help: "Requests answered 503 because the store failed (STORE_UNAVAILABLE) or the request deadline passed (REQUEST_TIMEOUT).",
  labelNames: ["code"] as const,
  registers: [registry],
});

/**
 * Every request to /graphql, whatever became of it: allowed, refused by the gate, a bad API
 * key (401), a parse or validation failure, a malformed body, a withheld answer (audit
 * unavailable), an internal error, a CORS preflight. Its `_count` counts them all.
 */
export const requestDuration = new Histogram({
  name: "pgw_http_request_duration_seconds",
  help: "Duration of /graphql requests, by declared purpose and outcome.",
  labelNames: ["purpose", "outcome"] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const responsesTotal = new Counter({
  name: "pgw_http_responses_total",
  help: "Responses of /graphql by outcome and HTTP status.",
  labelNames: ["outcome", "status"] as const,
  registers: [registry],
});
