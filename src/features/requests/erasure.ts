import type { EntityManager } from "typeorm";

/**
 * What an erasure does to each table that holds rows about a customer. A test fails when a
 * table with a `customer_id` (or `customer_ids`) column is missing here.
 * Kept: only facts the law requires (APPI Art. 29 records, proof of consent and of the
 * request itself), which hold ids, dates and field names, never personal values.
 */
export const ERASURE_PLAN: Readonly<Record<string, string>> = {
  customer: "personal values set to NULL, erased_at set (the row stays as a tombstone for references)",
  service_usage: "deleted",
  campaign_entry: "deleted",
  notification_subscription: "deleted",
  consent: "kept as proof (ids, keys, dates, versions); active consents withdrawn",
  data_subject_request: "kept (the request and its history are the record of answering it); correction values, notes and refusal reasons erased (free text may hold personal values)",
  audit_event: "kept: holds no personal values (ids, field coordinates, codes)",
  disclosure_record: "kept for its retention period: holds no personal values (ids, field coordinates, grounds)",
  erasure_notification: "kept: one per recipient told of the erasure",
};

/**
 * Erases a customer in the caller's transaction and queues a notice to every recipient
 * that received their data (from the disclosure ledger). Returns how many notices.
 */
export async function eraseCustomer(m: EntityManager, customerId: string, requestId: string): Promise<number> {
  await m.query(
    `UPDATE customer SET full_name = NULL, email = NULL, phone = NULL, postal_code = NULL, prefecture = NULL,
            street_address = NULL, birth_date = NULL, gender = NULL, erased_at = now() WHERE id = $1`,
    [customerId],
  );
  for (const table of ["service_usage", "campaign_entry", "notification_subscription"]) {
    await m.query(`DELETE FROM ${table} WHERE customer_id = $1`, [customerId]);
  }
  await m.query(`UPDATE consent SET withdrawn_at = now() WHERE customer_id = $1 AND withdrawn_at IS NULL`, [customerId]);
  await m.query(
    `UPDATE data_subject_correction SET requested_value = NULL, before_value = NULL, after_value = NULL, erased_at = now()
      WHERE request_id IN (SELECT id FROM data_subject_request WHERE customer_id = $1)`,
    [customerId],
  );
  const queued = await m.query(
    `INSERT INTO erasure_notification (request_id, customer_id, recipient_id)
     SELECT $2, $1, recipient_id FROM disclosure_record WHERE customer_id = $1 GROUP BY recipient_id
     ON CONFLICT (request_id, recipient_id) DO NOTHING RETURNING id`,
    [customerId, requestId],
  );
  return queued.length;
}

/**
 * Free text staff wrote about the customer's requests (history notes, refusal reasons) may
 * quote personal values: erased too, last, so the note of the completing step goes with it.
 * The facts stay: which request, which step, when, by which client.
 */
export async function eraseRequestFreeText(m: EntityManager, customerId: string): Promise<void> {
  await m.query(
    `UPDATE data_subject_request_event SET note = NULL
      WHERE note IS NOT NULL AND request_id IN (SELECT id FROM data_subject_request WHERE customer_id = $1)`,
    [customerId],
  );
  await m.query(`UPDATE data_subject_request SET refusal_reason = '[erased]' WHERE customer_id = $1 AND refusal_reason IS NOT NULL`, [customerId]);
}
