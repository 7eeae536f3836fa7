import { ClientRegistry, Purpose, seedDemoData } from "../from-src";
import {
  compareAll,
  cpuColumns,
  load,
  pairedRatio,
  roundRatios,
  servePeer,
  serveGateway,
  type BenchDatabase,
  type LoadResult,
} from "../harness";

/**
 * The gateway against its peers, on the entity query (a customer by id with their service
 * usage), in the same run, on the same data and the same customer id:
 *   - the real gateway, governed and audited (`startGateway` with no bench flags, the
 *     production configuration) called with a SERVICE_PROVISION client key;
 *   - the hand-written Apollo + pg server (bench/peers/handwritten-server.ts): the same
 *     two statements, no governance, no audit;
 *   - PostGraphile 4 (bench/peers/postgraphile-server.ts) over the same tables.
 * Rounds alternate (G H P G H P …). Before any load, one answer from each is compared with
 * the others: a peer answering something else (or an error with status 200, which
 * autocannon would count as a success) would make the ratio meaningless.
 */

export interface PeersResult {
  gateway: LoadResult;
  handwritten: LoadResult;
  postgraphile: LoadResult;
  /** gateway / hand-written throughput (target ≥ 1.0) */
  gatewayOverHandwritten: number;
  /** PostGraphile / hand-written throughput (for information) */
  postgraphileOverHandwritten: number;
  /** gateway / PostGraphile throughput (for information) */
  gatewayOverPostgraphile: number;
}

const USAGE = `service amount occurredAt`;
export const ENTITY_QUERIES = {
  gateway: `query Entity($id: ID!) @purpose(name: SERVICE_PROVISION) { customer(id: $id) { id fullName email prefecture serviceUsage { ${USAGE} } } }`,
  handwritten: `query Entity($id: ID!) { customer(id: $id) { id fullName email prefecture serviceUsage { ${USAGE} } } }`,
  postgraphile: `query Entity($id: UUID!) { customerById(id: $id) { id fullName email prefecture serviceUsagesByCustomerId(orderBy: OCCURRED_AT_DESC) { nodes { ${USAGE} } } } }`,
} as const;

type Contender = keyof typeof ENTITY_QUERIES;

/** One answer, in a shape common to all three (timestamps as ISO instants). */
function normalise(contender: Contender, body: any): unknown {
  const customer = contender === "postgraphile" ? body?.data?.customerById : body?.data?.customer;
  if (!customer) return null;
  const usage = contender === "postgraphile" ? customer.serviceUsagesByCustomerId?.nodes : customer.serviceUsage;
  return {
    id: customer.id,
    fullName: customer.fullName,
    email: customer.email,
    prefecture: customer.prefecture,
    serviceUsage: (usage ?? []).map((u: any) => ({
      service: u.service,
      amount: u.amount,
      occurredAt: new Date(u.occurredAt).toISOString(),
    })),
  };
}

async function answer(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json().catch(() => null) };
}

export async function benchPeers(bench: BenchDatabase, { seconds = 8, rounds = 2, connections = 20 } = {}): Promise<PeersResult> {
  await seedDemoData(bench.db, { customers: 2000 });
  const key = (await new ClientRegistry(bench.db).create(`bench-peers-${Date.now()}`, [Purpose.SERVICE_PROVISION])).key;
  // the same customer as the other comparisons (the first by id), unless they have no usage
  const [{ id, uses }] = await bench.db.query(
    `SELECT c.id, (SELECT count(*)::int FROM service_usage s WHERE s.customer_id = c.id) AS uses
       FROM customer c WHERE c.deleted_at IS NULL AND c.erased_at IS NULL
        AND EXISTS (SELECT 1 FROM service_usage s WHERE s.customer_id = c.id)
      ORDER BY c.id LIMIT 1`,
  );
  const bodies: Record<Contender, unknown> = {
    gateway: { query: ENTITY_QUERIES.gateway, variables: { id } },
    handwritten: { query: ENTITY_QUERIES.handwritten, variables: { id } },
    postgraphile: { query: ENTITY_QUERIES.postgraphile, variables: { id } },
  };
  const headers: Record<Contender, Record<string, string>> = {
    gateway: { authorization: `Bearer ${key}` },
    handwritten: {},
    postgraphile: {},
  };

  const served = {
    gateway: await serveGateway(bench.url),
    handwritten: await servePeer("handwritten", bench.url),
    postgraphile: await servePeer("postgraphile", bench.url),
  };
  const contenders = Object.keys(served) as Contender[];
  try {
    // the same answer from all three, before any load
    const answers = new Map<Contender, string>();
    for (const c of contenders) {
      const { status, json } = await answer(served[c].url, bodies[c], headers[c]);
      const normalised = normalise(c, json);
      if (status !== 200 || json?.errors || !normalised) throw new Error(`${c} answered ${status}: ${JSON.stringify(json).slice(0, 300)}`);
      answers.set(c, JSON.stringify(normalised));
    }
    for (const c of contenders) {
      if (answers.get(c) !== answers.get("gateway")) {
        throw new Error(
          `${c} does not answer what the gateway answers:\n  gateway: ${answers.get("gateway")!.slice(0, 300)}\n  ${c}: ${answers.get(c)!.slice(0, 300)}`,
        );
      }
    }

    for (const c of contenders) await load(served[c].url, bodies[c], headers[c], 2, connections); // warm-up
    const {
      means: [gateway, handwritten, postgraphile],
      rounds: [g, h, p],
    } = await compareAll(
      rounds,
      contenders.map((c) => () => load(served[c], bodies[c], headers[c], seconds, connections)),
    );
    // each ratio: the median over rounds of two contenders run back to back (harness.ts, pairedRatio)
    const result: PeersResult = {
      gateway,
      handwritten,
      postgraphile,
      gatewayOverHandwritten: pairedRatio(roundRatios(g, h)),
      postgraphileOverHandwritten: pairedRatio(roundRatios(p, h)),
      gatewayOverPostgraphile: pairedRatio(roundRatios(g, p)),
    };
    const row = (label: string, r: LoadResult) =>
      `  ${label.padEnd(30)} ${r.requestsPerSecond.toFixed(0).padStart(8)} req/s   p99 ${r.p99Ms.toFixed(1).padStart(6)} ms   non-2xx ${r.non2xx}  errors ${r.errors}${cpuColumns(r)}`;
    console.log(
      `\nEntity query: gateway vs hand-written server vs PostGraphile 4 (customer ${id}, ${uses} usage rows; ${rounds} rounds of ${seconds} s, ${connections} connections)`,
    );
    console.log(row("gateway (governed + audited)", gateway));
    console.log(row("hand-written (Apollo + pg)", handwritten));
    console.log(row("PostGraphile 4", postgraphile));
    console.log(`  ratio gateway/handwritten      = ${result.gatewayOverHandwritten.toFixed(3)}   (target ≥ 1.0)`);
    console.log(`  ratio postgraphile/handwritten = ${result.postgraphileOverHandwritten.toFixed(3)}   (for information)`);
    console.log(`  ratio gateway/postgraphile     = ${result.gatewayOverPostgraphile.toFixed(3)}   (for information)`);
    const failed = [gateway, handwritten, postgraphile].reduce((n, r) => n + r.non2xx + r.errors, 0);
    if (failed > 0) throw new Error("Entity query vs peers: some requests failed, so the ratios measure nothing");
    return result;
  } finally {
    for (const c of contenders) await served[c].stop();
  }
}
