import { Counter, Gauge } from "prom-client";
import { logger } from "../../observability/logger";
import { registry } from "../../observability/metrics";
import type { CompanyBudget } from "./budget/company-budget";

export const statisticsAnswersTotal = new Counter({
  name: "pgw_statistics_answers_total",
  help: "Statistics fields answered, by field and outcome (released: fresh, ε spent; repeated: stored answer, free; from-release: summed from a released table, free; refused: budget exhausted).",
  labelNames: ["field", "outcome"] as const,
  registers: [registry],
});

/** The budget the gauges read at each scrape (the store's, shared by every gateway). */
let source: CompanyBudget | null = null;

/** Reports this budget in the gauges until the returned function is called (the feature's stop). */
export function reportBudget(budget: CompanyBudget): () => void {
  source = budget;
  return () => {
    if (source === budget) source = null;
  };
}

const epsilon = (micro: number) => micro / 1_000_000;

/** Sets a gauge from the store at scrape time; a store that does not answer leaves it empty. */
function fromStore<L extends string>(
  name: string,
  gauge: Gauge<L>,
  read: (budget: CompanyBudget) => Promise<Array<[Partial<Record<L, string>>, number]>>,
) {
  return async () => {
    gauge.reset();
    if (!source) return;
    try {
      for (const [labels, value] of await read(source)) gauge.set(labels, value);
    } catch (error) {
      logger.warn({ err: error, metric: name }, "statistics budget metric not read");
    }
  };
}

const organisationGauge = (
  name: string,
  help: string,
  value: (o: Awaited<ReturnType<CompanyBudget["organisations"]>>[number]) => number,
) => {
  const gauge: Gauge<"organisation"> = new Gauge({
    name,
    help,
    labelNames: ["organisation"] as const,
    registers: [registry],
    collect: () =>
      fromStore(name, gauge, async (b) => (await b.organisations()).map((o) => [{ organisation: o.name }, epsilon(value(o))]))(),
  });
  return gauge;
};

organisationGauge(
  "pgw_statistics_organisation_allocation_epsilon",
  "ε per period allocated to each organisation (shared by its clients).",
  (o) => o.allocationMicro,
);
organisationGauge("pgw_statistics_organisation_spent_epsilon", "ε each organisation spent in the current period.", (o) => o.spentMicro);
organisationGauge(
  "pgw_statistics_organisation_remaining_epsilon",
  "ε each organisation can still spend now (within the lifetime cap).",
  (o) => o.remainingMicro,
);

const companyGauge: Gauge<"measure"> = new Gauge({
  name: "pgw_statistics_company_budget_epsilon",
  help: "The company's statistics privacy budget per data subject: period_budget, lifetime_cap, allocated, interactive_spent and release_spent (this period), window_spent, release_remaining, lifetime_remaining.",
  labelNames: ["measure"] as const,
  registers: [registry],
  collect: () =>
    fromStore("pgw_statistics_company_budget_epsilon", companyGauge, async (b) => {
      const s = await b.state();
      return [
        [{ measure: "period_budget" }, epsilon(s.periodBudgetMicro)],
        [{ measure: "lifetime_cap" }, epsilon(s.lifetimeCapMicro)],
        [{ measure: "allocated" }, epsilon(s.committedMicro)],
        [{ measure: "interactive_spent" }, epsilon(s.interactiveSpentMicro)],
        [{ measure: "release_spent" }, epsilon(s.releaseSpentMicro)],
        [{ measure: "window_spent" }, epsilon(s.windowSpentMicro)],
        [{ measure: "release_remaining" }, epsilon(s.releaseRemainingMicro)],
        [{ measure: "lifetime_remaining" }, epsilon(s.lifetimeRemainingMicro)],
      ];
    })(),
});
