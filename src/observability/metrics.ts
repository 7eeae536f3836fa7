import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

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
