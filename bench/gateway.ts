import { ClientRegistry, Purpose, seedDemoData } from "./from-src";
import { compare, load, printComparison, serveGateway, type BenchDatabase } from "./harness";

/**
 * Governed versus ungoverned: the same schema, data and entity query, with and without the
 * gate (purpose check, grants, field policy, purpose-scoped row rules stay in both: the
 * ungoverned server still uses the data layer, so the difference is the governance cost).
 * Both run without the audit trail, which bench/audit.ts measures on its own.
 */
export async function benchGovernance(bench: BenchDatabase, { seconds = 8, rounds = 2 } = {}): Promise<number> {
  await seedDemoData(bench.db, { customers: 2000 });
  const key = (await new ClientRegistry(bench.db).create(`bench-${Date.now()}`, [Purpose.SERVICE_PROVISION])).key;
  const [{ id }] = await bench.db.query(`SELECT id FROM customer WHERE deleted_at IS NULL ORDER BY id LIMIT 1`);
  const body = {
    query: `query Entity($id: ID!) @purpose(name: SERVICE_PROVISION) { customer(id: $id) { id fullName email prefecture serviceUsage { service amount occurredAt } } }`,
    variables: { id },
  };
  const headers = { authorization: `Bearer ${key}` };

  const governed = await serveGateway(bench.url, { unaudited: true });
  const ungoverned = await serveGateway(bench.url, { ungoverned: true, unaudited: true });
  try {
    // warm up both (JIT, pools, document cache)
    await load(governed.url, body, headers, 2);
    await load(ungoverned.url, body, headers, 2);
    const result = await compare(
      rounds,
      () => load(governed, body, headers, seconds),
      () => load(ungoverned, body, headers, seconds),
    );
    return printComparison("Entity query: governed vs ungoverned gateway", ["governed", "ungoverned"], result, "≥ 0.95");
  } finally {
    await governed.stop();
    await ungoverned.stop();
  }
}
