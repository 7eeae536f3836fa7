import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { cli } from "../support/cli";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { officerClient } from "../disclosure/recipient-fixtures";
import { ask, customersQuery, errorCodes } from "./helpers";
import { seedCrowds } from "./population";

/**
 * The privacy officer's view and controls: the company budget, each organisation's
 * allocation and spending, and every interactive answer, through the compliance role over
 * HTTP and through `npm run statistics`; the pgw_statistics_* gauges at /metrics.
 */
const statistics = cli("statistics");
let t: TestGateway;
let officer: string;

const BUDGET_QUERY = `query B @purpose(name: DATA_SUBJECT_REQUEST) { statisticsBudget {
  timeZone period periodBudget lifetimeCap windowPeriods windowStart allocated interactiveSpent releaseSpent windowSpent releaseRemaining lifetimeRemaining
  organisations { name kind allocation spent remaining clients } } }`;
const ANSWERS_QUERY = `query A @purpose(name: DATA_SUBJECT_REQUEST) { statisticsAnswers(first: 10) { period question organisation client epsilon askedAt releasedAt } }`;

beforeAll(async () => {
  t = await startTestGateway();
  await seedCrowds(t.db);
  officer = await officerClient(t, "privacy-officer");
});
afterAll(() => t?.stop());

describe("the statistics CLI", () => {
  it("sets the budget, adds organisations, assigns clients and allocates, refusing what the budget cannot hold", async () => {
    expect((await statistics("budget", "set", "--period", "20", "--lifetime", "200", "--window", "6")).stdout).toBe(
      "company budget: ε 20 per period, ε 200 over 6 periods (Asia/Tokyo)\n",
    );
    expect((await statistics("organisations", "add", "market-research", "--kind", "recipient")).stdout).toMatch(
      /^added organisation market-research \(.{36}\), recipient, allocation ε 0\n$/,
    );
    await statistics("organisations", "add", "growth-team");
    await t.client("mr-1", [Purpose.USAGE_STATISTICS]);
    await t.client("mr-2", [Purpose.USAGE_STATISTICS]);
    expect((await statistics("organisations", "assign-client", "mr-1", "market-research")).stdout).toBe(
      "mr-1 now belongs to market-research\n",
    );
    await statistics("organisations", "assign-client", "mr-2", "market-research");
    expect((await statistics("organisations", "allocate", "market-research", "1.5")).stdout).toBe(
      "market-research: allocation ε 1.5 per period\n",
    );
    await statistics("organisations", "allocate", "growth-team", "18.5");
    // 1.5 + 18.5 = 20: one more millionth would exceed the period budget
    await expect(statistics("organisations", "allocate", "growth-team", "18.500001")).rejects.toMatchObject({
      stderr: expect.stringMatching(/exceed the company's period budget/),
    });
    await expect(statistics("budget", "set", "--period", "19", "--lifetime", "200")).rejects.toMatchObject({
      stderr: expect.stringMatching(/below what is allocated/),
    });
    await expect(statistics("organisations", "allocate", "nobody", "1")).rejects.toMatchObject({
      stderr: 'error: no organisation "nobody"\n',
    });
    await expect(statistics("organisations", "allocate", "growth-team", "-1")).rejects.toMatchObject({
      stderr: expect.stringMatching(/must be ε ≥ 0/),
    });

    const list = JSON.parse((await statistics("organisations", "list", "--json")).stdout);
    expect(list.map((o: any) => [o.name, o.kind, o.allocationMicro, o.spentMicro, o.clients])).toEqual([
      ["growth-team", "internal", 18_500_000, 0, 0],
      ["market-research", "recipient", 1_500_000, 0, 2],
    ]);
  });

  it("refuses to run in another time zone than the store's, naming the variable", async () => {
    const run = promisify(execFile);
    await expect(
      run(process.execPath, [statistics.script, "budget", "show"], {
        env: { ...process.env, DATABASE_URL: inject("databaseUrl"), LOG_LEVEL: "silent", STATS_TIME_ZONE: "UTC" },
      }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/STATS_TIME_ZONE is "UTC" but the store reckons statistics periods in "Asia\/Tokyo"/),
    });
  });
});

