import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Reads that stay flat as the store grows (issue 12, item 2).
 *
 * - `customer_active_idx`: the ids of the customers every purpose may reach at all (neither
 *   deleted nor erased), with their prefecture. A list picks its page's ids from it before it
 *   reads any customer row (kernel/data/purpose-scoped-data.ts): under a narrowing row rule
 *   (INDIVIDUAL_AGREEMENT reaches 1 customer in 10) the walk to 100 reachable customers passes
 *   about 1,000 ids, a few index pages, where reading each customer's row took one heap page
 *   per customer at 1,000,000 customers (uuids spread rows over the whole table). Statistics
 *   join usage facts to it in id order, without the heap (the prefecture is in the index).
 * - `consent_agreement_members_idx`: an individual agreement's active consents by customer,
 *   with the policy version the row rule compares: the rule's subquery is an index-only
 *   probe (or one ordered walk), never a visit to the consent rows.
 */
export class ActiveCustomerReads1764660000000 implements MigrationInterface {
  name = "ActiveCustomerReads1764660000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX customer_active_idx ON customer (id) INCLUDE (prefecture) WHERE deleted_at IS NULL AND erased_at IS NULL`);
    await q.query(
      `CREATE INDEX consent_agreement_members_idx ON consent (agreement_key, customer_id) INCLUDE (policy_version) WHERE kind = 'INDIVIDUAL_AGREEMENT' AND withdrawn_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX consent_agreement_members_idx`);
    await q.query(`DROP INDEX customer_active_idx`);
  }
}
