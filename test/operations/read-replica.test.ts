import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataSource } from "typeorm";
import { ClientRegistry } from "../../src/clients/client-registry";
import { loadSettings } from "../../src/config/settings";
import { openDatabase } from "../../src/db/data-source";
import { openStatisticsDatabase } from "../../src/db/statistics-database";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { logger } from "../../src/observability/logger";
import { startGateway, type RunningGateway } from "../../src/server/create-gateway";
import { createPrivateCluster, type PrivateCluster } from "../support/private-cluster";
import { post } from "../support/processes";
import { eventually } from "../support/test-gateway";
import { seedCrowds } from "../statistics/population";
import { CompanyBudget } from "../../src/features/statistics/budget/company-budget";
import { Organisations } from "../../src/features/statistics/budget/organisations";

/**
 * STATS_DATABASE_URL (issue 11): statistics' aggregates read from a streaming replica while
 * the privacy ledger (budget, released answers) is written to the primary. Shown with a
 * replica whose replay is paused: the answers follow the replica's data, not the primary's.
 */
let primary: PrivateCluster;
let replica: PrivateCluster;
let db: DataSource;
let statisticsDb: DataSource;
let gateway: RunningGateway;
let analyst: string;

const customersBy = (dimension: string) =>
  `query S @purpose(name: USAGE_STATISTICS) { statistics { customers(groupBy: [${dimension}]) { buckets { customers } possibleBuckets epsilonSpent } } }`;

beforeAll(async () => {
  logger.level = "silent";
  primary = await createPrivateCluster();
  await primary.start();
  db = await openDatabase({ url: primary.url(), poolSize: 4 }); // migrated before the copy
  replica = await createPrivateCluster({ replicaOf: primary });
  await replica.start();
  const settings = loadSettings({
    PORT: "0",
    DATABASE_URL: primary.url(),
    STATS_DATABASE_URL: replica.url(),
    ERASURE_OUTBOX_INTERVAL_MS: "0",
    LOG_LEVEL: "silent",
  });
  statisticsDb = (await openStatisticsDatabase(settings))!;
  gateway = await startGateway({ db, statisticsDb, settings });
  analyst = (await new ClientRegistry(db).create("replica-analyst", [Purpose.USAGE_STATISTICS])).key;
  // the company budget and the analyst's organisation live on the primary
  await new CompanyBudget(db).setCaps({ periodBudgetMicro: 10_000_000, lifetimeCapMicro: 120_000_000 });
  const organisations = new Organisations(db);
  const { id } = await organisations.add("replica-analysts", "internal");
  await new CompanyBudget(db).allocate(id, 10_000_000);
  await organisations.assignClient("replica-analyst", "replica-analysts");
}, 120_000);
afterAll(async () => {
  await gateway?.stop();
  await statisticsDb?.destroy();
  await db?.destroy();
  await replica?.destroy();
  await primary?.destroy();
});

const caughtUp = async () => {
  // the insert position, not the write position: a commit made with synchronous_commit off
  // (the audit append's) may be inserted and not yet written when this asks
  const lsn = await primary.psql("SELECT pg_current_wal_insert_lsn()");
  await eventually(async () => expect(await replica.psql(`SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn`)).toBe("t"), 20_000);
};

describe("statistics on a read replica", { timeout: 120_000 }, () => {
  it("reads aggregates from the replica and writes the privacy ledger to the primary", async () => {
    expect(await replica.psql("SELECT pg_is_in_recovery()")).toBe("t");
    await caughtUp(); // the analyst's key has reached the replica too (not needed: keys are read on the primary)
    await replica.psql("SELECT pg_wal_replay_pause()");
    await seedCrowds(db); // 650 live customers on the primary, none yet on the paused replica

    const before = await post(gateway.url, customersBy("PREFECTURE"), analyst);
    expect(before.status).toBe(200);
    expect(before.body.data.statistics.customers).toMatchObject({ buckets: [], epsilonSpent: 1 });
    // the budget was spent on the primary (the replica is read-only: a write there would have failed)
    expect(await primary.psql("SELECT sum(epsilon_micro) FROM statistics_spending")).toBe("1000000");

    await replica.psql("SELECT pg_wal_replay_resume()");
    await caughtUp();
    const after = await post(gateway.url, customersBy("REGION"), analyst);
    expect(after.body.data.statistics.customers.buckets.length).toBeGreaterThan(0);
    expect(await primary.psql("SELECT sum(epsilon_micro) FROM statistics_spending")).toBe("2000000");
    await caughtUp(); // the second spending reaches the replica by streaming (a moment after the answer)
    expect(await replica.psql("SELECT sum(epsilon_micro) FROM statistics_spending")).toBe("2000000"); // replicated, not written there
  });

  it("readiness checks the replica too", async () => {
    const res = await fetch(gateway.url.replace("/graphql", "/readyz"));
    expect(await res.json()).toEqual({ status: "ready", checks: { database: "ok", statisticsDatabase: "ok" } });
  });
});
