import { expect } from "vitest";
import { CompanyBudget } from "../../src/features/statistics/budget/company-budget";
import { Organisations } from "../../src/features/statistics/budget/organisations";
import { Purpose } from "../../src/kernel/purposes/purpose";
import type { GqlResponse, TestGateway } from "../support/test-gateway";

/** The meta fields every statistics answer is asked for in tests. */
export const META = "suppressedBuckets possibleBuckets minGroupSize releaseThreshold epsilonSpent budgetRemaining budgetPeriod repeated";
export const KEY = "key { ageBand gender prefecture region signupMonth signupYear service usageMonth }";

export function usageQuery(args: string, measures = "customers usageCount amountSum amountAvg amountPerCustomer", extra = ""): string {
  return `query Usage @purpose(name: USAGE_STATISTICS) { statistics { serviceUsage(${args}) { buckets { ${KEY} ${measures} } ${META} ${extra} } } }`;
}

export function customersQuery(args: string): string {
  return `query Customers @purpose(name: USAGE_STATISTICS) { statistics { customers(${args}) { buckets { ${KEY} customers } ${META} } } }`;
}

/** Runs a statistics query and returns the answer of its one field (fails the test on errors). */
export async function ask(t: TestGateway, key: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await t.gql(query, { key, variables });
  if (res.body.errors) throw new Error(`${res.status} ${JSON.stringify(res.body.errors)}`);
  expect(res.status).toBe(200);
  const field = Object.values(res.body.data.statistics)[0];
  return field;
}

export const errorCodes = (res: GqlResponse) => (res.body.errors ?? []).map((e) => e.extensions?.code);

/** A bucket by its key (only the grouped dimensions given). */
export function bucket(answer: any, key: Record<string, unknown>): any {
  return answer.buckets.find((b: any) => Object.entries(key).every(([k, v]) => b.key[k] === v));
}

/** ε spent so far by an organisation (all periods), straight from the spending ledger. */
export async function spentBy(t: TestGateway, organisation: string): Promise<number> {
  const [row] = await t.db.query(
    `SELECT coalesce(sum(s.epsilon_micro), 0)::bigint AS spent FROM statistics_spending s JOIN statistics_organisation o ON o.id = s.organisation_id WHERE o.name = $1`,
    [organisation],
  );
  return Number(row.spent) / 1e6;
}

/** Everything the company has spent (organisations and releases, all periods). */
export async function companySpent(t: TestGateway): Promise<number> {
  const [row] = await t.db.query(`SELECT coalesce(sum(epsilon_micro), 0)::bigint AS spent FROM statistics_spending`);
  return Number(row.spent) / 1e6;
}

const micro = (epsilon: number) => Math.round(epsilon * 1e6);

/** Sets the company's caps as the privacy officer does (the same code as the CLI). */
export async function setCompanyBudget(
  t: TestGateway,
  periodBudget: number,
  lifetimeCap = periodBudget * 12,
  windowPeriods?: number,
): Promise<void> {
  await new CompanyBudget(t.db).setCaps({ periodBudgetMicro: micro(periodBudget), lifetimeCapMicro: micro(lifetimeCap), windowPeriods });
}

/** An organisation with an allocation per period (created if new). */
export async function organisation(t: TestGateway, name: string, allocation: number): Promise<string> {
  const organisations = new Organisations(t.db);
  const existing = await organisations.get(name).catch(() => null);
  const { id } = existing ?? (await organisations.add(name, "internal"));
  await new CompanyBudget(t.db).allocate(id, micro(allocation));
  return id;
}

/** A new USAGE_STATISTICS client of an organisation (which must exist); returns its key. */
export async function statisticsClient(t: TestGateway, name: string, organisationName: string): Promise<string> {
  const key = await t.client(name, [Purpose.USAGE_STATISTICS]);
  await new Organisations(t.db).assignClient(name, organisationName);
  return key;
}

/**
 * The usual set-up of a statistics test file: a company budget, one organisation with
 * `allocation` per period, and one client of it.
 */
export async function analystOf(t: TestGateway, allocation: number, name = "demo-analyst", organisationName = "analysts"): Promise<string> {
  await setCompanyBudget(t, Math.max(allocation, 1) * 10);
  await organisation(t, organisationName, allocation);
  return statisticsClient(t, name, organisationName);
}
