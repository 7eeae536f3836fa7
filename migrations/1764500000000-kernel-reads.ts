import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * For the kernel's data layer: an index under every row-rule subquery (NOTIFICATION's
 * subscribers, PRIZE_DELIVERY's winners, INDIVIDUAL_AGREEMENT's and third parties' consents),
 * so a rule costs an index probe per customer whatever the store's size; and a refusal
 * reason, free text that may quote personal values, can be erased with the customer.
 */
export class KernelReads1764500000000 implements MigrationInterface {
  name = "KernelReads1764500000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX notification_subscription_opted_in_idx ON notification_subscription (customer_id) WHERE opted_in`);
    await q.query(`CREATE INDEX campaign_entry_winner_idx ON campaign_entry (customer_id) WHERE won`);
    await q.query(`CREATE INDEX campaign_entry_campaign_winner_idx ON campaign_entry (campaign_id, entered_at) WHERE won`);
    await q.query(
      `CREATE INDEX consent_active_agreement_customer_idx ON consent (customer_id, agreement_key) WHERE kind = 'INDIVIDUAL_AGREEMENT' AND withdrawn_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX consent_active_recipient_customer_idx ON consent (customer_id, recipient_id) WHERE kind = 'THIRD_PARTY_DISCLOSURE' AND withdrawn_at IS NULL`,
    );
    await q.query(`CREATE INDEX notification_subscription_customer_idx ON notification_subscription (customer_id)`);
    // the sign-up date is personal too (declared so): erased with the rest
    await q.query(`ALTER TABLE customer ALTER COLUMN created_at DROP NOT NULL`);
    await q.query(`ALTER TABLE data_subject_request DROP CONSTRAINT data_subject_request_check`);
    await q.query(
      `ALTER TABLE data_subject_request ADD CONSTRAINT data_subject_request_reason_only_when_refused CHECK (status = 'REFUSED' OR refusal_reason IS NULL)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer ALTER COLUMN created_at SET NOT NULL`);
    await q.query(`ALTER TABLE data_subject_request DROP CONSTRAINT data_subject_request_reason_only_when_refused`);
    await q.query(
      `ALTER TABLE data_subject_request ADD CONSTRAINT data_subject_request_check CHECK ((status = 'REFUSED') = (refusal_reason IS NOT NULL))`,
    );
    for (const index of [
      "notification_subscription_customer_idx",
      "consent_active_recipient_customer_idx",
      "consent_active_agreement_customer_idx",
      "campaign_entry_campaign_winner_idx",
      "campaign_entry_winner_idx",
      "notification_subscription_opted_in_idx",
    ]) {
      await q.query(`DROP INDEX ${index}`);
    }
  }
}
