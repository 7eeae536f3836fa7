import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { insertConsent, insertVersion, registerAgreement, snapshotOfVersion, without } from "./consent-support";

/**
 * "A field that becomes reachable under a new purpose is not used for customers whose
 * consent predates that change": enforced in SQL from the stored versions' snapshots.
 *
 * History set up here: 2025.1 (effective 2025-01-01) did not make Customer.email and
 * Customer.prefecture reachable for INDIVIDUAL_AGREEMENT; 2026.1 (effective 2026-01-01,
 * recorded at start-up from the running schema) does. Hanako consented under 2025.1, Taro
 * under 2026.1, Ken under a version that does not exist.
 */
let t: TestGateway;
let survey: string;
let hanako: string;
let taro: string;
let ken: string;

const ids = async (selection: string, args = "first: 100") => {
  const res = await t.gql(
    `query Q @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "survey-2026") { customers(${args}) { ${selection} } }`,
    { key: survey },
  );
  expect(res.status).toBe(200);
  expect(res.body.errors).toBeUndefined();
  return (res.body.data.customers as Array<{ id: string }>).map((c) => c.id).sort();
};

beforeAll(async () => {
  t = await startTestGateway();
  survey = await t.client("survey-team", [Purpose.INDIVIDUAL_AGREEMENT]);
  const current = await snapshotOfVersion(t.db, "2026.1");
  await insertVersion(
    t.db,
    "2025.1",
    "2025-01-01T00:00:00Z",
    without(current, Purpose.INDIVIDUAL_AGREEMENT, "Customer.email", "Customer.prefecture"),
  );
  await registerAgreement(t.db, "survey-2026");
  hanako = (await insertCustomer(t.db, { fullName: "Sato Hanako", prefecture: "Osaka" })).id;
  taro = (await insertCustomer(t.db, { fullName: "Suzuki Taro", prefecture: "Osaka" })).id;
  ken = (await insertCustomer(t.db, { fullName: "Tanaka Ken", prefecture: "Osaka" })).id;
  await insertConsent(t.db, hanako, "survey-2026", "2025.1");
  await insertConsent(t.db, taro, "survey-2026", "2026.1");
  await insertConsent(t.db, ken, "survey-2026", "no-such-version");
});
afterAll(() => t?.stop());

describe("consent predating a field's reachability does not cover that field", () => {
  it("fields reachable in every version: every active consent covers them", async () => {
    expect(await ids("id fullName")).toEqual([hanako, taro, ken].sort());
  });

  it("Customer.email became reachable in 2026.1: only the consent given under 2026.1 covers it", async () => {
    expect(await ids("id email")).toEqual([taro]);
    expect(await ids("id fullName prefecture")).toEqual([taro]);
    const one = await t.gql(
      `query Q @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "survey-2026") { customer(id: "${hanako}") { email } }`,
      { key: survey },
    );
    expect(one.body).toEqual({ data: { customer: null } });
  });

  it("counts a field used only through a filter (an oracle) like a field read", async () => {
    // the filter reveals Customer.prefecture, reachable only since 2026.1, though no field selected is new
    expect(await ids("id fullName", `first: 100, filter: { prefecture: "Osaka" }`)).toEqual([taro]);
    expect(await ids("id fullName", `first: 100`)).toEqual([hanako, taro, ken].sort());
  });

  it("a consent naming an unknown version covers only fields that never changed (fail closed)", async () => {
    expect(await ids("id email")).not.toContain(ken);
    expect(await ids("id fullName")).toContain(ken);
  });

  it("renewing under the newer version makes the field usable for her on the next query", async () => {
    await t.db.query(`UPDATE consent SET withdrawn_at = now() WHERE customer_id = $1`, [hanako]);
    await insertConsent(t.db, hanako, "survey-2026", "2026.1");
    expect(await ids("id email")).toEqual([hanako, taro].sort());
  });
});

describe("a field the running code allows but no version in force does", () => {
  it("reaches no one until a version that allows it is published (an unpublished change)", async () => {
    // 2026.2, in force since yesterday, dropped email for INDIVIDUAL_AGREEMENT; the running code still allows it
    const current = await snapshotOfVersion(t.db, "2026.1");
    await insertVersion(
      t.db,
      "2026.2",
      new Date(Date.now() - 86_400_000).toISOString(),
      without(current, Purpose.INDIVIDUAL_AGREEMENT, "Customer.email"),
    );
    await t.db.query(`UPDATE consent SET withdrawn_at = now() WHERE customer_id = $1`, [ken]);
    await insertConsent(t.db, ken, "survey-2026", "2026.2"); // even a consent under the version in force
    expect(await ids("id email")).toEqual([]);
    expect(await ids("id fullName")).toEqual([hanako, taro, ken].sort());
  });
});
