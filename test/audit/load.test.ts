import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChain } from "../../src/features/audit/verify-chain";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { lastSeq } from "../disclosure/recipient-fixtures";

const REQUESTS = 300;
const CONCURRENCY = 30;

let t: TestGateway;
let shopKey: string;
let customerIds: string[];

beforeAll(async () => {
  t = await startTestGateway();
  shopKey = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  customerIds = [];
  for (let i = 0; i < 20; i++) customerIds.push((await insertCustomer(t.db)).id);
});
afterAll(() => t?.stop());

describe("under concurrent load every served response has its event", () => {
  it(`${REQUESTS} requests, ${CONCURRENCY} at a time (loopback only): events = requests, grouped into fewer commits`, async () => {
    const before = await lastSeq(t);
    const statuses: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        const i = next++;
        // a mix of accepted and refused operations, each one request
        const query =
          i % 5 === 4
            ? `query R${i} @purpose(name: SERVICE_PROVISION) { customer(id: "${customerIds[i % 20]}") { birthDate } }`
            : `query A${i} @purpose(name: SERVICE_PROVISION) { customer(id: "${customerIds[i % 20]}") { fullName } }`;
        statuses.push((await t.gql(query, { key: shopKey })).status);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(statuses).toHaveLength(REQUESTS);
    expect(statuses.filter((s) => s === 200)).toHaveLength(REQUESTS * 0.8);
    expect(statuses.filter((s) => s === 403)).toHaveLength(REQUESTS * 0.2);
    expect((await lastSeq(t)) - before).toBe(REQUESTS);
    const [{ events, names }] = await t.db.query(
      `SELECT count(*)::int AS events, count(DISTINCT operation_name)::int AS names FROM audit_event WHERE seq > $1`,
      [before],
    );
    expect(events).toBe(REQUESTS);
    expect(names).toBe(REQUESTS); // one event per request, none lost, none doubled

    // group commit: rows written by one transaction share its xmin
    const [{ commits }] = await t.db.query(`SELECT count(DISTINCT xmin::text)::int AS commits FROM audit_chain WHERE seq > $1`, [before]);
    expect(commits).toBeLessThan(REQUESTS);

    const report = await verifyChain(t.db);
    expect(report.ok).toBe(true);
  });
});
