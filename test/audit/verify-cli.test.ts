import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { cli } from "../support/cli";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { tamper as tamperWith } from "./tamper";

/** `npm run audit -- verify` (compiled: `npm test` builds first), against the test database. */
const auditCli = cli("audit");

/** Runs the CLI; resolves with its exit code and output whatever the exit code. */
async function audit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await auditCli(...args);
    return { code: 0, stdout, stderr };
  } catch (error: any) {
    if (typeof error.code !== "number") throw error; // not an exit: the CLI did not run
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

let t: TestGateway;

const tamper = (sql: string, params: unknown[] = []) => tamperWith(t.db, sql, params);

beforeAll(async () => {
  expect(existsSync(auditCli.script), `${auditCli.script} is missing: build first (npm test runs the build)`).toBe(true);
  t = await startTestGateway();
  const shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  await insertCustomer(t.db);
  await insertCustomer(t.db);
  for (let i = 0; i < 4; i++) {
    const res = await t.gql(`query Q${i} @purpose(name: SERVICE_PROVISION) { customers { fullName } }`, { key: shop });
    expect(res.status).toBe(200);
  }
  await t.gql(`query R @purpose(name: SERVICE_PROVISION) { customers { birthDate } }`, { key: shop }); // a refusal is an event too
  const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_event`);
  expect(n).toBe(5);
});
afterAll(() => t?.stop());

describe("audit verify (CLI)", () => {
  it("reports an intact chain with exit 0, naming the head", async () => {
    const [head] = await t.db.query(`SELECT seq::text AS seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1`);
    const { code, stdout } = await audit("verify");
    expect(code).toBe(0);
    expect(stdout).toMatch(/intact/);
    expect(stdout).toContain(`chain intact: 5 events, head ${head.seq} ${head.hash}`);
  });

  it("reports an altered event with exit 1 and names it; intact again once restored", async () => {
    const [{ customer_ids }] = await t.db.query(`SELECT customer_ids FROM audit_chain WHERE seq = 3`);
    expect(customer_ids.length).toBe(2);
    await tamper(`UPDATE audit_chain SET customer_ids = '{}' WHERE seq = 3`);
    try {
      const { code, stdout } = await audit("verify");
      expect(code).toBe(1);
      expect(stdout).toMatch(/^BROKEN at event 3: .*altered/m);
      expect(stdout).toContain("2 events verified before it");
      expect(stdout).not.toMatch(/intact/);

      const asJson = await audit("verify", "--json");
      expect(asJson.code).toBe(1);
      expect(JSON.parse(asJson.stdout)).toMatchObject({ ok: false, checked: 2, broken: { seq: "3" } });
    } finally {
      await tamper(`UPDATE audit_chain SET customer_ids = $1 WHERE seq = 3`, [customer_ids]);
    }
    const restored = await audit("verify");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/intact/);
  });

  it("reports a deleted event with exit 1 and names the missing one", async () => {
    const [saved] = await t.db.query(`SELECT * FROM audit_chain WHERE seq = 4`);
    await tamper(`DELETE FROM audit_chain WHERE seq = 4`);
    try {
      const { code, stdout } = await audit("verify");
      expect(code).toBe(1);
      expect(stdout).toMatch(/^BROKEN at event 4: event 4 is missing/m);
    } finally {
      const columns = Object.keys(saved);
      await tamper(
        `INSERT INTO audit_chain (${columns.join(",")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(",")})`,
        columns.map((c) => saved[c]),
      );
    }
    expect((await audit("verify")).code).toBe(0);
  });
});
