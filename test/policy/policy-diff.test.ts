import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareSnapshots, snapshotOf } from "../../src/features/policy/field-snapshot";
import { diffPolicies, formatDiff } from "../../src/features/policy/policy-diff";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { cli } from "../support/cli";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { insertConsent, insertVersion, registerAgreement, snapshotOfVersion, without } from "../consent/consent-support";

/**
 * Comparing versions of the schema and policy (Section 5): per purpose, the fields that
 * became reachable or unreachable, and the consents that need renewing.
 *
 * History set up here: 2025.1 (effective 2025-01-01) did not make Customer.email reachable
 * for INDIVIDUAL_AGREEMENT and made Customer.phone reachable for NOTIFICATION; 2026.1 is the
 * running schema's policy. Consents to survey-2026: two under 2025.1 (one withdrawn), one
 * under 2026.1; one to a retired agreement under 2025.1.
 */
const policy = cli("policy");

let t: TestGateway;
let current: Record<string, string[]>;

beforeAll(async () => {
  t = await startTestGateway();
  current = await snapshotOfVersion(t.db, "2026.1");
  const old = without(current, Purpose.INDIVIDUAL_AGREEMENT, "Customer.email");
  old["Customer.phone"] = [...old["Customer.phone"], Purpose.NOTIFICATION];
  await insertVersion(t.db, "2025.1", "2025-01-01T00:00:00Z", old);
  await registerAgreement(t.db, "survey-2026");
  await registerAgreement(t.db, "old-survey");
  const customers = [];
  for (let i = 0; i < 4; i++) customers.push((await insertCustomer(t.db)).id);
  await insertConsent(t.db, customers[0], "survey-2026", "2025.1");
  await insertConsent(t.db, customers[1], "survey-2026", "2025.1", new Date());
  await insertConsent(t.db, customers[2], "survey-2026", "2026.1");
  await insertConsent(t.db, customers[3], "old-survey", "2025.1");
  await t.db.query(`UPDATE individual_agreement SET retired_at = now() WHERE key = 'old-survey'`);
});
afterAll(() => t?.stop());

describe("compareSnapshots", () => {
  it("lists, per purpose, the coordinates that became reachable and unreachable", () => {
    const changes = compareSnapshots(
      { "Customer.email": ["SERVICE_PROVISION"], "Customer.phone": ["SERVICE_PROVISION", "NOTIFICATION"] } as any,
      {
        "Customer.email": ["SERVICE_PROVISION", "INDIVIDUAL_AGREEMENT"],
        "Customer.phone": ["SERVICE_PROVISION"],
        "Customer.nickname": ["NOTIFICATION"],
      } as any,
    );
    const of = (p: Purpose) => changes.find((c) => c.purpose === p)!;
    expect(of(Purpose.INDIVIDUAL_AGREEMENT)).toEqual({
      purpose: Purpose.INDIVIDUAL_AGREEMENT,
      reachable: ["Customer.email"],
      unreachable: [],
    });
    expect(of(Purpose.NOTIFICATION)).toEqual({
      purpose: Purpose.NOTIFICATION,
      reachable: ["Customer.nickname"],
      unreachable: ["Customer.phone"],
    });
    expect(of(Purpose.SERVICE_PROVISION)).toEqual({ purpose: Purpose.SERVICE_PROVISION, reachable: [], unreachable: [] });
  });

  it("finds no difference between the running schema and the version recorded from it", () => {
    expect(
      compareSnapshots(current as any, snapshotOf(t.gateway.gate.policy)).every((c) => !c.reachable.length && !c.unreachable.length),
    ).toBe(true);
  });
});

describe("diffPolicies", () => {
  it("reports per purpose what changed and which consents need renewing", async () => {
    const diff = await diffPolicies(t.db, "2025.1", "2026.1", async () => snapshotOf(t.gateway.gate.policy));
    const of = (p: Purpose) => diff.purposes.find((c) => c.purpose === p)!;
    expect(of(Purpose.INDIVIDUAL_AGREEMENT)).toEqual({
      purpose: Purpose.INDIVIDUAL_AGREEMENT,
      reachable: ["Customer.email"],
      unreachable: [],
      needsConsent: true,
      // the withdrawn consent, the one under 2026.1 and the retired agreement's are not listed
      renewals: [{ agreement: "survey-2026", policyVersion: "2025.1", consents: 1 }],
    });
    expect(of(Purpose.NOTIFICATION)).toMatchObject({ reachable: [], unreachable: ["Customer.phone"], needsConsent: false, renewals: [] });
    expect(of(Purpose.SERVICE_PROVISION)).toMatchObject({ reachable: [], unreachable: [] });
    expect(diff.changedClauses).toEqual([]);
    expect(diff.from).toMatchObject({ ref: "2025.1", version: "2025.1" });
  });

  it("the reverse direction needs no renewals (fields only became unreachable)", async () => {
    const diff = await diffPolicies(t.db, "2026.1", "2025.1", async () => current as any);
    const ia = diff.purposes.find((c) => c.purpose === Purpose.INDIVIDUAL_AGREEMENT)!;
    expect(ia).toMatchObject({ reachable: [], unreachable: ["Customer.email"], renewals: [] });
  });

  it("compares against the running code (`current`)", async () => {
    const diff = await diffPolicies(t.db, "2025.1", "current", async () => snapshotOf(t.gateway.gate.policy));
    expect(diff.to).toMatchObject({ ref: "current", version: null, textSha256: null });
    expect(diff.purposes.find((c) => c.purpose === Purpose.INDIVIDUAL_AGREEMENT)!.renewals).toEqual([
      { agreement: "survey-2026", policyVersion: "2025.1", consents: 1 },
    ]);
    const text = formatDiff(diff);
    expect(text).toContain("Policy 2025.1 → current");
    expect(text).toContain("INDIVIDUAL_AGREEMENT (1.7, needs each customer's consent)");
    expect(text).toContain("  + Customer.email  became reachable");
    expect(text).toContain("    survey-2026 under 2025.1: 1");
    expect(text).toContain("NOTIFICATION (1.4)\n  - Customer.phone  became unreachable");
    expect(text).toContain("SERVICE_PROVISION (1.1): no change");
    expect(text).toContain("1 field(s) became reachable, 1 unreachable; 1 consent(s) need renewing.");
  });

  it("refuses an unknown version", async () => {
    await expect(diffPolicies(t.db, "1999.1", "current", async () => current as any)).rejects.toThrow(/no policy version "1999.1"/);
  });
});

