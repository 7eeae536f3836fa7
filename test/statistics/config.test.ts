import { describe, expect, it } from "vitest";
import { SERVICES } from "../../src/seed/demo-data";
import { DEFAULT_SERVICES } from "../../src/config/statistics";
import { loadStatisticsConfig } from "../../src/config/settings";

describe("statistics configuration", () => {
  it("has safe defaults: k = 10, ε = 1 per query, a budget of 10 per month, δ = 1e-6", () => {
    const config = loadStatisticsConfig({});
    expect(config).toMatchObject({ minGroupSize: 10, epsilonMicro: 1_000_000, budgetMicro: 10_000_000, delta: 1e-6, timeZone: "Asia/Tokyo" });
    expect(config.epsilon).toEqual({ num: 1, den: 1 });
  });

  it("never lets k go below 5", () => {
    for (const k of ["0", "1", "4"]) expect(() => loadStatisticsConfig({ STATS_MIN_GROUP_SIZE: k })).toThrow(/at least 5/);
    expect(() => loadStatisticsConfig({ STATS_MIN_GROUP_SIZE: "-3" })).toThrow();
    expect(() => loadStatisticsConfig({ STATS_MIN_GROUP_SIZE: "4.5" })).toThrow();
    expect(loadStatisticsConfig({ STATS_MIN_GROUP_SIZE: "5" }).minGroupSize).toBe(5);
    expect(loadStatisticsConfig({ STATS_MIN_GROUP_SIZE: "25" }).minGroupSize).toBe(25);
  });

  it("reads ε and the budget exactly (decimals as integer millionths)", () => {
    const config = loadStatisticsConfig({ STATS_EPSILON: "0.3", STATS_BUDGET: "2.7" });
    expect(config.epsilonMicro).toBe(300_000);
    expect(config.epsilon).toEqual({ num: 3, den: 10 });
    expect(config.budgetMicro).toBe(2_700_000);
  });

  it.each([
    ["STATS_EPSILON", "0"],
    ["STATS_EPSILON", "-1"],
    ["STATS_EPSILON", "1e-3"],
    ["STATS_EPSILON", "0.0000001"],
    ["STATS_EPSILON", "11"],
    ["STATS_BUDGET", "0.5"], // below one query's ε
    ["STATS_DELTA", "0.01"],
    ["STATS_DELTA", "0"],
    ["STATS_AMOUNT_CAP", "0"],
    ["STATS_USAGE_CAP", "many"],
    ["STATS_MAX_BUCKETS_PER_CUSTOMER", "0"],
    ["STATS_SERVICES", "Mobile,Other"],
    ["STATS_SERVICES", "Mobile,Mobile"],
    ["STATS_SERVICES", "Mobile');DROP TABLE customer;--"],
    ["STATS_TIME_ZONE", "Mars/Olympus"],
  ])("refuses %s=%s", (name, value) => {
    expect(() => loadStatisticsConfig({ [name]: value })).toThrow();
  });

  it("uses the demo data's service catalogue by default", () => {
    expect([...DEFAULT_SERVICES]).toEqual([...SERVICES]);
  });
});
