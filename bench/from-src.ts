/**
 * Everything the benchmarks take from the gateway's own code, in one place.
 *
 * With bench/serve.ts and bench/variants.ts (the forked gateway process and its benchmark
 * variants, which load only what the gateway needs), this is the only file under bench/
 * that imports from ../src: when src/ files move, re-point the paths here (and there).
 * The peers (bench/peers/*) import nothing from src/ at all.
 */
export { ClientRegistry } from "../src/clients/client-registry";
export { seedDemoConsents, DEMO_AGREEMENT } from "../src/seed/demo-consents";
export { openDatabase } from "../src/db/data-source";
export { startEmbeddedPostgres } from "../src/db/embedded-postgres";
export { Purpose } from "../src/kernel/purposes/purpose";
export { seedDemoData, SERVICES } from "../src/seed/demo-data";
export { PREFECTURES } from "../src/kernel/personal-data/prefectures";
export { loadStatisticsConfig } from "../src/config/settings";
export { StatisticsDimension } from "../src/features/statistics/dimensions";
export { measuresFor, planMechanism } from "../src/features/statistics/mechanism";
export { currentMonth, monthIndex, monthOf } from "../src/features/statistics/months";
export { normaliseRequest, type StatisticsRequest } from "../src/features/statistics/query";
export { buildAggregateSql } from "../src/features/statistics/sql";
export { AGGREGATE_WORK_MEM, aggregatePlan } from "../src/features/statistics/statistics-store";
export { ensureUsageFacts } from "../src/features/statistics/usage-facts";
export { compose } from "../src/app/compose";
export { aggregateReader } from "../src/kernel/store/aggregates";
export { featureDb } from "../src/kernel/store/feature-db";
export { CompanyBudget } from "../src/features/statistics/budget/company-budget";
export { Organisations } from "../src/features/statistics/budget/organisations";
export { validatePlan } from "../src/features/statistics/releases/plan";
export { ReleasePublisher } from "../src/features/statistics/releases/publisher";
export { ReleaseStore } from "../src/features/statistics/releases/release-store";
export { recordStatisticsZone } from "../src/features/statistics/budget/period-clock";
export { methodOf } from "../src/features/statistics/releases/plan";
export { publishSql } from "../src/features/statistics/releases/publish-sql";
export { verifyChain } from "../src/features/audit/verify-chain";