describe("the privacy officer's view", () => {
  it("shows the company budget, each organisation's allocation and spending, and every answer, over HTTP and the CLI", async () => {
    const key = await t.client("mr-3", [Purpose.USAGE_STATISTICS]);
    await statistics("organisations", "assign-client", "mr-3", "market-research");
    const first = await ask(t, key, customersQuery("groupBy: [GENDER]"));
    expect(first.budgetRemaining).toBe(0.5);

    const budget = await t.gql(BUDGET_QUERY, { key: officer });
    expect(budget.body.errors).toBeUndefined();
    expect(budget.body.data.statisticsBudget).toMatchObject({
      timeZone: "Asia/Tokyo",
      period: first.budgetPeriod,
      periodBudget: 20,
      lifetimeCap: 200,
      windowPeriods: 6,
      allocated: 20,
      interactiveSpent: 1,
      releaseSpent: 0,
      windowSpent: 1,
      releaseRemaining: 0,
      lifetimeRemaining: 199,
      organisations: [
        { name: "growth-team", kind: "internal", allocation: 18.5, spent: 0, remaining: 18.5, clients: 0 },
        { name: "market-research", kind: "recipient", allocation: 1.5, spent: 1, remaining: 0.5, clients: 3 },
      ],
    });

    const answers = await t.gql(ANSWERS_QUERY, { key: officer });
    expect(answers.body.errors).toBeUndefined();
    expect(answers.body.data.statisticsAnswers).toEqual([
      {
        period: first.budgetPeriod,
        question: expect.stringContaining('"groupBy":["GENDER"]'),
        organisation: "market-research",
        client: "mr-3",
        epsilon: 1,
        askedAt: expect.any(String),
        releasedAt: expect.any(String),
      },
    ]);

    const cliAnswers = JSON.parse((await statistics("answers", "list", "--json")).stdout);
    expect(cliAnswers).toEqual([
      expect.objectContaining({ organisation: "market-research", client: "mr-3", epsilonMicro: 1_000_000, period: first.budgetPeriod }),
    ]);
    expect((await statistics("budget", "show")).stdout).toContain("lifetime cap    ε 200: spent over the window ε 1, left ε 199");
  });

  it("is for the privacy officer only", async () => {
    const analyst = await t.client("mr-4", [Purpose.USAGE_STATISTICS, Purpose.DATA_SUBJECT_REQUEST]);
    for (const query of [BUDGET_QUERY, ANSWERS_QUERY]) {
      const res = await t.gql(query, { key: analyst });
      expect(res.status).toBe(403);
      expect(errorCodes(res)).toEqual(["ROLE_REQUIRED"]);
      const asStatistics = await t.gql(query.replace("DATA_SUBJECT_REQUEST", "USAGE_STATISTICS"), { key: officer });
      expect(asStatistics.status).toBe(403);
    }
  });

  it("exports the budget per organisation and for the company as pgw_statistics_* gauges", async () => {
    const text = await (await fetch(t.url.replace(/\/graphql$/, "/metrics"))).text();
    expect(text).toContain('pgw_statistics_organisation_allocation_epsilon{organisation="market-research"} 1.5');
    expect(text).toContain('pgw_statistics_organisation_spent_epsilon{organisation="market-research"} 1');
    expect(text).toContain('pgw_statistics_organisation_remaining_epsilon{organisation="market-research"} 0.5');
    expect(text).toContain('pgw_statistics_organisation_remaining_epsilon{organisation="growth-team"} 18.5');
    expect(text).toContain('pgw_statistics_company_budget_epsilon{measure="period_budget"} 20');
    expect(text).toContain('pgw_statistics_company_budget_epsilon{measure="lifetime_remaining"} 199');
    expect(text).toContain('pgw_statistics_company_budget_epsilon{measure="interactive_spent"} 1');
  });
});
