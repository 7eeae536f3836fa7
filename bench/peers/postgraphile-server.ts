import type { AddressInfo } from "node:net";
import http from "node:http";
import { Pool } from "pg";
import { postgraphile } from "postgraphile";
import { serveAsChild, type ChildServer } from "./child-server";

/**
 * The PostGraphile 4 peer (library mode, its own process): a GraphQL API generated from the
 * database, over the same tables as the gateway. It serves a dedicated schema of two views,
 * `customer` and `service_usage`, on the gateway's tables (`public.customer`,
 * `public.service_usage`): the view applies the same rule as the gateway and the
 * hand-written peer (no soft-deleted or erased customer), and keeps PostGraphile from
 * exposing the gateway's other tables. Smart comments give the views their primary key and
 * foreign key, so PostGraphile generates
 *   customerById(id:) { … serviceUsagesByCustomerId(orderBy: OCCURRED_AT_DESC) { nodes { … } } }
 * Simple views are inlined by PostgreSQL's planner: the statements use the tables' indexes.
 *
 * PostGraphile 4 uses graphql 15: npm gives it its own nested copy (package.json
 * "overrides"), while the project's graphql 16 stays the single hoisted copy.
 *
 * Forked by bench/harness.ts (`servePeer("postgraphile", url)`):
 *   argv: <databaseUrl>; reports { url } over IPC; exits on the message "stop".
 * Imports nothing from src/.
 */

export const POSTGRAPHILE_SCHEMA = "pgw_bench_postgraphile";

const VIEWS_SQL = `
  CREATE SCHEMA IF NOT EXISTS ${POSTGRAPHILE_SCHEMA};
  DROP VIEW IF EXISTS ${POSTGRAPHILE_SCHEMA}.service_usage;
  DROP VIEW IF EXISTS ${POSTGRAPHILE_SCHEMA}.customer;
  CREATE VIEW ${POSTGRAPHILE_SCHEMA}.customer AS
    SELECT id, full_name, email, phone, postal_code, prefecture, street_address, birth_date, gender, created_at
      FROM public.customer
     WHERE deleted_at IS NULL AND erased_at IS NULL;
  CREATE VIEW ${POSTGRAPHILE_SCHEMA}.service_usage AS
    SELECT id, customer_id, service, amount, occurred_at FROM public.service_usage;
  COMMENT ON VIEW ${POSTGRAPHILE_SCHEMA}.customer IS E'@primaryKey id\\n@omit create,update,delete';
  COMMENT ON VIEW ${POSTGRAPHILE_SCHEMA}.service_usage IS
    E'@primaryKey id\\n@foreignKey (customer_id) references ${POSTGRAPHILE_SCHEMA}.customer (id)\\n@omit create,update,delete';
`;

/** Creates (or re-creates) the views PostGraphile serves, in one transaction. */
export async function preparePostGraphileSchema(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // one process at a time (two benchmark runs on the same database)
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('${POSTGRAPHILE_SCHEMA}'))`);
    await client.query(VIEWS_SQL);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export async function startPostGraphileServer(databaseUrl: string, poolSize = 10): Promise<ChildServer> {
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize });
  await preparePostGraphileSchema(pool);
  // production settings: no GraphiQL, no query log, no watch, no stack traces
  const middleware = postgraphile(pool, POSTGRAPHILE_SCHEMA, {
    graphqlRoute: "/graphql",
    graphiql: false,
    watchPg: false,
    retryOnInitFail: false,
    disableQueryLog: true,
    disableDefaultMutations: true,
    ignoreRBAC: true,
    dynamicJson: true,
    setofFunctionsContainNulls: false,
    enableQueryBatching: false,
    showErrorStack: false,
    legacyRelations: "omit",
    bodySizeLimit: "100kb",
  });
  // build the schema before reporting ready (the first request must not pay for it)
  await middleware.getGraphQLSchema();
  const httpServer = http.createServer(middleware);
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeAllConnections();
      await closed;
      await middleware.release();
      await pool.end();
    },
  };
}

if (require.main === module) serveAsChild("postgraphile-server.js", startPostGraphileServer);
