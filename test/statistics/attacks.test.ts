import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PREFECTURE_NAMES } from "../../src/kernel/personal-data/prefectures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { ask, bucket, errorCodes, KEY, META, organisation, setCompanyBudget, statisticsClient } from "./helpers";
import { plantCell, plantTarget, seedCrowds, type Target } from "./population";

/**
 * Attacks on the statistics API, each through the public GraphQL API, each aimed at a planted
 * target: the only customer in Tottori (80+, gender OTHER), who paid exactly 19,900 yen once.
 * Every test fails if the secret comes back, and would fail on a naive implementation
 * (no threshold, a hard threshold only, no noise, fresh noise per repeat, true remainders).
 */

let t: TestGateway;
let target: Target;
let n = 0;

/**
 * A fresh analyst client of a fresh organisation: every attack starts with a full allocation
 * (10 queries of ε = 1). Answers are public within the period, so an attack gains nothing
 * from asking what another already asked (attack: many clients, below).
 */
const analyst = async () => {
  const name = `attacker-${++n}`;
  await organisation(t, name, 10);
  return statisticsClient(t, name, name);
};

const NOT_TOTTORI = PREFECTURE_NAMES.filter((p) => p !== "Tottori");
const usage = (args: string) =>
  `query Attack @purpose(name: USAGE_STATISTICS) { statistics { serviceUsage${args ? `(${args})` : ""} { buckets { ${KEY} customers amountSum } ${META} noise { measure standardDeviation } } } }`;
const customers = (args: string) =>
  `query Attack @purpose(name: USAGE_STATISTICS) { statistics { customers(${args}) { buckets { ${KEY} customers } ${META} } } }`;
const list = (values: string[]) => JSON.stringify(values);
const sdOf = (answer: any, measure: string) => answer.noise.find((x: any) => x.measure === measure).standardDeviation as number;

/** The true (un-noised) amount of all active customers matching a SQL condition on c. */
async function trueAmount(where: string): Promise<number> {
  const [{ amount }] = await t.db.query(
    `SELECT coalesce(sum(su.amount), 0)::int AS amount FROM service_usage su JOIN customer c ON c.id = su.customer_id
      WHERE c.deleted_at IS NULL AND c.erased_at IS NULL AND ${where}`,
  );
  return amount;
}

beforeAll(async () => {
  process.env.STATS_EPSILON = "1";
  delete process.env.STATS_MIN_GROUP_SIZE;
  t = await startTestGateway();
  await seedCrowds(t.db);
  target = await plantTarget(t.db);
  await setCompanyBudget(t, 1000, 12_000);
});
afterAll(() => t?.stop());

describe("attack: reading a small cell", () => {
  it("never releases the target's bucket, however it is grouped or filtered", async () => {
    const key = await analyst();
    const answers = [
      await ask(t, key, customers(`groupBy: [PREFECTURE, AGE_BAND, GENDER], filter: { prefectures: ["Tottori"] }`)),
      await ask(t, key, usage(`groupBy: [PREFECTURE], filter: { prefectures: ["Tottori"] }`)),
      await ask(t, key, usage(`filter: { prefectures: ["Tottori"], ageBands: [AGE_80_PLUS], genders: [OTHER] }`)),
      await ask(t, key, usage(`groupBy: [REGION, SERVICE], filter: { regions: ["Chugoku"] }`)),
      await ask(t, key, customers(`groupBy: [SIGNUP_MONTH], filter: { signupMonth: { from: "2026-03", to: "2026-03" } }`)),
    ];
    for (const answer of answers) {
      expect(answer.buckets).toEqual([]); // a naive GROUP BY returns the target's row here
      expect(answer.suppressedBuckets).toBe(answer.possibleBuckets);
    }
    expect(JSON.stringify(answers)).not.toContain(String(target.amount));
  });
});

describe("attack: differencing (two filters that differ by the target alone)", () => {
  it("leaves the target's amount buried in noise far larger than it", async () => {
    const key = await analyst();
    const all = await ask(t, key, usage(""));
    const allButTottori = await ask(t, key, usage(`filter: { prefectures: ${list(NOT_TOTTORI)} }`));
    const [a, b] = [all.buckets[0], allButTottori.buckets[0]];
    const difference = a.amountSum - b.amountSum;
    expect(difference).not.toBe(target.amount); // exact without noise
    // each answer is noisy, not the truth
    expect(a.amountSum).not.toBe(await trueAmount("TRUE"));
    expect(b.amountSum).not.toBe(await trueAmount(`c.prefecture <> 'Tottori'`));
    // and the noise on the difference dwarfs what the attacker wants to learn
    const sdDifference = Math.hypot(sdOf(all, "amountSum"), sdOf(allButTottori, "amountSum"));
    expect(sdDifference).toBeGreaterThan(5 * target.amount);
  });
});

