import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Per-customer usage facts for statistics (issue 12, item 3), maintained inside PostgreSQL.
 *
 * - `statistics_usage_fact`: one row per customer, service and month (the month in the
 *   statistics zone, the service as its position in the catalogue, 0 = Other), with the uses
 *   and the amount: exactly the per-customer buckets of a `serviceUsage` question grouped by
 *   SERVICE × USAGE_MONTH, which the interactive statement used to compute from every usage
 *   row each time (a sort of millions of rows spilled to disk). `pick` is the hash that
 *   chooses which buckets a customer keeps when they would fall into more than B, seeded with
 *   their own id (statistics/sql.ts computes the same for coarser groupings). The primary key
 *   (customer_id, pick, …) INCLUDE (uses, amount) holds every column, so a question reads the
 *   facts index-only, already in the order the bounding ranks them: no sort at all. The rows
 *   are written in that order, so even before VACUUM marks them visible the heap is read in order.
 * - `statistics_usage_fact_basis`: the zone and catalogue the facts are reckoned in. Without
 *   it (a store no gateway has started yet) nothing is maintained and statistics read the
 *   usage rows; a gateway whose zone or catalogue differs rebuilds the facts at start
 *   (`statistics_usage_fact_rebuild`), and an answer reads facts only of its own basis
 *   (`statistics_usage_fact_basis_is` raises otherwise, inside the statement).
 * - Statement-level triggers on `service_usage` (inserts, updates, deletes, truncation) keep
 *   the facts equal to what the usage rows say, in the writer's transaction: one grouped
 *   upsert per statement, whatever its size. An erasure deletes the customer's usage rows,
 *   and with them their facts (the declaration deletes the facts too).
 *
 * Facts for existing usage are built here when the store already records its statistics
 * zone, with the default catalogue (a gateway with another one rebuilds them at start).
 */
