import { describe, expect, it } from "vitest";
import { SERVICES } from "../../src/seed/demo-data";
import { DEFAULT_SERVICES } from "../../src/config/statistics";
import { loadStatisticsConfig } from "../../src/config/settings";
import { laplaceNoise } from "../../src/features/statistics/noise/discrete-laplace";
import { divide, rational } from "../../src/features/statistics/noise/rational";
import { secureRandom } from "../../src/features/statistics/noise/secure-random";

describe("statistics configuration", () => {
  it("has safe defaults: k = 10, ε = 1 per query, δ = 1e-6", () => {
    const config = loadStatisticsConfig({});
    expect(config).toMatchObject({ minGroupSize: 10, epsilonMicro: 1_000_000, delta: 1e-6, timeZone: "Asia/Tokyo" });
    expect(config.epsilon).toEqual({ num: 1, den: 1 });
  });

  it("never lets k go below 5", () => {
    for (const k of ["0", "1", "4"]) expect(() => loadStatisticsConfig({ STATS_MIN_GROUP_SIZE: k })).toThrow(/at least 5/);
    expect(() => loadStatisticsConfig({ STATS_MIN_GROUP_SIZE: "-3" })).toThrow();
    expect(() => loadStatisticsConfig({ STATS_MIN_GROUP_SIZE: "4.5" })).toThrow();
    expect(loadStatisticsConfig({ STATS_MIN_GROUP_SIZE: "5" }).minGroupSize).toBe(5);
    expect(loadStatisticsConfig({ STATS_MIN_GROUP_SIZE: "25" }).minGroupSize).toBe(25);
  });

  it("reads ε exactly (decimals as integer millionths)", () => {
    const config = loadStatisticsConfig({ STATS_EPSILON: "0.3" });
    expect(config.epsilonMicro).toBe(300_000);
    expect(config.epsilon).toEqual({ num: 3, den: 10 });
  });

  it("refuses the retired per-client STATS_BUDGET, pointing to the store's company budget", () => {
    expect(() => loadStatisticsConfig({ STATS_BUDGET: "10" })).toThrow(/STATS_BUDGET is no longer a setting.*budget set/);
  });

  it.each([
    [{ STATS_EPSILON: "0.000001" }, /STATS_EPSILON=0.000001 is too small for the usage count.*STATS_USAGE_CAP/],
    [
      { STATS_EPSILON: "0.00001", STATS_AMOUNT_CAP: "10000000", STATS_MAX_BUCKETS_PER_CUSTOMER: "100" },
      /too small for the amount sum.*STATS_AMOUNT_CAP/,
    ],
    [{ STATS_EPSILON: "0.01", STATS_USAGE_CAP: "10000", STATS_MAX_BUCKETS_PER_CUSTOMER: "100" }, /too small for the usage count/],
  ])("refuses settings whose noise would overflow the exact sampler or the answer: %o", (env, message) => {
    expect(() => loadStatisticsConfig(env)).toThrow(message);
  });

  it("accepts a small ε whose noise still fits", () => {
    expect(loadStatisticsConfig({ STATS_EPSILON: "0.01" }).epsilonMicro).toBe(10_000);
  });

  it("refuses exactly what would break the sampler after ε is spent, and the sampler copes with what it accepts", () => {
    expect(() =>
      loadStatisticsConfig({ STATS_EPSILON: "0.000001", STATS_AMOUNT_CAP: "10000000", STATS_MAX_BUCKETS_PER_CUSTOMER: "100" }),
    ).toThrow(/STATS_EPSILON/);
    // that setting's amount noise: ε/4 = 1/4,000,000 on Δ = 100 × 10,000,000 overflows the exact sampler
    const draws = () => Array.from({ length: 200 }, () => laplaceNoise(secureRandom, rational(1, 4_000_000), 1_000_000_000));
    expect(draws).toThrow(RangeError);
    // the smallest ε accepted with the default caps draws safe integers within the answer's types
    const config = loadStatisticsConfig({ STATS_EPSILON: "0.01" });
    for (let i = 0; i < 200; i++) {
      const amount = laplaceNoise(secureRandom, divide(config.epsilon, 4), config.maxBucketsPerCustomer * config.amountCap);
      const uses = laplaceNoise(secureRandom, divide(config.epsilon, 4), config.maxBucketsPerCustomer * config.usageCap);
      expect(Number.isSafeInteger(amount)).toBe(true);
      expect(Math.abs(uses)).toBeLessThan(2 ** 31);
    }
  });

  it.each([
    ["STATS_EPSILON", "0"],
    ["STATS_EPSILON", "-1"],
    ["STATS_EPSILON", "1e-3"],
    ["STATS_EPSILON", "0.0000001"],
    ["STATS_EPSILON", "11"],
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
