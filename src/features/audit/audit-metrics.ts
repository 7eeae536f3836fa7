import { Counter } from "prom-client";
import { registry } from "../../observability/metrics";

/**
 * The audit writer's group commit, for operators: events over commits is the batch size
 * (small batches cost PostgreSQL a round trip, an append and a flush each).
 */
export const auditEventsTotal = new Counter({
  name: "pgw_audit_events_total",
  help: "Audit events appended to the chain by this process.",
  registers: [registry],
});

export const auditCommitsTotal = new Counter({
  name: "pgw_audit_commits_total",
  help: "Batches appended to the audit chain by this process (one CALL each: the append and its flush).",
  registers: [registry],
});
