import type { AddressInfo } from "node:net";
import http from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import DataLoader from "dataloader";
import express from "express";
import { Pool } from "pg";
import { serveAsChild, type ChildServer } from "./child-server";

/**
 * The hand-written peer: what a competent developer would write by hand for the benchmark's
 * queries, with Apollo Server 5, express and a pg Pool, and nothing else: no TypeORM, no
 * governance, no audit trail. It serves exactly the fields the benchmark asks for, over the
 * gateway's own tables, and excludes soft-deleted and erased customers as the gateway does.
 *
 * Each request runs the same two statements as the gateway's data layer: one for the
 * customer(s), one batched for their usage (`= ANY($1)` through a per-request DataLoader).
 * Both are named prepared statements (pg parses and plans each once per connection).
 *
 * Forked by bench/harness.ts (`servePeer("handwritten", url)`), like bench/serve.ts:
 *   argv: <databaseUrl>; reports { url } over IPC; exits on the message "stop".
 * Imports nothing from src/.
 */

export const HANDWRITTEN_SDL = /* GraphQL */ `
  type ServiceUsage {
    service: String!
    amount: Int!
    occurredAt: String!
  }

  type Customer {
    id: ID!
    fullName: String!
    email: String!
    prefecture: String!
    serviceUsage: [ServiceUsage!]!
  }

  type Query {
    customer(id: ID!): Customer
    "Customers by id; after: the id of the last customer of the previous page."
    customers(first: Int = 20, after: ID): [Customer!]!
  }
`;

interface CustomerRow {
  id: string;
  full_name: string;
  email: string;
  prefecture: string;
}

interface UsageRow {
  customer_id: string;
  service: string;
  amount: number;
  occurred_at: Date;
}

interface Context {
  usage: DataLoader<string, UsageRow[]>;
}

const ACTIVE = `deleted_at IS NULL AND erased_at IS NULL`;
const CUSTOMER_COLUMNS = `id, full_name, email, prefecture`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function handwrittenResolvers(pool: Pool) {
  return {
    Query: {
      async customer(_: unknown, { id }: { id: string }): Promise<CustomerRow | null> {
        if (!UUID.test(id)) return null;
        const { rows } = await pool.query<CustomerRow>({
          name: "hw_customer",
          text: `SELECT ${CUSTOMER_COLUMNS} FROM customer WHERE id = $1 AND ${ACTIVE}`,
          values: [id],
        });
        return rows[0] ?? null;
      },
      async customers(_: unknown, { first, after }: { first: number; after?: string | null }): Promise<CustomerRow[]> {
        const limit = Math.min(Math.max(first ?? 20, 1), 100);
        if (after != null && !UUID.test(after)) return [];
        const { rows } = await pool.query<CustomerRow>({
          name: "hw_customers",
          text: `SELECT ${CUSTOMER_COLUMNS} FROM customer WHERE ${ACTIVE} AND ($2::uuid IS NULL OR id > $2::uuid) ORDER BY id LIMIT $1`,
          values: [limit, after ?? null],
        });
        return rows;
      },
    },
    Customer: {
      fullName: (c: CustomerRow) => c.full_name,
      serviceUsage: (c: CustomerRow, _: unknown, ctx: Context) => ctx.usage.load(c.id),
    },
    ServiceUsage: {
      occurredAt: (u: UsageRow) => u.occurred_at.toISOString(),
    },
  };
}

/** One batched statement for every customer's usage in a request, newest first. */
function usageLoader(pool: Pool): DataLoader<string, UsageRow[]> {
  return new DataLoader(async (ids) => {
    const { rows } = await pool.query<UsageRow>({
      name: "hw_usage",
      text: `SELECT customer_id, service, amount, occurred_at FROM service_usage WHERE customer_id = ANY($1::uuid[]) ORDER BY customer_id, occurred_at DESC`,
      values: [ids],
    });
    const byCustomer = new Map<string, UsageRow[]>(ids.map((id) => [id, []]));
    for (const row of rows) byCustomer.get(row.customer_id)!.push(row);
    return ids.map((id) => byCustomer.get(id)!);
  });
}

export async function startHandwrittenServer(databaseUrl: string, poolSize = 10): Promise<ChildServer> {
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize });
  const app = express();
  app.disable("x-powered-by");
  const httpServer = http.createServer(app);
  const server = new ApolloServer<Context>({
    typeDefs: HANDWRITTEN_SDL,
    resolvers: handwrittenResolvers(pool),
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled()],
    introspection: false,
    includeStacktraceInErrorResponses: false,
  });
  await server.start();
  app.use("/graphql", express.json({ limit: "100kb" }), expressMiddleware(server, { context: async () => ({ usage: usageLoader(pool) }) }));
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      await server.stop();
      await pool.end();
    },
  };
}

if (require.main === module) serveAsChild("handwritten-server.js", startHandwrittenServer);
