import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { verifyChain } from "../../src/features/audit/verify-chain";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { post, spawnGateway, type GatewayProcess } from "../support/processes";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { lastSeq } from "../disclosure/recipient-fixtures";

/**
 * Several gateway processes on one PostgreSQL append to one chain. Formerly each process
 * guessed the next sequence number, lost the race under load and, after 8 tries, answered
 * 503 AUDIT_UNAVAILABLE; now their batches queue on the chain head inside PostgreSQL.
 */
const PROCESSES = 3;
const REQUESTS_EACH = 150;
const CONCURRENCY_EACH = 10;

let t: TestGateway;
let gateways: GatewayProcess[] = [];
let urls: string[];
let key: string;
let customerIds: string[];

beforeAll(async () => {
  t = await startTestGateway(); // migrates and empties the store
  key = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  customerIds = [];
  for (let i = 0; i < 10; i++) customerIds.push((await insertCustomer(t.db)).id);
  gateways = Array.from({ length: PROCESSES }, () => spawnGateway({ DATABASE_URL: inject("databaseUrl") }));
  urls = await Promise.all(gateways.map((g) => g.ready));
}, 60_000);
afterAll(async () => {
  for (const g of gateways) {
    g.child.kill("SIGTERM");
    await g.exited;
  }
  await t?.stop();
});

describe(`${PROCESSES} gateway processes on one database`, () => {
  it("serve concurrent load with every response audited: no 503, one gap-free chain that verifies", async () => {
    const before = await lastSeq(t);
    const statuses: number[] = [];
    const failures: string[] = [];
    const seqs: string[] = [];
    const drive = async (url: string, g: number) => {
      let next = 0;
      const worker = async () => {
        while (next < REQUESTS_EACH) {
          const i = next++;
          // half the operations are the same in every process (the same shapes, each first stored by whichever process comes first), half their own
          const name = i % 2 === 0 ? "Same" : `G${g}N${i}`;
          const res = await post(
            url,
            `query ${name} @purpose(name: SERVICE_PROVISION) { customer(id: "${customerIds[i % 10]}") { fullName } }`,
            key,
          );
          statuses.push(res.status);
          if (res.status !== 200) failures.push(JSON.stringify(res.body).slice(0, 300));
          seqs.push(res.body?.extensions?.governance?.auditSeq);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY_EACH }, worker));
    };
    await Promise.all(urls.map((url, g) => drive(url, g)));

    const total = PROCESSES * REQUESTS_EACH;
    expect(failures).toEqual([]);
    // every response names its own event: distinct sequence numbers, all committed, the shared operation stored once
    const [{ sameShapes }] = await t.db.query(`SELECT count(*)::int AS "sameShapes" FROM audit_shape WHERE operation_name = 'Same'`);
    expect(sameShapes).toBe(5); // one per distinct document (the five even customers' ids are in the text)
    expect(new Set(seqs).size).toBe(total);
    expect((await lastSeq(t)) - before).toBe(total);
    const [{ events, names, commits }] = await t.db.query(
      `SELECT count(*)::int AS events, count(DISTINCT e.operation_name)::int AS names,
              (SELECT count(DISTINCT xmin::text)::int FROM audit_chain WHERE seq > $1) AS commits
       FROM audit_event e WHERE e.seq > $1`,
      [before],
    );
    expect(events).toBe(total);
    expect(names).toBe(total / 2 + 1);
    expect(commits).toBeLessThan(total); // still group-committed in each process
    // the processes' batches interleave on the one chain
    const order: Array<{ g: string }> = await t.db.query(
      `SELECT substring(operation_name from 'G([0-9]+)N') AS g FROM audit_event WHERE seq > $1 AND operation_name <> 'Same' ORDER BY seq`,
      [before],
    );
    const switches = order.filter((row, i) => i > 0 && row.g !== order[i - 1].g).length;
    expect(switches).toBeGreaterThan(PROCESSES);

    const report = await verifyChain(t.db, { batchSize: 100 });
    expect(report).toMatchObject({ ok: true, broken: null, ledgerMismatch: null });
    expect(report.checked).toBe(before + total);
    for (const g of gateways) expect(g.lines.filter((l) => /audit event not committed/.test(l.msg ?? ""))).toEqual([]);
  }, 120_000);
});
