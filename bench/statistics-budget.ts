import type { DataSource } from "typeorm";
import { CompanyBudget, Organisations } from "./from-src";

const MICRO = 1_000_000;

/**
 * A statistics organisation for a benchmark run, allocated `epsilon` per period; the company's
 * caps are raised just enough to hold it (a benchmark store, never a real one). Call it after a
 * gateway started on the store (the start records the statistics time zone).
 */
export async function benchOrganisation(
  db: DataSource,
  name: string,
  epsilon: number,
): Promise<{ id: string; assign(client: string): Promise<void> }> {
  const budget = new CompanyBudget(db);
  const state = await budget.state();
  const needed = state.committedMicro + state.releaseSpentMicro + epsilon * MICRO;
  const periodBudgetMicro = Math.max(state.periodBudgetMicro, needed);
  await budget.setCaps({
    periodBudgetMicro,
    lifetimeCapMicro: Math.max(state.lifetimeCapMicro, state.windowSpentMicro + epsilon * MICRO, periodBudgetMicro),
  });
  const organisations = new Organisations(db);
  const { id } = await organisations.add(name, "internal");
  await budget.allocate(id, epsilon * MICRO);
  return { id, assign: async (client) => void (await organisations.assignClient(client, name)) };
}
