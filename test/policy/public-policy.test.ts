import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensurePolicyVersion } from "../../src/features/policy/bootstrap";
import { snapshotOf } from "../../src/features/policy/field-snapshot";
import { PolicyStore } from "../../src/features/policy/policy-store";
import { ALL_PURPOSES, PURPOSE_CLAUSES } from "../../src/kernel/purposes/purpose";
import { codes, startTestGateway, type TestGateway } from "../support/test-gateway";
import { registerAgreement } from "../consent/consent-support";

/** The public policy query (Section 5): the website reads the agreement and its changes, no key needed. */
let t: TestGateway;
const agreementText = readFileSync(path.resolve(__dirname, "../../src/features/policy/texts/2026.1.txt"), "utf8");

const POLICY = `{
  privacyPolicy {
    current { version effectiveAt status textSha256 changeSummary purposes { purpose clause text } grounds { clause text } }
    upcoming { version effectiveAt status changeSummary }
    changeLog { version effectiveAt status summary textSha256 changedClauses }
    individualAgreements { key title description introducedIn }
  }
}`;

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t?.stop());

describe("the first version is recorded at start-up", () => {
  it("is the company's agreement, as shipped in src/policy/texts (same text as the shared original)", () => {
    const shared = "/work/shared/personal-information-handling-agreement.txt";
    let original: string | null = null;
    try {
      original = readFileSync(shared, "utf8");
    } catch {
      // CI has no /work/shared: the shipped copy is the reference there
    }
    if (original !== null) expect(agreementText).toBe(original);
    expect(agreementText).toContain("Section 5: Change of Terms");
  });

  it("stores version 2026.1 with the text's hash and the running schema's field policy", async () => {
    const stored = await new PolicyStore(t.db).get("2026.1");
    expect(stored).not.toBeNull();
    expect(stored!.text).toBe(agreementText);
    expect(stored!.textSha256).toBe(createHash("sha256").update(agreementText, "utf8").digest("hex"));
    expect(stored!.fieldPolicy).toEqual(snapshotOf(t.gateway.gate.policy));
    expect(stored!.fieldPolicy["Customer.birthDate"]).toEqual(["DATA_SUBJECT_REQUEST"]);
  });

  it("is idempotent: starting again records nothing new", async () => {
    await ensurePolicyVersion(t.db, t.gateway.gate.policy);
    await ensurePolicyVersion(t.db, t.gateway.gate.policy);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM policy_version`);
    expect(n).toBe(1);
  });
});

describe("privacyPolicy: public, no key and no purpose", () => {
  it("returns the version in force, its purposes and grounds with their texts, and the change log", async () => {
    await registerAgreement(t.db, "survey-2026", "Customer survey 2026");
    const res = await t.gql(POLICY);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const policy = res.body.data.privacyPolicy;
    expect(policy.current).toMatchObject({
      version: "2026.1",
      effectiveAt: "2026-01-01T00:00:00.000Z",
      status: "IN_FORCE",
      textSha256: createHash("sha256").update(agreementText, "utf8").digest("hex"),
    });
    expect(policy.current.purposes).toEqual(
      ALL_PURPOSES.map((p) => ({ purpose: p, clause: PURPOSE_CLAUSES[p].clause, text: PURPOSE_CLAUSES[p].text })),
    );
    expect(policy.current.grounds.map((g: any) => g.clause)).toEqual(["3.1", "3.2", "3.3", "3.4", "3.5"]);
    expect(policy.current.grounds[0]).toEqual({ clause: "3.1", text: "When the Customer Agrees" });
    expect(policy.upcoming).toEqual([]);
    expect(policy.changeLog).toEqual([
      expect.objectContaining({
        version: "2026.1",
        status: "IN_FORCE",
        changedClauses: [],
        summary: expect.stringContaining("First published"),
      }),
    ]);
    expect(policy.individualAgreements).toEqual([
      { key: "survey-2026", title: "Customer survey 2026", description: "What survey-2026 is about.", introducedIn: "2026.1" },
    ]);
  });

  it("announces an upcoming version and what it changes, newest first in the change log", async () => {
    const changed = agreementText.replace(
      "In order to use it for the purpose for which we have separately contacted the customer and accepted individually",
      "In order to use it for the purpose for which we have separately contacted the customer and which the customer accepted individually in writing",
    );
    expect(changed).not.toBe(agreementText);
    await new PolicyStore(t.db).publish({
      version: "2027.1",
      effectiveAt: new Date(Date.now() + 30 * 86_400_000),
      text: changed,
      changeSummary: "Individual agreements are now accepted in writing.",
      fieldPolicy: snapshotOf(t.gateway.gate.policy),
    });
    const res = await t.gql(POLICY);
    const policy = res.body.data.privacyPolicy;
    expect(policy.current.version).toBe("2026.1");
    expect(policy.upcoming).toEqual([
      expect.objectContaining({
        version: "2027.1",
        status: "UPCOMING",
        changeSummary: "Individual agreements are now accepted in writing.",
      }),
    ]);
    expect(policy.changeLog.map((c: any) => [c.version, c.status, c.changedClauses])).toEqual([
      ["2027.1", "UPCOMING", ["1.7"]],
      ["2026.1", "IN_FORCE", []],
    ]);
  });

  it("returns one version's full text by its number", async () => {
    const res = await t.gql(
      `{ policyVersion(version: "2026.1") { version text textSha256 } missing: policyVersion(version: "1999.1") { version } }`,
    );
    expect(res.status).toBe(200);
    expect(res.body.data.policyVersion.text).toBe(agreementText);
    expect(res.body.data.missing).toBeNull();
  });

  it("gives anonymous callers nothing personal in the same operation", async () => {
    const res = await t.gql(`{ privacyPolicy { current { version } } customers { id } }`);
    expect(res.status).toBe(401);
    expect(codes(res)).toEqual(["UNAUTHENTICATED"]);
    expect(res.body.data).toBeUndefined();
  });
});

describe("the history is append-only", () => {
  it("refuses to change or delete a published version", async () => {
    await expect(t.db.query(`UPDATE policy_version SET change_summary = 'rewritten' WHERE version = '2026.1'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.db.query(`DELETE FROM policy_version WHERE version = '2026.1'`)).rejects.toThrow(/append-only/);
  });

  it("refuses a version that does not take effect after the latest", async () => {
    await expect(
      new PolicyStore(t.db).publish({
        version: "2026.9",
        effectiveAt: new Date("2026-06-01T00:00:00Z"),
        text: agreementText,
        changeSummary: "x",
        fieldPolicy: {},
      }),
    ).rejects.toThrow(/must take effect after 2027.1/);
  });

  it("refuses a text whose purposes do not match the code's", async () => {
    const extra = agreementText.replace("  7. 7. In order to use it", "  8. 8. In order to sell it\n  7. 7. In order to use it");
    await expect(
      new PolicyStore(t.db).publish({
        version: "2028.1",
        effectiveAt: new Date("2028-01-01T00:00:00Z"),
        text: extra,
        changeSummary: "x",
        fieldPolicy: {},
      }),
    ).rejects.toThrow(/clause 1.8 .* has no purpose in the code/);
    const missing = agreementText.replace(/ {2}6\. 6\.[^\n]*\n/, "");
    await expect(
      new PolicyStore(t.db).publish({
        version: "2028.1",
        effectiveAt: new Date("2028-01-01T00:00:00Z"),
        text: missing,
        changeSummary: "x",
        fieldPolicy: {},
      }),
    ).rejects.toThrow(/USAGE_STATISTICS \(clause 1.6\) is missing/);
  });
});
