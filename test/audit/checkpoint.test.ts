import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { runCli } from "../support/processes";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { tamper as tamperWith } from "./tamper";

/** `audit checkpoint` and `audit verify --checkpoint / --from-checkpoint`, as an operator runs them. */
let t: TestGateway;
let shop: string;
const dir = mkdtempSync(path.join(tmpdir(), "pgw-checkpoint-"));
const keyFile = path.join(dir, "checkpoint-key.pem");
const otherKeyFile = path.join(dir, "other-key.pem");

const audit = (args: string[], env: Record<string, string> = {}) => runCli("audit", args, { DATABASE_URL: inject("databaseUrl"), ...env });
const tamper = (sql: string, params: unknown[] = []) => tamperWith(t.db, sql, params);
const request = async (n: number) => {
  for (let i = 0; i < n; i++)
    expect((await t.gql(`query C${i} @purpose(name: SERVICE_PROVISION) { customers { fullName } }`, { key: shop })).status).toBe(200);
};

beforeAll(async () => {
  t = await startTestGateway();
  shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  await insertCustomer(t.db);
  await request(6);
  for (const file of [keyFile, otherKeyFile]) {
    writeFileSync(file, generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }) as string);
  }
});
afterAll(() => t?.stop());

describe("checkpoints outside the database", () => {
  it("a cut-off tail passes a plain verify but not a verify against the checkpoint", async () => {
    const file = path.join(dir, "head.json");
    const made = await audit(["checkpoint", "--out", file]);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^checkpoint at event 6 [0-9a-f]{64} \(unsigned\)/);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ format: "purpose-gateway/audit-checkpoint@1", seq: "6" });
    expect((await audit(["verify", "--checkpoint", file])).stdout).toMatch(/chain intact: 6 events, .*reaches checkpoint 6/);

    // the intruder deletes the last events and the checkpoint rows that name them
    const saved = await t.db.query(`SELECT * FROM audit_chain WHERE seq >= 5 ORDER BY seq`);
    await tamper(`DELETE FROM audit_chain WHERE seq >= 5`);
    await tamper(`DELETE FROM audit_checkpoint`);
    try {
      const plain = await audit(["verify"]);
      expect(plain.code).toBe(0); // what is left is a consistent chain: only an outside head shows the cut
      expect(plain.stdout).toMatch(/chain intact: 4 events/);
      const against = await audit(["verify", "--checkpoint", file]);
      expect(against.code).toBe(1);
      expect(against.stdout).toMatch(
        /^BROKEN at event 6: the chain ends at event 4, before the checkpoint's head 6: its tail was cut off/m,
      );
      const fromIt = await audit(["verify", "--checkpoint", file, "--from-checkpoint"]);
      expect(fromIt.code).toBe(1);
      expect(fromIt.stdout).toMatch(/BROKEN at event 6: .*missing/);
    } finally {
      for (const row of saved) {
        const columns = Object.keys(row);
        await tamper(
          `INSERT INTO audit_chain (${columns.join(",")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(",")})`,
          columns.map((c) => row[c]),
        );
      }
    }
    expect((await audit(["verify", "--checkpoint", file])).code).toBe(0);
  });

  it("a chain rewritten up to the checkpoint's head (new links, same length) fails against it", async () => {
    const file = path.join(dir, "head-rewritten.json");
    expect((await audit(["checkpoint", "--out", file])).code).toBe(0);
    const [last] = await t.db.query(`SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1`);
    await tamper(`UPDATE audit_chain SET hash = sha256(hash) WHERE seq = $1`, [last.seq]);
    try {
      const report = await audit(["verify", "--checkpoint", file, "--json"]);
      expect(report.code).toBe(1);
      expect(JSON.parse(report.stdout).broken).toMatchObject({ seq: String(last.seq) });
    } finally {
      await tamper(`UPDATE audit_chain SET hash = $2 WHERE seq = $1`, [last.seq, last.hash]);
    }
  });

  it("--from-checkpoint verifies only the events after the last checkpoint, and still catches tampering there", async () => {
    expect((await audit(["checkpoint"])).code).toBe(0);
    const [{ head }] = await t.db.query(`SELECT max(seq)::int AS head FROM audit_chain`);
    await request(3);
    const fromLast = await audit(["verify", "--from-checkpoint"]);
    expect(fromLast.code).toBe(0);
    expect(fromLast.stdout).toMatch(new RegExp(`^chain intact: 3 events after checkpoint ${head}, head ${head + 3} `));

    const [{ customer_ids }] = await t.db.query(`SELECT customer_ids FROM audit_chain WHERE seq = $1`, [head + 2]);
    await tamper(`UPDATE audit_chain SET customer_ids = '{}' WHERE seq = $1`, [head + 2]);
    try {
      const broken = await audit(["verify", "--from-checkpoint"]);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toMatch(
        new RegExp(`^BROKEN at event ${head + 2}: .*altered\\) \\(1 events verified after checkpoint ${head} before it\\)`, "m"),
      );
    } finally {
      await tamper(`UPDATE audit_chain SET customer_ids = $2 WHERE seq = $1`, [head + 2, customer_ids]);
    }
  });

  it("with a key, checkpoints are signed and a forged or unsigned checkpoint is refused", async () => {
    const env = { AUDIT_CHECKPOINT_KEY_FILE: keyFile };
    const file = path.join(dir, "signed.json");
    const made = await audit(["checkpoint", "--out", file], env);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/\(signed\)/);
    expect((await audit(["verify", "--checkpoint", file, "--from-checkpoint"], env)).code).toBe(0);

    const signed = JSON.parse(readFileSync(file, "utf8"));
    const forged = path.join(dir, "forged.json");
    writeFileSync(forged, JSON.stringify({ ...signed, seq: "2" }));
    const refused = await audit(["verify", "--checkpoint", forged], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/signature does not verify/);

    const unsigned = path.join(dir, "unsigned.json");
    writeFileSync(unsigned, JSON.stringify({ ...signed, signature: null }));
    expect((await audit(["verify", "--checkpoint", unsigned], env)).stderr).toMatch(/not signed/);

    // a checkpoint row written into the database by someone without the key is not a starting point
    await t.db.query(`INSERT INTO audit_checkpoint (seq, hash) SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1`);
    const fromForged = await audit(["verify", "--from-checkpoint"], env);
    expect(fromForged.code).toBe(1);
    expect(fromForged.stderr).toMatch(/cannot be trusted: the checkpoint is not signed/);
    // a new checkpoint starts from the newest one it can trust (none under another key: from the genesis)
    const other = await audit(["checkpoint"], { AUDIT_CHECKPOINT_KEY_FILE: otherKeyFile });
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(/\(signed\)/);
    // a file signed with the first key does not verify under another
    expect((await audit(["verify", "--checkpoint", file], { AUDIT_CHECKPOINT_KEY_FILE: otherKeyFile })).stderr).toMatch(/does not verify/);
  });

  it("refuses a file that is not a checkpoint, and a bad key file at start-up, with clear messages", async () => {
    const junk = path.join(dir, "junk.json");
    writeFileSync(junk, JSON.stringify({ seq: 1 }));
    const res = await audit(["verify", "--checkpoint", junk]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/not a checkpoint file/);
    const badKey = await audit(["verify"], { AUDIT_CHECKPOINT_KEY_FILE: path.join(dir, "nope.pem") });
    expect(badKey.code).not.toBe(0);
    expect(badKey.stderr).toMatch(/AUDIT_CHECKPOINT_KEY_FILE must be a readable file/);
  });
});
