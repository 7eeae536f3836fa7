import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PREFECTURE_NAMES, REGION_NAMES, REGION_OF, StatisticsDimension as D } from "../../src/features/statistics/dimensions";
import { leafCovariance, sumVariance } from "../../src/features/statistics/releases/consistency";
import { hierarchyOf } from "../../src/features/statistics/releases/plan";
import { cli } from "../support/cli";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { officerClient } from "../disclosure/recipient-fixtures";
import { analystOf, ask, companySpent, KEY, META, spentBy, statisticsClient } from "./helpers";
import { seedCrowds } from "./population";

/**
 * Released tables over HTTP against PostgreSQL: the privacy officer defines a plan and
 * publishes it with the CLI (charged once to the company budget); analysts then ask
 * coarsenings and filters of it for free, with error bars and the release they came from;
 * the officer reads releases and cells through the compliance role.
 */
let t: TestGateway;
let analyst: string;
let officer: string;
const releases = cli("releases");

const SOURCE = "release { reference plan planVersion publishedAt epsilon }";
const customers = (args: string) =>
  `query C @purpose(name: USAGE_STATISTICS) { statistics { customers(${args}) { buckets { ${KEY} customers standardErrors { customers } } ${META} noise { measure } ${SOURCE} } } }`;
const usage = (args: string) =>
  `query U @purpose(name: USAGE_STATISTICS) { statistics { serviceUsage(${args}) { buckets { ${KEY} customers usageCount amountSum amountAvg standardErrors { customers usageCount amountSum } } ${META} ${SOURCE} } } }`;
const RELEASE_VIEW = `id plan planVersion period epsilon cells measureMs publishedAt
  groupings { field dimensions usageMonths cellsPerCustomer measures { measure sensitivity levels { level epsilon standardDeviation } } }`;

let releaseId: string;

beforeAll(async () => {
  t = await startTestGateway();
  await seedCrowds(t.db);
  analyst = await analystOf(t, 5); // company budget 50 per period, the analysts' organisation 5
  officer = await officerClient(t, "officer");
  await releases(
    "plans",
    "define",
    "monthly",
    "--epsilon",
    "2",
    "--grouping",
    "customers:AGE_BAND,GENDER,PREFECTURE",
    "--grouping",
    "serviceUsage:SERVICE,USAGE_MONTH,REGION@2026-01..2026-06",
  );
  const { stdout } = await releases("publish", "monthly", "--json");
  releaseId = JSON.parse(stdout).id;
});
afterAll(() => t?.stop());

/** The release as the officer reads it over GraphQL: its method, then its cells page by page. */
async function officerView(): Promise<any> {
  const res = await t.gql(`query R @purpose(name: DATA_SUBJECT_REQUEST) { statisticsRelease(id: "${releaseId}") { ${RELEASE_VIEW} } }`, {
    key: officer,
  });
  expect(res.body.errors).toBeUndefined();
  const release = res.body.data.statisticsRelease;
  release.releasedCells = [];
  for (let offset = 0; offset < release.cells; offset += 100) {
    const page = await t.gql(
      `query C @purpose(name: DATA_SUBJECT_REQUEST) { statisticsRelease(id: "${releaseId}") { releasedCells(first: 100, offset: ${offset}) { grouping key { ageBand gender prefecture region service usageMonth } customers usageCount amountSum } } }`,
      { key: officer },
    );
    expect(page.body.errors).toBeUndefined();
    release.releasedCells.push(...page.body.data.statisticsRelease.releasedCells);
  }
  return release;
}