export class StatisticsUsageFacts1764670000000 implements MigrationInterface {
  name = "StatisticsUsageFacts1764670000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE statistics_usage_fact_basis (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        time_zone text NOT NULL,
        services text[] NOT NULL,
        built_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE statistics_usage_fact (
        customer_id uuid NOT NULL,
        pick bigint NOT NULL,
        service integer NOT NULL CHECK (service >= 0),
        month date NOT NULL,
        uses integer NOT NULL CHECK (uses > 0),
        amount bigint NOT NULL,
        PRIMARY KEY (customer_id, pick, service, month) INCLUDE (uses, amount)
      )`);
    // the bucket choice's hash: the same expression as statistics/sql.ts (a test compares them)
    await q.query(`
      CREATE FUNCTION statistics_usage_fact_pick(customer_id uuid, service integer, month date) RETURNS bigint
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT hashint8extended(service::bigint * 1000000 + (month - date '1970-01-01'), uuid_hash(customer_id)::bigint)
      $$`);
    // usage rows (a transition table) as facts of the basis: grouped, in key order
    await q.query(maintainFunction());
    await q.query(`
      CREATE TRIGGER statistics_usage_fact_insert AFTER INSERT ON service_usage
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION statistics_usage_fact_maintain()`);
    await q.query(`
      CREATE TRIGGER statistics_usage_fact_update AFTER UPDATE ON service_usage
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION statistics_usage_fact_maintain()`);
    await q.query(`
      CREATE TRIGGER statistics_usage_fact_delete AFTER DELETE ON service_usage
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION statistics_usage_fact_maintain()`);
    await q.query(`
      CREATE FUNCTION statistics_usage_fact_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM statistics_usage_fact;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER statistics_usage_fact_truncate AFTER TRUNCATE ON service_usage
      FOR EACH STATEMENT EXECUTE FUNCTION statistics_usage_fact_emptied()`);
    // every fact again, for a basis (a gateway with another zone or catalogue starts)
    await q.query(
      rebuildFunction(
        `INSERT INTO statistics_usage_fact (customer_id, pick, service, month, uses, amount) ${FACTS_OF_ALL_USAGE} ORDER BY 1, 2`,
      ),
    );
    // the guard inside every statement that reads facts: of this basis, or an error (never a wrong
    // answer); parallel safe, so it leaves the statement's plan free to use workers
    await q.query(`
      CREATE FUNCTION statistics_usage_fact_basis_is(zone text, catalogue text[]) RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM statistics_usage_fact_basis WHERE time_zone = zone AND services = catalogue) THEN
          RAISE EXCEPTION 'statistics usage facts are not reckoned in zone % with services %', zone, catalogue;
        END IF;
        RETURN true;
      END $$`);

    const [recorded] = await q.query(`SELECT time_zone FROM statistics_company_budget WHERE singleton`);
    if (recorded) {
      // the default catalogue (STATS_SERVICES); a gateway configured otherwise rebuilds at start
      await q.query(`SELECT statistics_usage_fact_rebuild($1, $2::text[])`, [
        recorded.time_zone,
        ["Mobile", "Broadband", "Streaming", "Cloud Storage", "Travel Booking"],
      ]);
      await q.query(`ANALYZE statistics_usage_fact`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const trigger of ["insert", "update", "delete", "truncate"])
      await q.query(`DROP TRIGGER statistics_usage_fact_${trigger} ON service_usage`);
    await q.query(`DROP FUNCTION statistics_usage_fact_basis_is(text, text[])`);
    await q.query(`DROP FUNCTION statistics_usage_fact_rebuild(text, text[])`);
    await q.query(`DROP FUNCTION statistics_usage_fact_emptied()`);
    await q.query(`DROP FUNCTION statistics_usage_fact_maintain()`);
    await q.query(`DROP FUNCTION statistics_usage_fact_pick(uuid, integer, date)`);
    await q.query(`DROP TABLE statistics_usage_fact`);
    await q.query(`DROP TABLE statistics_usage_fact_basis`);
  }
}

/**
 * The trigger function keeping the facts equal to the usage rows. `ranked`: as migration
 * 1764700000000 makes it, also keeping each fact's earlier months (see there): writers of a
 * customer's facts take turns, and the customers whose facts came or went are ranked again.
 */
export const maintainFunction = (ranked = false): string => `
  CREATE OR REPLACE FUNCTION statistics_usage_fact_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    basis statistics_usage_fact_basis;${ranked ? "\n    touched uuid[];\n    added uuid[];" : ""}
  BEGIN
    -- first the lock, then the basis: a rebuild holds the table until it commits, and a
    -- writer waiting for it then reads the new basis (each statement sees what committed)
    LOCK TABLE statistics_usage_fact IN ROW EXCLUSIVE MODE;
    SELECT * INTO basis FROM statistics_usage_fact_basis WHERE singleton;
    IF NOT FOUND THEN
      RETURN NULL; -- no basis yet: nothing is maintained, statistics read the usage rows
    END IF;${ranked ? TAKE_TURNS : ""}
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
      MERGE INTO statistics_usage_fact f
      USING (${rowsAsFacts("old_rows")}
      ) g ON f.customer_id = g.customer_id AND f.pick = g.pick AND f.service = g.service AND f.month = g.month
      WHEN MATCHED AND f.uses <= g.uses THEN DELETE
      WHEN MATCHED THEN UPDATE SET uses = f.uses - g.uses, amount = f.amount - g.amount;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
      ${ranked ? "WITH g AS (" : ""}${ranked ? rowsAsFacts("new_rows") : ""}${ranked ? "\n      ), written AS (" : ""}
      INSERT INTO statistics_usage_fact AS f (customer_id, pick, service, month, uses, amount)
      SELECT * FROM ${ranked ? "g" : `(${rowsAsFacts("new_rows")}\n      ) g`} ORDER BY 1, 2
      ON CONFLICT (customer_id, pick, service, month)
      DO UPDATE SET uses = f.uses + EXCLUDED.uses, amount = f.amount + EXCLUDED.amount${ranked ? ADDED : ""};
    END IF;${ranked ? RANK_AGAIN : ""}
    RETURN NULL;
  END $$`;

/** A transition table's usage rows as facts of the trigger's basis: customer_id, pick, service, month, uses, amount. */
const rowsAsFacts = (rows: "old_rows" | "new_rows") => `
        SELECT customer_id, statistics_usage_fact_pick(customer_id, service, month) AS pick, service, month, count(*) AS uses, sum(amount) AS amount
          FROM (SELECT r.customer_id, coalesce(array_position(basis.services, r.service), 0) AS service,
                       date_trunc('month', r.occurred_at AT TIME ZONE basis.time_zone)::date AS month, r.amount
                  FROM ${rows} r) u
         GROUP BY customer_id, service, month`;

// Ranking reads a customer's other facts, which a concurrent writer's uncommitted facts would be
// missing from: writers of one customer's facts take turns (a lock per hash of the customer, 256
// of them, taken in order, so two statements never wait for each other), and each statement
// after the wait sees what the other committed. A REPEATABLE READ writer would not see it, so
// such a writer is refused; SERIALIZABLE ones are checked by PostgreSQL itself.
const TAKE_TURNS = `
    IF current_setting('transaction_isolation') = 'repeatable read' THEN
      RAISE EXCEPTION 'usage rows are written in READ COMMITTED or SERIALIZABLE transactions: statistics rank each customer''s facts'
        USING ERRCODE = 'serialization_failure';
    END IF;
    IF TG_OP = 'INSERT' THEN
      touched := ARRAY(SELECT DISTINCT customer_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
      touched := ARRAY(SELECT DISTINCT customer_id FROM old_rows);
    ELSE
      touched := ARRAY(SELECT customer_id FROM new_rows UNION SELECT customer_id FROM old_rows);
    END IF;
    PERFORM pg_advisory_xact_lock(1764700000, t.turn)
       FROM (SELECT DISTINCT hashtext(c::text) & 255 AS turn FROM unnest(touched) c ORDER BY 1) t;`;

// the customers given a fact they did not have (every part of one statement sees the facts as they were)
const ADDED = `
      )
      SELECT array_agg(DISTINCT g.customer_id) INTO added FROM g
       WHERE NOT EXISTS (SELECT 1 FROM statistics_usage_fact f
                          WHERE f.customer_id = g.customer_id AND f.pick = g.pick AND f.service = g.service AND f.month = g.month)`;

// an insert ranks the customers it gave a new fact; a delete or an update may also take facts away
const RANK_AGAIN = `
    IF TG_OP <> 'INSERT' THEN
      added := touched;
    END IF;
    IF cardinality(added) > 0 THEN
      PERFORM statistics_usage_fact_rank(added);
    END IF;`;

/** Every usage row as facts of the basis `zone`, `catalogue` (the rebuild's parameters): customer_id, pick, service, month, uses, amount. */
export const FACTS_OF_ALL_USAGE = `
  SELECT customer_id, statistics_usage_fact_pick(customer_id, service, month) AS pick, service, month, count(*) AS uses, sum(amount) AS amount
    FROM (SELECT u.customer_id, coalesce(array_position(catalogue, u.service), 0) AS service,
                 date_trunc('month', u.occurred_at AT TIME ZONE zone)::date AS month, u.amount
            FROM service_usage u) u
   GROUP BY customer_id, service, month`;

/** The rebuild of every fact for a basis, `insert` writing them (from FACTS_OF_ALL_USAGE). */
export const rebuildFunction = (insert: string): string => `
  CREATE OR REPLACE FUNCTION statistics_usage_fact_rebuild(zone text, catalogue text[]) RETURNS bigint LANGUAGE plpgsql AS $$
  DECLARE
    built bigint;
  BEGIN
    -- writers' triggers wait here, and read the new basis once it commits
    LOCK TABLE statistics_usage_fact IN ACCESS EXCLUSIVE MODE;
    IF EXISTS (SELECT 1 FROM statistics_usage_fact_basis WHERE time_zone = zone AND services = catalogue) THEN
      RETURN NULL; -- another gateway built this basis while this one waited
    END IF;
    TRUNCATE statistics_usage_fact;
    ${insert};
    GET DIAGNOSTICS built = ROW_COUNT;
    INSERT INTO statistics_usage_fact_basis (singleton, time_zone, services) VALUES (true, zone, catalogue)
    ON CONFLICT (singleton) DO UPDATE SET time_zone = EXCLUDED.time_zone, services = EXCLUDED.services, built_at = now();
    RETURN built;
  END $$`;