describe("attack: Denning's tracker, q(C) = q(C1) − q(C1 ∧ ¬C2)", () => {
  it("does not recover the target through a large tracker set", async () => {
    // C1 = gender OTHER (101 customers), C2 = Tottori; C = C1 ∧ C2 is the target alone
    const key = await analyst();
    const c1 = await ask(t, key, usage(`filter: { genders: [OTHER] }`));
    const c1NotC2 = await ask(t, key, usage(`filter: { genders: [OTHER], prefectures: ${list(NOT_TOTTORI)} }`));
    expect(c1.buckets).toHaveLength(1);
    expect(c1NotC2.buckets).toHaveLength(1);
    const tracked = c1.buckets[0].amountSum - c1NotC2.buckets[0].amountSum;
    expect(tracked).not.toBe(target.amount);
    expect(Math.hypot(sdOf(c1, "amountSum"), sdOf(c1NotC2, "amountSum"))).toBeGreaterThan(5 * target.amount);
  });
});

describe("attack: averaging repeated and reworded queries", () => {
  it("answers 200 identical queries identically, spending ε once: the average is the first answer", async () => {
    const key = await analyst();
    // (a signup range holding everyone: not the differencing attack's question, already answered)
    const query = usage(`filter: { prefectures: ${list(NOT_TOTTORI)}, signupMonth: { from: "1950-01", to: "2100-12" } }`);
    const answers = [];
    for (let i = 0; i < 200; i++) answers.push(await ask(t, key, query));
    const sums = new Set(answers.map((a) => a.buckets[0].amountSum));
    expect(sums.size).toBe(1); // fresh noise each time would average out to the truth
    expect(answers[0].epsilonSpent).toBe(1);
    expect(answers.slice(1).every((a) => a.epsilonSpent === 0 && a.repeated)).toBe(true);
    expect(answers[199].budgetRemaining).toBe(9);
  });

  it("gives twenty clients of twenty organisations one answer: averaging across clients gains nothing", async () => {
    const query = usage(`filter: { prefectures: ${list(NOT_TOTTORI)}, signupMonth: { from: "1960-01", to: "2100-12" } }`);
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push(await ask(t, await analyst(), query));
    expect(new Set(answers.map((a) => a.buckets[0].amountSum)).size).toBe(1);
    expect(answers.filter((a) => a.epsilonSpent > 0)).toHaveLength(1);
  });

  it("recognises equivalent rewrites as the same query (same answer, nothing spent)", async () => {
    const key = await analyst();
    const first = await ask(t, key, usage(`groupBy: [GENDER, REGION], filter: { regions: ["Kanto", "Kansai"] }`));
    const rewrites = [
      usage(`groupBy: [REGION, GENDER], filter: { regions: ["Kansai", "Kanto", "Kanto"] }`),
      usage(`groupBy: [GENDER, REGION], filter: { genders: [FEMALE, MALE, OTHER, UNDISCLOSED], regions: ["Kanto", "Kansai"] }`),
      usage(
        `groupBy: [GENDER, REGION], filter: { prefectures: ${list(PREFECTURE_NAMES.filter((p) => ["Osaka", "Kyoto", "Hyogo", "Nara", "Mie", "Shiga", "Wakayama", "Tokyo", "Kanagawa", "Saitama", "Chiba", "Ibaraki", "Tochigi", "Gunma"].includes(p)))} }`,
      ),
      usage(
        `groupBy: [GENDER, REGION], filter: { regions: ["Kanto", "Kansai", "Kyushu"], prefectures: ${list(NOT_TOTTORI.filter((p) => !["Fukuoka", "Saga", "Nagasaki", "Kumamoto", "Oita", "Miyazaki", "Kagoshima", "Okinawa"].includes(p)))} }`,
      ),
    ];
    for (const rewrite of rewrites) {
      const again = await ask(t, key, rewrite);
      expect(again.repeated).toBe(true);
      expect(again.epsilonSpent).toBe(0);
      expect(again.buckets).toEqual(first.buckets);
    }
    // the same through variables, aliases and fragments
    const res = await t.gql(
      `query Other($g: [StatisticsDimension!]!, $f: UsageStatisticsFilter) @purpose(name: USAGE_STATISTICS) {
         statistics { mine: serviceUsage(groupBy: $g, filter: $f) { ...b repeated } } }
       fragment b on UsageStatistics { buckets { ${KEY} customers amountSum } }`,
      { key, variables: { g: ["REGION", "GENDER"], f: { regions: ["Kanto", "Kansai"] } } },
    );
    expect(res.body.data.statistics.mine.repeated).toBe(true);
    expect(res.body.data.statistics.mine.buckets).toEqual(first.buckets);
  });

  it("makes every other rephrasing pay, until the budget refuses: averaging is bounded by the budget", async () => {
    const key = await analyst();
    const fresh: number[] = [];
    let refusedAt = -1;
    for (let i = 0; i < 30; i++) {
      // the same data (no use after 2026-06) asked with ever-longer ranges: a new query each time
      const to = `2027-${String(1 + (i % 12)).padStart(2, "0")}`;
      const res = await t.gql(
        usage(`filter: { prefectures: ${list(NOT_TOTTORI)}, usageMonth: { from: "${2000 - Math.floor(i / 12)}-01", to: "${to}" } }`),
        { key },
      );
      if (errorCodes(res).includes("PRIVACY_BUDGET_EXHAUSTED")) {
        refusedAt = i;
        break;
      }
      const answer = res.body.data.statistics.serviceUsage;
      expect(answer.epsilonSpent).toBe(1);
      fresh.push(answer.buckets[0].amountSum);
    }
    expect(refusedAt).toBe(10); // budget 10 / ε 1
    expect(fresh).toHaveLength(10);
    expect(new Set(fresh).size).toBeGreaterThan(1); // each rephrasing drew fresh noise, and paid for it
  });
});

