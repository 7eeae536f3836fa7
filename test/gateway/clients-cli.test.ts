import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/cli";
import { codes, eventually, startTestGateway, type TestGateway } from "../support/test-gateway";

/** The clients CLI (compiled: `npm test` builds first), against the test database. */
const clients = cli("clients");

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t?.stop());

describe("clients CLI", () => {
  it("creates a client and prints only its key with --key-only; the key works once created", async () => {
    const { stdout } = await clients("create", "cli-shop", "--purposes", "SERVICE_PROVISION,NOTIFICATION", "--key-only");
    const key = stdout.trim();
    expect(key).toMatch(/^pgw_[A-Za-z0-9_-]{43}$/);
    const res = await t.gql(`{ viewer { name grantedPurposes } }`, { key });
    expect(res.body.data.viewer).toEqual({ name: "cli-shop", grantedPurposes: ["SERVICE_PROVISION", "NOTIFICATION"] });
    const [row] = await t.db.query(`SELECT key_hash FROM api_client WHERE name = 'cli-shop'`);
    expect(row.key_hash).not.toContain(key.slice(4, 20)); // only the hash is stored
  });

  it("lists clients without their keys", async () => {
    const { stdout } = await clients("list", "--json");
    const list = JSON.parse(stdout);
    expect(list.map((c: any) => c.name)).toContain("cli-shop");
    expect(stdout).not.toMatch(/pgw_[A-Za-z0-9_-]{43}/);
  });

  it("revokes a client: its key stops working on the next request", async () => {
    const { stdout } = await clients("create", "cli-temp", "--purposes", "SERVICE_PROVISION", "--key-only");
    const key = stdout.trim();
    expect((await t.gql(`{ viewer { name } }`, { key })).status).toBe(200);
    await clients("revoke", "cli-temp");
    await eventually(async () => {
      const res = await t.gql(`{ viewer { name } }`, { key });
      expect(res.status).toBe(401);
      expect(codes(res)).toEqual(["UNAUTHENTICATED"]);
    });
  });

  it("refuses an unknown purpose with a clear message and a non-zero exit", async () => {
    await expect(clients("create", "cli-bad", "--purposes", "MARKETING")).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("unknown purpose(s): MARKETING"),
    });
  });
});