/** The compiled CLI (`npm test` builds first), against the test database. */
describe("npm run policy", () => {
  it("diff prints per purpose the fields that became reachable/unreachable and the consents to renew", async () => {
    const { stdout } = await policy("diff", "2025.1", "2026.1");
    expect(stdout).toContain("Policy 2025.1 → 2026.1");
    expect(stdout).toMatch(/from: 2025\.1 \(effective 2025-01-01, text sha256 [0-9a-f]{12}…\)/);
    expect(stdout).toContain("  + Customer.email  became reachable");
    expect(stdout).toContain("  - Customer.phone  became unreachable");
    expect(stdout).toContain(
      "consents to renew (given under a version that did not make these fields reachable; until renewed they do not cover them): 1",
    );
    expect(stdout).toContain("    survey-2026 under 2025.1: 1");
  });

  it("diff --json against the running code", async () => {
    const { stdout } = await policy("diff", "2026.1", "current", "--json");
    const diff = JSON.parse(stdout);
    expect(diff.to.ref).toBe("current");
    expect(diff.purposes.every((p: any) => p.reachable.length === 0 && p.unreachable.length === 0)).toBe(true);
  });

  it("list shows the versions, the one in force marked", async () => {
    const { stdout } = await policy("list", "--json");
    const versions = JSON.parse(stdout);
    expect(versions.map((v: any) => [v.version, v.status])).toEqual([
      ["2025.1", "superseded"],
      ["2026.1", "in force"],
    ]);
  });

  it("publish records a new version from a text file with the running schema's policy; refuses the past", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pgw-policy-"));
    const file = path.join(dir, "2027.1.txt");
    writeFileSync(
      file,
      readFileSync(path.resolve(__dirname, "../../src/features/policy/texts/2026.1.txt"), "utf8") + "\n\nEffective from 1 January 2027.",
    );
    await expect(
      policy("publish", "2026.5", "--text", file, "--summary", "Backdated", "--effective", "2026-06-01T00:00:00Z"),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("cannot take effect retroactively"),
    });
    const { stdout } = await policy(
      "publish",
      "2027.1",
      "--text",
      file,
      "--summary",
      "Effective date stated in the text.",
      "--effective",
      "2027-01-01T00:00:00Z",
    );
    expect(stdout).toMatch(/published 2027\.1, effective 2027-01-01T00:00:00Z\nsha256 [0-9a-f]{64}/);
    const stored = await snapshotOfVersion(t.db, "2027.1");
    expect(stored).toEqual(snapshotOf(t.gateway.gate.policy));
    const res = await t.gql(`{ privacyPolicy { upcoming { version changeSummary } } }`);
    expect(res.body.data.privacyPolicy.upcoming).toEqual([{ version: "2027.1", changeSummary: "Effective date stated in the text." }]);
    await expect(
      policy("publish", "2027.1", "--text", file, "--summary", "again", "--effective", "2028-01-01T00:00:00Z"),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("already exists"),
    });
  });

  it("agreement add / list / retire", async () => {
    const { stdout } = await policy("agreement", "add", "cli-survey", "--title", "CLI survey", "--description", "Answers to a survey");
    expect(stdout).toContain("registered cli-survey");
    const survey = await t.client("cli-survey-team", [Purpose.INDIVIDUAL_AGREEMENT]);
    const q = `query Q @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "cli-survey") { customers { id } }`;
    expect((await t.gql(q, { key: survey })).status).toBe(200);
    const list = JSON.parse((await policy("agreement", "list", "--json")).stdout);
    expect(list.find((a: any) => a.key === "cli-survey")).toMatchObject({ title: "CLI survey", introducedIn: "2026.1", retiredAt: null });
    await policy("agreement", "retire", "cli-survey");
    expect((await t.gql(q, { key: survey })).status).toBe(400);
    await expect(policy("agreement", "add", "Bad Key", "--title", "x")).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("invalid agreement key"),
    });
  });

  it("on an empty history records the first version, as the gateway does at start-up", async () => {
    await t.db.query(`TRUNCATE policy_version CASCADE`);
    const { stdout, stderr } = await policy("list", "--json");
    expect(stderr).toContain("recorded the first policy version 2026.1");
    expect(JSON.parse(stdout).map((v: any) => v.version)).toEqual(["2026.1"]);
    expect(await snapshotOfVersion(t.db, "2026.1")).toEqual(snapshotOf(t.gateway.gate.policy));
  });
});
