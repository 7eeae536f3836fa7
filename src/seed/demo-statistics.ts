import type { DataSource } from "typeorm";
import { CompanyBudget } from "../features/statistics/budget/company-budget";
import { Organisations, type OrganisationKind } from "../features/statistics/budget/organisations";

const MICRO = 1_000_000;

/** The demo's statistics organisations: who receives statistics, with what share of the budget. */
export const DEMO_STATISTICS_ORGANISATIONS: ReadonlyArray<{ name: string; kind: OrganisationKind; allocation: number; clients: string[] }> =
  [
    { name: "analytics-team", kind: "internal", allocation: 40, clients: ["demo-analyst"] },
    { name: "sakura-travel", kind: "recipient", allocation: 10, clients: ["demo-partner"] },
  ];

/**
 * The demo's company privacy budget (ε 100 a month, 1,200 over twelve months) and its
 * organisations, so the demo statistics queries are answered. A budget or allocation the
 * privacy officer has already set is left as it is. Run after the gateway started (it records
 * the store's statistics time zone).
 */
export async function seedDemoStatistics(db: DataSource): Promise<void> {
  const budget = new CompanyBudget(db);
  if ((await budget.state()).periodBudgetMicro === 0)
    await budget.setCaps({ periodBudgetMicro: 100 * MICRO, lifetimeCapMicro: 1200 * MICRO });
  const organisations = new Organisations(db);
  const existing = new Map((await budget.organisations()).map((o) => [o.name, o]));
  for (const demo of DEMO_STATISTICS_ORGANISATIONS) {
    const organisation = existing.get(demo.name) ?? { ...(await organisations.add(demo.name, demo.kind)), allocationMicro: 0 };
    if (organisation.allocationMicro === 0) await budget.allocate(organisation.id, demo.allocation * MICRO);
    for (const client of demo.clients) await organisations.assignClient(client, demo.name);
  }
}
