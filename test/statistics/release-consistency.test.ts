import { describe, expect, it } from "vitest";
import { loadStatisticsConfig } from "../../src/config/settings";
import { PREFECTURE_NAMES, REGION_NAMES, REGION_OF, StatisticsDimension as D } from "../../src/features/statistics/dimensions";
import { secureRandom } from "../../src/features/statistics/noise/secure-random";
import { normaliseRequest, type StatisticsRequest } from "../../src/features/statistics/query";
import {
  leafCovariance,
  leastSquares,
  projectOntoSimplex,
  roundKeepingSum,
  sumVariance,
  topDown,
} from "../../src/features/statistics/releases/consistency";
import { bucketVariances, covers } from "../../src/features/statistics/releases/cover";
import { cellId, measureGrouping, type ExactCell, type ReleasedCell } from "../../src/features/statistics/releases/measure";
import { hierarchyOf, methodEpsilon, methodOf, validatePlan, type GroupingMethod } from "../../src/features/statistics/releases/plan";

const config = loadStatisticsConfig({});
const AGE_BANDS = ["AGE_UNDER_20", "AGE_20_29", "AGE_30_39", "AGE_40_49", "AGE_50_59", "AGE_60_69", "AGE_70_79", "AGE_80_PLUS"];

describe("consistency post-processing (pure)", () => {
  it("projects onto the non-negative vectors with a given sum, and is the closest such vector", () => {
    expect(projectOntoSimplex([3, 1, -2], 2)).toEqual([2, 0, 0]);
    const p = projectOntoSimplex([5, 4, -1, 0.5], 7);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(7, 9);
    expect(p.every((x) => x >= 0)).toBe(true);
    expect(p[0] - p[1]).toBeCloseTo(1, 9); // a common shift of the positive part
    expect(projectOntoSimplex([1, 2], 0)).toEqual([0, 0]);
    // no other vector of the set found at random is closer
    const v = [2.5, -1, 0.3, 4];
    const dist = (x: number[]) => x.reduce((s, xi, i) => s + (xi - v[i]) ** 2, 0);
    const best = dist(projectOntoSimplex(v, 5));
    for (let k = 0; k < 2000; k++) {
      const r = v.map(() => Math.random());
      const s = r.reduce((a, b) => a + b, 0);
      expect(dist(r.map((x) => (5 * x) / s))).toBeGreaterThanOrEqual(best - 1e-9);
    }
  });

  it("rounds to non-negative integers keeping the total", () => {
    expect(roundKeepingSum([0.6, 0.6, 0.8], 2)).toEqual([1, 0, 1]); // the largest parts, ties to the earlier cell
    expect(roundKeepingSum([1.5, 1.5], 3)).toEqual([2, 1]);
    for (let k = 0; k < 500; k++) {
      const total = Math.floor(Math.random() * 50);
      const x = projectOntoSimplex([Math.random() * 20 - 5, Math.random() * 20, Math.random() * 3, -Math.random()], total);
      const r = roundKeepingSum(x, total);
      expect(r.reduce((a, b) => a + b, 0)).toBe(total);
      r.forEach((ri, i) => {
        expect(Number.isInteger(ri) && ri >= 0).toBe(true);
        expect(Math.abs(ri - x[i])).toBeLessThan(1);
      });
    }
  });

  it("least squares recovers noiseless measurements, and its variance is below the leaf measurement's", () => {
    const h = hierarchyOf(D.PREFECTURE);
    const variances = [8, 8, 2];
    const cov = leafCovariance(h, variances);
    const truth = PREFECTURE_NAMES.map((_, i) => 10 + i);
    const middle = REGION_NAMES.map((r) => PREFECTURE_NAMES.reduce((s, p, i) => s + (REGION_OF.get(p) === r ? truth[i] : 0), 0));
    const x = leastSquares(h, variances, cov, { country: truth.reduce((a, b) => a + b, 0), middle, leaves: truth });
    x.forEach((xi, i) => expect(xi).toBeCloseTo(truth[i], 6));
    expect(cov[0][0]).toBeLessThan(2); // more measurements than the leaf's own
    // the country total combines the country measurement (var 8) with 47 leaves (var 94): below both
    const all = PREFECTURE_NAMES.map((_, i) => i);
    expect(sumVariance(cov, all)).toBeLessThan(8);
  });

  it("top-down leaves are non-negative integers whose regions and country add up", () => {
    const h = hierarchyOf(D.PREFECTURE);
    for (let k = 0; k < 200; k++) {
      const estimate = PREFECTURE_NAMES.map(() => Math.random() * 10 - 4);
      const leaves = topDown(h, estimate);
      expect(leaves.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
      expect(leaves.reduce((a, b) => a + b, 0)).toBe(Math.max(0, Math.round(estimate.reduce((a, b) => a + b, 0))));
    }
  });
});

function plan(groupings: Parameters<typeof validatePlan>[0], epsilon = 1): GroupingMethod[] {
  return methodOf(validatePlan(groupings, epsilon * 1e6, config), config);
}

describe("release plans", () => {
  it("split the plan's ε exactly, and refuse what cannot be released", () => {
    const method = plan([
      { field: "customers", dimensions: [D.PREFECTURE, D.GENDER, D.AGE_BAND] },
      { field: "serviceUsage", dimensions: [D.SERVICE, D.USAGE_MONTH, D.REGION], usageMonths: { from: "2026-01", to: "2026-12" } },
    ]);
    expect(methodEpsilon(method)).toBeCloseTo(1, 12);
    expect(method[0].grouping.dimensions).toEqual([D.AGE_BAND, D.GENDER, D.PREFECTURE]);
    expect(method[1].cellsPerCustomer).toBe(6 * 12); // services with Other × months
    expect(method[1].measures.map((m) => m.sensitivity)).toEqual([72, 72 * config.usageCap, 72 * config.amountCap]);
    const [bounded] = plan([
      {
        field: "serviceUsage",
        dimensions: [D.SERVICE, D.USAGE_MONTH],
        usageMonths: { from: "2026-01", to: "2026-12" },
        maxCellsPerCustomer: 6,
      },
    ]);
    expect(bounded.measures.map((m) => m.sensitivity)).toEqual([6, 6 * config.usageCap, 6 * config.amountCap]);
    expect(() => validatePlan([{ field: "customers", dimensions: [D.GENDER], maxCellsPerCustomer: 1 }], 1e6, config)).toThrow(
      /applies to serviceUsage/,
    );
    expect(() => validatePlan([{ field: "customers", dimensions: [D.SERVICE] }], 1e6, config)).toThrow(/cannot be released by SERVICE/);
    expect(() => validatePlan([{ field: "customers", dimensions: [D.PREFECTURE, D.REGION] }], 1e6, config)).toThrow(
      /PREFECTURE already gives REGION/,
    );
    expect(() => validatePlan([{ field: "serviceUsage", dimensions: [D.SERVICE] }], 1e6, config)).toThrow(/usage months/);
  });

  it("cover coarsenings and filters on released dimensions only", () => {
    const [customers, usage] = plan([
      { field: "customers", dimensions: [D.AGE_BAND, D.GENDER, D.PREFECTURE] },
      { field: "serviceUsage", dimensions: [D.SERVICE, D.USAGE_MONTH, D.REGION], usageMonths: { from: "2026-01", to: "2026-06" } },
    ]);
    const q = (r: StatisticsRequest) => normaliseRequest(r, config);
    const services = config.services;
    expect(covers(customers, q({ field: "customers", groupBy: [D.REGION], filter: { genders: ["FEMALE" as any] } }), services)).toBe(true);
    expect(covers(customers, q({ field: "customers", groupBy: [] }), services)).toBe(true);
    expect(
      covers(
        customers,
        q({ field: "customers", groupBy: [D.SIGNUP_YEAR], filter: { signupMonth: { from: "2025-01", to: "2025-12" } } }),
        services,
      ),
    ).toBe(false);
    const month = { usageMonth: { from: "2026-02", to: "2026-04" } };
    expect(covers(usage, q({ field: "serviceUsage", groupBy: [D.SERVICE, D.USAGE_MONTH], filter: month }), services)).toBe(true);
    // distinct customers do not add up over months: summing months is not covered
    expect(covers(usage, q({ field: "serviceUsage", groupBy: [D.SERVICE], filter: month }), services)).toBe(false);
    expect(
      covers(
        usage,
        q({ field: "serviceUsage", groupBy: [D.SERVICE], filter: { usageMonth: { from: "2026-03", to: "2026-03" } } }),
        services,
      ),
    ).toBe(true);
    expect(
      covers(
        usage,
        q({ field: "serviceUsage", groupBy: [D.SERVICE, D.USAGE_MONTH], filter: { usageMonth: { from: "2025-12", to: "2026-02" } } }),
        services,
      ),
    ).toBe(false);
    expect(
      covers(
        usage,
        q({ field: "serviceUsage", groupBy: [D.SERVICE, D.USAGE_MONTH, D.REGION], filter: { ...month, prefectures: ["Tokyo"] } }),
        services,
      ),
    ).toBe(false);
    expect(
      covers(usage, q({ field: "serviceUsage", groupBy: [D.SERVICE, D.USAGE_MONTH], filter: { ...month, regions: ["Kanto"] } }), services),
    ).toBe(true);
    expect(covers(usage, q({ field: "serviceUsage", groupBy: [D.SERVICE, D.USAGE_MONTH, D.GENDER], filter: month }), services)).toBe(false);
  });
});

/**
 * Many fresh releases of one grouping (AGE_BAND × GENDER × PREFECTURE, ε = 1: levels 0.25,
 * 0.25, 0.5) over a fixed synthetic truth, with the real sampler: for cells, regions, the
 * country and a coarsening across age bands, (released − true) / reported standard error
 * must have mean ≈ 0 and standard deviation ≈ 1. The truth is large (≥ 40 per cell, the
 * leaf sd is ≈ 2.8) so the non-negativity step almost never binds and the least-squares
 * error bar is the right one; a release measuring each cell once with ε = 0.5 and no
 * hierarchy would show a ratio ≈ 1.0 on cells but the coarse sums would be off by √trees,
 * a wrong covariance (e.g. leaves independent) shows at the region and country level.
 */
describe("calibration over many fresh releases", () => {
  it("released − true matches the reported error bars at every level", () => {
    const [method] = plan([{ field: "customers", dimensions: [D.AGE_BAND, D.GENDER, D.PREFECTURE] }]);
    const exact = new Map<string, ExactCell>();
    const truthOf = (age: number, g: number, p: number) => 40 + ((age * 7 + g * 13 + p * 5) % 60);
    const genders = ["FEMALE", "MALE", "OTHER", "UNDISCLOSED"];
    AGE_BANDS.forEach((a, ai) =>
      genders.forEach((g, gi) =>
        PREFECTURE_NAMES.forEach((p, pi) =>
          exact.set(cellId({ AGE_BAND: a, GENDER: g, PREFECTURE: p } as any, method.grouping.dimensions), {
            customers: truthOf(ai, gi, pi),
          }),
        ),
      ),
    );

    const questions: Array<{ name: string; request: StatisticsRequest }> = [
      { name: "cells", request: { field: "customers", groupBy: [D.AGE_BAND, D.GENDER, D.PREFECTURE] } },
      { name: "regions by gender", request: { field: "customers", groupBy: [D.GENDER, D.REGION] } },
      { name: "country", request: { field: "customers", groupBy: [] } },
      {
        name: "Kanto women by age",
        request: { field: "customers", groupBy: [D.AGE_BAND], filter: { genders: ["FEMALE" as any], regions: ["Kanto"] } },
      },
    ];
    const sumOf = (cells: ReleasedCell[] | null, query: ReturnType<typeof normaliseRequest>, key: Record<string, string>) => {
      let total = 0;
      const inFilter = (c: { AGE_BAND?: string; GENDER?: string; PREFECTURE?: string }) =>
        (!query.filter.genders || query.filter.genders.includes(c.GENDER as any)) &&
        (!query.filter.prefectures || query.filter.prefectures.includes(c.PREFECTURE!));
      const matches = (c: Record<string, string | undefined>) =>
        Object.entries(key).every(([d, v]) => (d === "REGION" ? REGION_OF.get(c.PREFECTURE!) === v : c[d] === v));
      if (cells) {
        for (const cell of cells) if (inFilter(cell.key) && matches(cell.key as any)) total += cell.customers;
      } else {
        AGE_BANDS.forEach((a, ai) =>
          genders.forEach((g, gi) =>
            PREFECTURE_NAMES.forEach((p, pi) => {
              const k = { AGE_BAND: a, GENDER: g, PREFECTURE: p };
              if (inFilter(k) && matches(k)) total += truthOf(ai, gi, pi);
            }),
          ),
        );
      }
      return total;
    };
    const prepared = questions.map(({ name, request }) => {
      const query = normaliseRequest(request, config);
      expect(covers(method, query, config.services)).toBe(true);
      let keys: Array<Record<string, string>> = [{}];
      for (const d of query.groupBy) keys = keys.flatMap((k) => query.domains[d]!.map((v) => ({ ...k, [d]: v })));
      keys = keys.slice(0, 40); // enough buckets per question
      return {
        name,
        query,
        keys,
        truth: keys.map((k) => sumOf(null, query, k)),
        se: keys.map((k) => Math.sqrt(bucketVariances(method, query, k).customers!)),
      };
    });

    const RELEASES = 200;
    const errors = prepared.map(() => [] as number[]);
    for (let r = 0; r < RELEASES; r++) {
      const cells = measureGrouping(method, exact, secureRandom);
      expect(cells).toHaveLength(8 * 4 * 47);
      expect(cells.every((c) => Number.isInteger(c.customers) && c.customers >= 0)).toBe(true);
      prepared.forEach((p, i) => p.keys.forEach((k, j) => errors[i].push((sumOf(cells, p.query, k) - p.truth[j]) / p.se[j])));
    }
    const report = prepared.map((p, i) => {
      const xs = errors[i];
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
      return { name: p.name, n: xs.length, meanSe: p.se.reduce((a, b) => a + b, 0) / p.se.length, mean, sd };
    });
    // n = 200 (the country: one bucket per release) to 8,000 errors per question. Five standard
    // errors of the sample mean (1/√n) and of the sample sd (√((κ−1)/4n), κ ≤ 6 for discrete
    // Laplace, less for sums): a correct release fails with probability < 1e-5 per check, while
    // a factor-2 error in ε or Δ (sd ratio 2 or 0.5), or error bars that ignore the
    // least-squares covariance (the country's would be off by far more), fail for certain.
    for (const row of report) {
      const sdTolerance = 5 * Math.sqrt(5 / (4 * row.n));
      expect(Math.abs(row.mean), JSON.stringify(row)).toBeLessThan(5 / Math.sqrt(row.n));
      expect(Math.abs(row.sd - 1), JSON.stringify(row)).toBeLessThan(Math.min(sdTolerance, 0.45));
    }
    // the hierarchy pays: the country's error bar is far below that of 1,504 independent leaves (√1504 · 2.8 ≈ 110)
    expect(report.find((r) => r.name === "country")!.meanSe).toBeLessThan(40);
  });

  it("usage measures too: customers, uses and amounts each match their error bars", () => {
    // SERVICE × REGION over one month: B = 6 cells per customer, so Δ = 6, 60 uses, 180,000 yen
    const [method] = plan([{ field: "serviceUsage", dimensions: [D.SERVICE, D.REGION], usageMonths: { from: "2026-03", to: "2026-03" } }]);
    const services = [...config.services, "Other"];
    const truthOf = (s: number, r: number) => ({
      customers: 2000 + 100 * s + 50 * r,
      usageCount: 30_000 + 500 * r,
      amountSum: 200_000_000 + 1_000_000 * s,
    });
    const exact = new Map<string, ExactCell>();
    services.forEach((sv, si) =>
      REGION_NAMES.forEach((r, ri) => exact.set(cellId({ SERVICE: sv, REGION: r } as any, method.grouping.dimensions), truthOf(si, ri))),
    );
    const month = { usageMonth: { from: "2026-03", to: "2026-03" } };
    const cellsQ = normaliseRequest({ field: "serviceUsage", groupBy: [D.SERVICE, D.REGION], filter: month }, config);
    const serviceQ = normaliseRequest({ field: "serviceUsage", groupBy: [D.SERVICE], filter: month }, config);
    for (const q of [cellsQ, serviceQ]) expect(covers(method, q, config.services)).toBe(true);
    const measures = ["customers", "usageCount", "amountSum"] as const;
    const errors: Record<string, number[]> = {};
    for (let r = 0; r < 150; r++) {
      const cells = measureGrouping(method, exact, secureRandom);
      for (const measure of measures) {
        services.forEach((sv, si) => {
          const total = cells.filter((c) => c.key.SERVICE === sv).reduce((sum, c) => sum + c[measure]!, 0);
          const truth = REGION_NAMES.reduce((sum, _, ri) => sum + truthOf(si, ri)[measure], 0);
          (errors[`${measure} by service`] ??= []).push(
            (total - truth) / Math.sqrt(bucketVariances(method, serviceQ, { SERVICE: sv })[measure]!),
          );
          const kanto = cells.find((c) => c.key.SERVICE === sv && c.key.REGION === "Kanto")![measure]!;
          const kantoTruth = truthOf(si, REGION_NAMES.indexOf("Kanto"))[measure];
          (errors[`${measure} cell`] ??= []).push(
            (kanto - kantoTruth) / Math.sqrt(bucketVariances(method, cellsQ, { SERVICE: sv, REGION: "Kanto" })[measure]!),
          );
        });
      }
    }
    for (const [name, xs] of Object.entries(errors)) {
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((acc, x) => acc + (x - mean) ** 2, 0) / (xs.length - 1));
      expect(Math.abs(mean), name).toBeLessThan(0.3);
      expect(sd, name).toBeGreaterThan(0.8);
      expect(sd, name).toBeLessThan(1.2);
    }
  });

  it("small and empty cells stay non-negative and every level adds up", () => {
    const [method] = plan([{ field: "customers", dimensions: [D.GENDER, D.PREFECTURE] }], 0.5);
    const exact = new Map<string, ExactCell>([
      [cellId({ GENDER: "FEMALE", PREFECTURE: "Tokyo" } as any, method.grouping.dimensions), { customers: 3 }],
    ]);
    for (let r = 0; r < 20; r++) {
      const cells = measureGrouping(method, exact, secureRandom);
      expect(cells).toHaveLength(4 * 47); // every cell of the domain, empty ones too
      expect(cells.every((c) => Number.isInteger(c.customers) && c.customers >= 0)).toBe(true);
    }
  });
});
