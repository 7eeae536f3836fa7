import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../src/db/embedded-postgres";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * Tests run against DATABASE_URL when it is set (CI: a fresh database on the real
 * PostgreSQL server), else against embedded PostgreSQL (PGlite) served on loopback.
 */
export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide("databaseUrl", process.env.DATABASE_URL);
    return;
  }
  const embedded = await startEmbeddedPostgres();
  project.provide("databaseUrl", embedded.url);
  return async () => embedded.stop();
}
