import { ClientRegistry } from "../../src/clients/client-registry";
import { RecipientRegistry, type RecipientInput } from "../../src/features/disclosure/recipient-registry";
import type { Purpose } from "../../src/kernel/purposes/purpose";
import type { TestGateway } from "../support/test-gateway";

/** Registers a recipient and returns its id. */
export async function addRecipient(t: TestGateway, input: RecipientInput): Promise<string> {
  return (await new RecipientRegistry(t.db).create(input)).id;
}

/** A new API client acting for a recipient; returns its key. */
export async function recipientClient(t: TestGateway, name: string, purposes: Purpose[], recipient: string): Promise<string> {
  const key = await t.client(name, purposes);
  await new RecipientRegistry(t.db).attachClient(name, recipient);
  return key;
}

/** A client with DATA_SUBJECT_REQUEST and, unless told otherwise, the PRIVACY_OFFICER role. */
export async function officerClient(t: TestGateway, name: string, roles: string[] = ["PRIVACY_OFFICER"]): Promise<string> {
  return (await new ClientRegistry(t.db).create(name, ["DATA_SUBJECT_REQUEST"], { roles })).key;
}

/** A customer's consent to disclosure to a third party (agreement 3.1). */
export async function consentTo(t: TestGateway, customerId: string, recipientId: string, withdrawn = false): Promise<void> {
  await t.db.query(
    `INSERT INTO consent (customer_id, kind, recipient_id, policy_version, granted_at, withdrawn_at)
     VALUES ($1, 'THIRD_PARTY_DISCLOSURE', $2, 'test', now() - interval '1 day', CASE WHEN $3 THEN now() END)`,
    [customerId, recipientId, withdrawn],
  );
}

export interface AuditRow {
  seq: string;
  client_name: string | null;
  client_id: string | null;
  recipient_id: string | null;
  purpose: string | null;
  disclosure_ground: string | null;
  disclosure_reference: string | null;
  operation_name: string | null;
  operation_type: string | null;
  document_hash: string | null;
  fields: string[];
  customer_ids: string[];
  outcome: string;
  error_codes: string[];
  http_status: number;
  occurred_at: Date;
}

/** Audit events in chain order, after sequence number `after`. */
export async function auditRows(t: TestGateway, after = 0): Promise<AuditRow[]> {
  return t.db.query(`SELECT *, seq::text AS seq FROM audit_event WHERE seq > $1 ORDER BY audit_event.seq`, [after]);
}

export async function lastSeq(t: TestGateway): Promise<number> {
  const [{ max }] = await t.db.query(`SELECT coalesce(max(seq), 0)::int AS max FROM audit_event`);
  return max;
}

export async function ledgerRows(t: TestGateway, after = 0): Promise<any[]> {
  return t.db.query(`SELECT * FROM disclosure_record WHERE event_seq > $1 ORDER BY event_seq, customer_id`, [after]);
}
