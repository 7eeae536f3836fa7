import { Counter, Registry, collectDefaultMetrics } from "prom-client";

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
