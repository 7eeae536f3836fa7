import { expect } from "vitest";
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

/** ε spent so far by a client this period, straight from the ledger. */
export async function spentBy(t: TestGateway, clientName: string): Promise<number> {
  const [row] = await t.db.query(
    `SELECT coalesce(sum(b.spent_micro), 0)::bigint AS spent FROM statistics_budget b JOIN api_client a ON a.id = b.client_id WHERE a.name = $1`,
    [clientName],
  );
  return Number(row.spent) / 1e6;
}
