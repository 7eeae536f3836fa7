import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { analystOf, ask, customersQuery, errorCodes } from "./helpers";
import { seedCrowds } from "./population";

/**
 * The privacy settings are the gateway's, not the defaults': a stricter k, a smaller ε and a
 * smaller budget change what is released, what is spent and when the gateway says no.
 */
let t: TestGateway;
let analyst: string;
const saved = { ...process.env };

beforeAll(async () => {
  Object.assign(process.env, { STATS_MIN_GROUP_SIZE: "25", STATS_EPSILON: "0.5" });
  t = await startTestGateway();
  await seedCrowds(t.db);
  analyst = await analystOf(t, 1, "strict-analyst");
});
afterAll(async () => {
  await t?.stop();
  for (const k of ["STATS_MIN_GROUP_SIZE", "STATS_EPSILON"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

const withNoise = (args: string) =>
  customersQuery(args).replace("repeated", "repeated noise { measure epsilon sensitivity standardDeviation }");

describe("configured privacy settings", () => {
  it("apply k, ε and the budget to every answer", async () => {
    const first = await ask(t, analyst, withNoise("groupBy: [PREFECTURE]"));
    expect(first.minGroupSize).toBe(25);
    expect(first.releaseThreshold).toBeGreaterThan(25);
    expect(first.epsilonSpent).toBe(0.5);
    expect(first.budgetRemaining).toBe(0.5);
    expect(first.noise).toEqual([{ measure: "customers", epsilon: 0.5, sensitivity: 1, standardDeviation: expect.any(Number) }]);
    // discrete Laplace with scale 1/ε = 2: sd = sqrt(2·e^{-ε}) / (1 − e^{-ε})
    const p = Math.exp(-0.5);
    expect(first.noise[0].standardDeviation).toBeCloseTo(Math.sqrt(2 * p) / (1 - p), 1);
    expect(first.buckets.map((b: any) => b.key.prefecture)).toEqual(["Tokyo", "Kanagawa", "Osaka"]);

    const second = await ask(t, analyst, customersQuery("groupBy: [GENDER]"));
    expect(second.budgetRemaining).toBe(0);

    const refused = await t.gql(customersQuery("groupBy: [REGION]"), { key: analyst });
    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(["PRIVACY_BUDGET_EXHAUSTED"]);
    expect(refused.body.data?.statistics.customers ?? null).toBeNull();
    // a repeat is still free
    expect((await ask(t, analyst, withNoise("groupBy: [PREFECTURE]"))).repeated).toBe(true);
  });
});
