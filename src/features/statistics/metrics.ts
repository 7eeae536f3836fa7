import { Counter } from "prom-client";
import { registry } from "../../observability/metrics";

export const statisticsAnswersTotal = new Counter({
  name: "pgw_statistics_answers_total",
  help: "Statistics fields answered, by field and outcome (released: fresh, ε spent; repeated: cached, free; from-release: summed from a released table, free; refused: budget exhausted).",
  labelNames: ["field", "outcome"] as const,
  registers: [registry],
});
