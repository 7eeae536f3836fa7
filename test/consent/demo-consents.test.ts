import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoConsents } from "../../src/seed/demo-consents";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { seedDemoData } from "../../src/seed/demo-data";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/** The demo's individual agreement: consents for a tenth of the customers, reachable under INDIVIDUAL_AGREEMENT. */
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
  await seedDemoData(t.db, { customers: 300 });
});
afterAll(() => t?.stop());

describe("seedDemoConsents", () => {
  it("records consents once, under the version in force, and the survey team reaches exactly those customers", async () => {
    const seeded = await seedDemoConsents(t.db);
    expect(seeded).toBeGreaterThan(20);
    expect(await seedDemoConsents(t.db)).toBe(0);
    const key = await t.client("survey-team", [Purpose.INDIVIDUAL_AGREEMENT]);
    const res = await t.gql(
      `query Survey @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "survey-2026") { customers(first: 100) { fullName email } }`,
      { key },
    );
    expect(res.status).toBe(200);
    expect(res.body.data.customers).toHaveLength(Math.min(seeded, 100));
    const [{ versions }] = await t.db.query(`SELECT array_agg(DISTINCT policy_version) AS versions FROM consent`);
    expect(versions).toEqual(["2026.1"]);
  });
});