describe("attack: intersecting overlapping group-bys and margins", () => {
  it("gets no exact remainder from a margin minus the released cells", async () => {
    const key = await analyst();
    const margin = await ask(t, key, usage(`groupBy: [GENDER]`));
    const cells = await ask(t, key, usage(`groupBy: [GENDER, PREFECTURE], filter: { genders: [OTHER] }`));
    const other = bucket(margin, { gender: "OTHER" });
    expect(other).toBeDefined();
    expect(cells.buckets.map((b: any) => b.key.prefecture)).toEqual(["Tokyo"]); // Tottori withheld
    const remainder = other.amountSum - cells.buckets.reduce((s: number, b: any) => s + b.amountSum, 0);
    expect(remainder).not.toBe(target.amount); // with a hard threshold and no noise this is exact
    expect(Math.hypot(sdOf(margin, "amountSum"), sdOf(cells, "amountSum"))).toBeGreaterThan(5 * target.amount);
    // no bucket anywhere holds the target's region or its cell
    const overlapping = [
      await ask(t, key, usage(`groupBy: [REGION]`)),
      await ask(t, key, usage(`groupBy: [REGION, AGE_BAND]`)),
      await ask(t, key, usage(`groupBy: [AGE_BAND, GENDER]`)),
    ];
    for (const answer of overlapping) {
      expect(answer.buckets.some((b: any) => b.key.region === "Chugoku")).toBe(false);
      expect(answer.buckets.some((b: any) => b.key.ageBand === "AGE_80_PLUS")).toBe(false);
    }
  });
});

describe("attack: the suppression oracle", () => {
  it("does not reveal who lifted a bucket to exactly k (a hard threshold alone would release it)", async () => {
    // nine customers in (Osaka, 30s, UNDISCLOSED); the tenth is the one the attacker asks about
    await plantCell(t.db, 9);
    await plantCell(t.db, 1, "Tenth");
    const key = await analyst();
    const answer = await ask(
      t,
      key,
      customers(`groupBy: [PREFECTURE, AGE_BAND, GENDER], filter: { prefectures: ["Osaka"], genders: [UNDISCLOSED] }`),
    );
    expect(bucket(answer, { prefecture: "Osaka", ageBand: "AGE_30_39", gender: "UNDISCLOSED" })).toBeUndefined();
    expect(answer.releaseThreshold).toBeGreaterThan(answer.minGroupSize + 10); // P(released at k) ≤ δ
  });

  it("reports the same number of withheld buckets whether the target exists or not", async () => {
    const query = customers(`groupBy: [PREFECTURE, GENDER]`);
    const withTarget = await ask(t, await analyst(), query);
    await t.db.query(`UPDATE customer SET deleted_at = now() WHERE id = $1`, [target.customer.id]);
    try {
      // the same grouping, reworded so it is not the stored answer (the signup range holds everyone)
      const withoutTarget = await ask(
        t,
        await analyst(),
        customers(`groupBy: [PREFECTURE, GENDER], filter: { signupMonth: { from: "1900-01", to: "2100-12" } }`),
      );
      expect(withoutTarget.repeated).toBe(false);
      // a count of non-empty withheld cells would drop by one here: (Tottori, OTHER) became empty
      expect(withoutTarget.suppressedBuckets).toBe(withTarget.suppressedBuckets);
      expect(withoutTarget.possibleBuckets).toBe(47 * 4);
      expect(withoutTarget.buckets.map((b: any) => b.key)).toEqual(withTarget.buckets.map((b: any) => b.key));
    } finally {
      await t.db.query(`UPDATE customer SET deleted_at = NULL WHERE id = $1`, [target.customer.id]);
    }
  });
});
