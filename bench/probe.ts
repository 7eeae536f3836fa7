import "reflect-metadata";
import { loadSettings } from "../src/config/settings";
import { openDatabase } from "../src/db/data-source";
import { ClientRegistry } from "../src/clients/client-registry";
import { Purpose } from "../src/kernel/purposes/purpose";
import { startGateway, startGatewayVariant } from "../src/server/create-gateway";
import { benchVariant } from "./variants";

/** A latency probe for profiling (not part of npm run bench): N sequential requests in-process. */
async function main() {
  const [url, mode = "full", n = "2000"] = process.argv.slice(2);
  const db = await openDatabase({ url, poolSize: 10 });
  const settings = loadSettings({ PORT: "0", DATABASE_URL: url, LOG_LEVEL: "silent", ERASURE_OUTBOX_INTERVAL_MS: "0" });
  const gateway =
    mode === "full"
      ? await startGateway({ db, settings })
      : await startGatewayVariant(
          { db, settings },
          benchVariant({ unaudited: mode.includes("unaudited"), ungoverned: mode.includes("ungoverned") }),
        );
  const key = (await new ClientRegistry(db).create(`probe-${Date.now()}`, [Purpose.SERVICE_PROVISION])).key;
  const [{ id }] = await db.query(`SELECT id FROM customer WHERE deleted_at IS NULL ORDER BY id LIMIT 1`);
  const body = JSON.stringify({
    query: `query Entity($id: ID!) @purpose(name: SERVICE_PROVISION) { customer(id: $id) { id fullName email prefecture serviceUsage { service amount occurredAt } } }`,
    variables: { id },
  });
  const call = () =>
    fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body }).then(
      (r) => r.text(),
    );
  for (let i = 0; i < 200; i++) await call();
  const started = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < Number(n); i++) await call();
  const cpu = process.cpuUsage(cpu0);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(
    `${mode}: ${(ms / Number(n)).toFixed(2)} ms per request (${n} sequential), CPU ${((cpu.user + cpu.system) / Number(n)).toFixed(0)} µs per request (server and client in one process)`,
  );
  // concurrency 20
  const t0 = Date.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (done < Number(n)) {
        done++;
        await call();
      }
    }),
  );
  console.log(`${mode}: ${((Number(n) * 1000) / (Date.now() - t0)).toFixed(0)} req/s at 20 in flight`);
  const metrics = await (await fetch(gateway.url.replace("/graphql", "/metrics"))).text();
  if (process.env.PROBE_METRICS)
    console.log(
      metrics
        .split("\n")
        .filter((l) => /^pgw_(auth|key|data_queries)/.test(l))
        .join("\n"),
    );
  await gateway.stop();
  await db.destroy();
  process.exit(0);
}
void main();
