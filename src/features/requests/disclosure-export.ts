import type { EntityManager } from "typeorm";

/**
 * Every table that holds rows about a customer, and the export section that discloses it.
 * A test fails when a table with a `customer_id` (or `customer_ids`) column is missing here.
 */
export const EXPORT_SECTIONS: Readonly<Record<string, string>> = {
  customer: "customer",
  service_usage: "serviceUsage",
  campaign_entry: "campaignEntries",
  notification_subscription: "notificationSubscriptions",
  consent: "consents",
  data_subject_request: "requests",
  audit_event: "accessLog",
  disclosure_record: "thirdPartyDisclosures",
  erasure_notification: "erasureNotifications",
};

const one = async (m: EntityManager, sql: string, params: unknown[]) => (await m.query(sql, params))[0]?.j ?? null;
const many = async (m: EntityManager, sql: string, params: unknown[]) => (await m.query(`SELECT coalesce(json_agg(x), '[]'::json) AS j FROM (${sql}) x`, params))[0].j;

/**
 * Everything stored about a customer, who accessed it for which purposes (the audit trail)
 * and every disclosure to a third party or processor (the ledger), as one JSON document.
 * Built in SQL inside the request's transaction.
 */
export async function buildDisclosureExport(m: EntityManager, customerId: string, requestId: string): Promise<Record<string, unknown>> {
  const p = [customerId];
  const sections: Record<string, unknown> = {
    customer: await one(
      m,
      `SELECT json_build_object('id', id, 'fullName', full_name, 'email', email, 'phone', phone, 'postalCode', postal_code,
         'prefecture', prefecture, 'streetAddress', street_address, 'birthDate', birth_date, 'gender', gender,
         'createdAt', created_at, 'deletedAt', deleted_at, 'erasedAt', erased_at) AS j FROM customer WHERE id = $1`,
      p,
    ),
    serviceUsage: await many(m, `SELECT id, service, amount, occurred_at AS "occurredAt" FROM service_usage WHERE customer_id = $1 ORDER BY occurred_at`, p),
    campaignEntries: await many(
      m,
      `SELECT e.id, g.name AS campaign, e.entered_at AS "enteredAt", e.won, e.shipped_at AS "shippedAt"
         FROM campaign_entry e JOIN gift_campaign g ON g.id = e.campaign_id WHERE e.customer_id = $1 ORDER BY e.entered_at`,
      p,
    ),
    notificationSubscriptions: await many(
      m,
      `SELECT channel, opted_in AS "optedIn", changed_at AS "changedAt" FROM notification_subscription WHERE customer_id = $1 ORDER BY channel`,
      p,
    ),
    consents: await many(
      m,
      `SELECT id, kind, agreement_key AS "agreement", recipient_id AS "recipientId", policy_version AS "policyVersion",
              granted_at AS "grantedAt", withdrawn_at AS "withdrawnAt" FROM consent WHERE customer_id = $1 ORDER BY granted_at`,
      p,
    ),
    requests: await many(
      m,
      `SELECT r.id, r.kind, r.status, r.refusal_reason AS "refusalReason", r.received_at AS "receivedAt", r.due_at AS "dueAt",
              r.completed_at AS "completedAt",
              (SELECT coalesce(json_agg(json_build_object('status', e.status, 'note', e.note, 'at', e.at) ORDER BY e.id), '[]'::json)
                 FROM data_subject_request_event e WHERE e.request_id = r.id) AS history,
              (SELECT coalesce(json_agg(json_build_object('field', c.field, 'requestedValue', c.requested_value, 'beforeValue', c.before_value,
                        'afterValue', c.after_value, 'appliedAt', c.applied_at) ORDER BY c.id), '[]'::json)
                 FROM data_subject_correction c WHERE c.request_id = r.id) AS corrections
         FROM data_subject_request r WHERE r.customer_id = $1 ORDER BY r.received_at`,
      p,
    ),
    accessLog: await many(
      m,
      `SELECT a.occurred_at AS "at", a.client_name AS "client", a.purpose, a.agreement, r.name AS "recipient",
              a.disclosure_ground AS "disclosureGround", a.disclosure_reference AS "disclosureReference",
              a.operation_name AS "operation", a.fields, a.outcome
         FROM audit_event a LEFT JOIN recipient r ON r.id = a.recipient_id
        WHERE a.customer_ids @> ARRAY[$1]::uuid[] ORDER BY a.seq`,
      p,
    ),
    thirdPartyDisclosures: await many(
      m,
      `SELECT d.disclosed_at AS "at", r.name AS "recipient", d.recipient_kind AS "recipientKind", r.contract_ref AS "contract",
              d.data_items AS "dataItems", d.ground, d.purpose, d.reference
         FROM disclosure_record d JOIN recipient r ON r.id = d.recipient_id WHERE d.customer_id = $1 ORDER BY d.id`,
      p,
    ),
    erasureNotifications: await many(
      m,
      `SELECT r.name AS "recipient", n.status, n.attempts, n.delivered_at AS "deliveredAt"
         FROM erasure_notification n JOIN recipient r ON r.id = n.recipient_id WHERE n.customer_id = $1 ORDER BY n.created_at`,
      p,
    ),
  };
  return {
    format: "purpose-gateway/disclosure-export@1",
    generatedAt: new Date().toISOString(),
    requestId,
    customerId,
    ...sections,
  };
}
