import "reflect-metadata";
import { benchGovernance } from "./gateway";
import { benchDatabase } from "./harness";

/**
 * `npm run bench`: every benchmark of the gateway, side by side, in one run.
 * DATABASE_URL (a dedicated database: it is seeded) or embedded PGlite.
 */
async function main() {
  const bench = await benchDatabase();
  console.log(`Purpose Gateway benchmarks on ${bench.description}`);
  try {
    await benchGovernance(bench, { seconds: Number(process.env.BENCH_SECONDS ?? 8) });
  } finally {
    await bench.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