describe("publishing", () => {
  it("charges the plan's ε once to the company budget and stores every cell of the domain", async () => {
    expect(await companySpent(t)).toBe(2);
    const release = await officerView();
    expect(release).toMatchObject({ plan: "monthly", planVersion: 1, epsilon: 2, cells: 8 * 4 * 47 + 6 * 6 * 8 });
    expect(release.groupings[0].measures[0].levels.map((l: any) => [l.level, l.epsilon])).toEqual([
      ["country", 0.25],
      ["region", 0.25],
      ["prefecture", 0.5],
    ]);
    expect(release.groupings[1]).toMatchObject({ usageMonths: "2026-01..2026-06", cellsPerCustomer: 36 });
    const { stdout } = await releases("list");
    expect(stdout).toContain(releaseId);
    const shown = await releases("show", releaseId, "--cells", "3");
    expect(shown.stdout).toMatch(/customers\s+Δ 1: country ε 0\.2500/);
  });

  it("is refused, storing nothing and charging nothing, when the company budget cannot pay", async () => {
    await releases("plans", "define", "huge", "--epsilon", "60", "--grouping", "customers:GENDER");
    await expect(releases("publish", "huge")).rejects.toThrow(/PRIVACY_BUDGET_EXHAUSTED|[Bb]udget/);
    expect(await companySpent(t)).toBe(2);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM statistics_published_release`);
    expect(n).toBe(1);
  });

  it("keeps plan versions immutable: redefining makes a new version", async () => {
    await expect(t.db.query(`UPDATE statistics_release_plan SET epsilon_micro = 1 WHERE name = 'monthly'`)).rejects.toThrow(/immutable/);
    const { stdout } = await releases("plans", "define", "monthly", "--epsilon", "1", "--grouping", "customers:GENDER,REGION");
    expect(stdout).toContain("monthly v2");
    await expect(releases("plans", "define", "bad", "--epsilon", "1", "--grouping", "customers:SERVICE")).rejects.toThrow(
      /cannot be released by SERVICE/,
    );
  });
});

describe("released tables are consistent", () => {
  it("non-negative integer cells; prefectures add up to the regions and the regions to the country in every answer", async () => {
    const release = await officerView();
    const cells = release.releasedCells.filter((c: any) => c.grouping === 0);
    expect(cells).toHaveLength(8 * 4 * 47);
    for (const c of release.releasedCells) {
      for (const v of [c.customers, c.usageCount ?? 0, c.amountSum ?? 0]) expect(Number.isInteger(v) && v >= 0).toBe(true);
    }
    const byPrefecture = await ask(t, analyst, customers("groupBy: [PREFECTURE]"));
    const byRegion = await ask(t, analyst, customers("groupBy: [REGION]"));
    const total = await ask(t, analyst, customers("groupBy: []"));
    expect(byPrefecture.buckets).toHaveLength(47);
    expect(byRegion.buckets.map((b: any) => b.key.region)).toEqual(REGION_NAMES);
    for (const region of byRegion.buckets) {
      const sum = byPrefecture.buckets
        .filter((b: any) => REGION_OF.get(b.key.prefecture) === region.key.region)
        .reduce((s: number, b: any) => s + b.customers, 0);
      expect(region.customers).toBe(sum);
      const fromCells = cells.filter((c: any) => c.key.region === region.key.region).reduce((s: number, c: any) => s + c.customers, 0);
      expect(region.customers).toBe(fromCells);
    }
    expect(total.buckets[0].customers).toBe(byRegion.buckets.reduce((s: number, b: any) => s + b.customers, 0));
    // noisy but near the truth: 650 active customers (the deleted and erased Hokkaido crowd never counts)
    expect(Math.abs(total.buckets[0].customers - 650)).toBeLessThan(6 * total.buckets[0].standardErrors.customers);
  });
});

describe("answering from a release", () => {
  it("answers a coarsening with a filter for free, with the right error bar and its source", async () => {
    const spentBefore = await spentBy(t, "analysts");
    const answer = await ask(
      t,
      analyst,
      customers('groupBy: [REGION, GENDER], filter: { regions: ["Kanto", "Kansai"], ageBands: [AGE_30_39, AGE_40_49] }'),
    );
    expect(answer).toMatchObject({
      epsilonSpent: 0,
      repeated: false,
      suppressedBuckets: 0,
      possibleBuckets: 8,
      minGroupSize: 0,
      noise: [],
    });
    expect(answer.release).toMatchObject({ reference: releaseId, plan: "monthly", planVersion: 1, epsilon: 2 });
    expect(await spentBy(t, "analysts")).toBe(spentBefore);
    expect(answer.buckets).toHaveLength(8); // every bucket of the domain: none withheld

    // error bar: 2 age bands summed, Kanto's 7 prefectures, from the levels' reported noise
    const release = await officerView();
    const variances = release.groupings[0].measures[0].levels.map((l: any) => l.standardDeviation ** 2);
    const covariance = leafCovariance(hierarchyOf(D.PREFECTURE), variances);
    const kanto = PREFECTURE_NAMES.map((p, i) => [p, i] as const)
      .filter(([p]) => REGION_OF.get(p) === "Kanto")
      .map(([, i]) => i);
    const expected = Math.sqrt(2 * sumVariance(covariance, kanto));
    const kantoFemale = answer.buckets.find((b: any) => b.key.region === "Kanto" && b.key.gender === "FEMALE");
    expect(kantoFemale.standardErrors.customers).toBeCloseTo(expected, 2);
    // and the number is the sum of the released cells
    const cells = release.releasedCells.filter(
      (c: any) =>
        c.grouping === 0 && c.key.region === "Kanto" && c.key.gender === "FEMALE" && ["AGE_30_39", "AGE_40_49"].includes(c.key.ageBand),
    );
    expect(kantoFemale.customers).toBe(cells.reduce((s: number, c: any) => s + c.customers, 0));
  });

  it("gives every client the same numbers, free", async () => {
    const other = await statisticsClient(t, "second-analyst", "analysts");
    const q = customers("groupBy: [AGE_BAND]");
    const a = await ask(t, analyst, q);
    const b = await ask(t, other, q);
    expect(b.buckets).toEqual(a.buckets);
    expect(b.epsilonSpent).toBe(0);
  });

  it("answers usage by service and month from the released cells, with averages from the consistent sums", async () => {
    const answer = await ask(
      t,
      analyst,
      usage('groupBy: [SERVICE, USAGE_MONTH], filter: { usageMonth: { from: "2026-02", to: "2026-03" } }'),
    );
    expect(answer.release.reference).toBe(releaseId);
    expect(answer.buckets).toHaveLength(6 * 2);
    for (const b of answer.buckets) {
      expect(b.amountAvg).toBe(b.usageCount ? Math.round(b.amountSum / b.usageCount) : null);
      expect(b.standardErrors.amountSum).toBeGreaterThan(b.standardErrors.customers);
    }
  });

  it("sends questions no release covers the interactive way, unchanged", async () => {
    const spentBefore = await spentBy(t, "analysts");
    // signup dimensions are not released; summing distinct customers over months would double count
    const bySignup = await ask(
      t,
      analyst,
      customers('groupBy: [SIGNUP_YEAR], filter: { signupMonth: { from: "2025-01", to: "2026-12" } }'),
    );
    expect(bySignup.release).toBeNull();
    expect(bySignup.epsilonSpent).toBe(1);
    const overMonths = await ask(t, analyst, usage('groupBy: [SERVICE], filter: { usageMonth: { from: "2026-01", to: "2026-06" } }'));
    expect(overMonths.release).toBeNull();
    expect(overMonths.buckets.every((b: any) => b.standardErrors === null)).toBe(true);
    expect(await spentBy(t, "analysts")).toBe(spentBefore + 2);
  });
});

describe("bounding a customer's usage cells", () => {
  it("counts each customer in at most N cells, and scales the noise to N", async () => {
    // every seeded use lies in 2026-01..06: 650 customers, 1,150 customer × (service, month) pairs at most
    await releases("plans", "define", "bounded", "--epsilon", "2", "--grouping", "serviceUsage:SERVICE,USAGE_MONTH@2026-01..2026-06/1");
    const { stdout } = await releases("publish", "bounded", "--json");
    const bounded = JSON.parse(stdout);
    expect(bounded.method[0]).toMatchObject({ cellsPerCustomer: 1, grouping: { maxCellsPerCustomer: 1 } });
    const [{ pairs }] = await t.db.query(
      `SELECT count(*)::int AS pairs FROM (SELECT DISTINCT su.customer_id, su.service, date_trunc('month', su.occurred_at AT TIME ZONE 'Asia/Tokyo')
         FROM service_usage su JOIN customer c ON c.id = su.customer_id WHERE c.deleted_at IS NULL AND c.erased_at IS NULL) x`,
    );
    expect(pairs).toBeGreaterThan(1000);
    const rows = await t.db.query(`SELECT sum(customers)::int AS customers FROM statistics_published_cell WHERE release_id = $1`, [
      bounded.id,
    ]);
    // 36 cells, each ε 1 on Δ 1 (sd 1.4): the sum is within a few dozen of 650, far from the pairs
    expect(Math.abs(rows[0].customers - 650)).toBeLessThan(60);
    await expect(
      releases("plans", "define", "too-many", "--epsilon", "1", "--grouping", "serviceUsage:SERVICE@2026-01..2026-06/7"),
    ).rejects.toThrow(/from 1 to 6/);
  });
});

describe("a usage release without months", () => {
  it("answers the months it was measured over, summed in its cells", async () => {
    await releases("plans", "define", "half-year", "--epsilon", "2", "--grouping", "serviceUsage:SERVICE,REGION@2026-01..2026-06");
    const { stdout } = await releases("publish", "half-year", "--json");
    const answer = await ask(t, analyst, usage('groupBy: [SERVICE], filter: { usageMonth: { from: "2026-01", to: "2026-06" } }'));
    expect(answer.release.reference).toBe(JSON.parse(stdout).id);
    // 1,150 uses by the 650 active customers, all in these months: the sum over services is
    // within 5 of its standard errors (the services' errors are independent trees)
    const uses = answer.buckets.reduce((s: number, b: any) => s + b.usageCount, 0);
    const se = Math.sqrt(answer.buckets.reduce((s: number, b: any) => s + b.standardErrors.usageCount ** 2, 0));
    expect(Math.abs(uses - 1150)).toBeLessThan(5 * se);
    expect(se).toBeLessThan(1150); // the check means something
    // another range is not what was measured: interactive
    const other = await ask(t, analyst, usage('groupBy: [SERVICE], filter: { usageMonth: { from: "2026-02", to: "2026-06" } }'));
    expect(other.release).toBeNull();
  });
});

describe("for the privacy officer", () => {
  it("lists plans and releases through the compliance role only", async () => {
    const plans = await t.gql(
      `query P @purpose(name: DATA_SUBJECT_REQUEST) { statisticsReleasePlans { name version epsilon releases groupings { field dimensions usageMonths } } }`,
      { key: officer },
    );
    expect(plans.body.errors).toBeUndefined();
    expect(plans.body.data.statisticsReleasePlans.find((p: any) => p.name === "monthly" && p.version === 1)).toMatchObject({
      epsilon: 2,
      releases: 1,
    });
    const list = await t.gql(`query L @purpose(name: DATA_SUBJECT_REQUEST) { statisticsReleases { id cells epsilon } }`, { key: officer });
    expect(list.body.data.statisticsReleases.map((r: any) => r.id)).toContain(releaseId);
    const notOfficer = await officerClient(t, "clerk", []);
    const refused = await t.gql(`query L @purpose(name: DATA_SUBJECT_REQUEST) { statisticsReleases { id } }`, { key: notOfficer });
    expect(refused.body.errors?.[0].extensions?.code).toBe("ROLE_REQUIRED");
    const metrics = await (await fetch(t.url.replace(/\/graphql$/, "/metrics"))).text();
    expect(metrics).toMatch(/pgw_statistics_release_cells\{plan="monthly"\} 1792/);
    expect(metrics).toMatch(/pgw_statistics_release_epsilon\{plan="monthly"\} 2/);
  });
});
