import type { FeatureDb } from "../../kernel/store/feature-db";
import { SqlFilter } from "../../kernel/store/sql-filter";
import type { RecipientKind } from "../../kernel/caller/recipient";

/** One ledger record: personal data of one customer provided to one recipient (APPI Art. 29). */
export interface DisclosureRecordRow {
  id: string;
  eventSeq: string;
  recipientId: string;
  recipientName: string;
  recipientKind: RecipientKind;
  customerId: string;
  dataItems: string[];
  ground: string | null;
  purpose: string | null;
  reference: string | null;
  disclosedAt: Date;
  retainUntil: Date;
}

export interface DisclosureFilter {
  customerId?: string | null;
  recipientId?: string | null;
  ground?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** Ledger records matching the filter, newest first. */
export async function searchDisclosures(
  db: FeatureDb,
  filter: DisclosureFilter,
  page: { first: number; offset: number },
): Promise<DisclosureRecordRow[]> {
  const f = new SqlFilter()
    .add("d.customer_id = $?::uuid", filter.customerId)
    .add("d.recipient_id = $?::uuid", filter.recipientId)
    .add("d.ground = $?", filter.ground)
    .add("d.disclosed_at >= $?", filter.from)
    .add("d.disclosed_at < $?", filter.to);
  const rows = await db.query(
    `SELECT d.id::text AS id, d.event_seq::text AS event_seq, d.recipient_id, r.name AS recipient_name, d.recipient_kind,
            d.customer_id, d.data_items, d.ground, d.purpose, d.reference, d.disclosed_at, d.retain_until
     FROM disclosure_record d JOIN recipient r ON r.id = d.recipient_id
     ${f.where}
     ORDER BY d.disclosed_at DESC, d.id DESC
     LIMIT ${f.param(page.first)} OFFSET ${f.param(page.offset)}`,
    f.params,
  );
  return rows.map((row: any) => ({
    id: row.id,
    eventSeq: row.event_seq,
    recipientId: row.recipient_id,
    recipientName: row.recipient_name,
    recipientKind: row.recipient_kind,
    customerId: row.customer_id,
    dataItems: row.data_items,
    ground: row.ground,
    purpose: row.purpose,
    reference: row.reference,
    disclosedAt: row.disclosed_at,
    retainUntil: row.retain_until,
  }));
}

/** Removes ledger records past their retention date (the table refuses any other deletion). */
export async function purgeExpiredDisclosures(db: FeatureDb): Promise<number> {
  // the database's clock, the same one the table's guard trigger checks against
  const [, deleted] = await db.query(`DELETE FROM disclosure_record WHERE retain_until < now()`);
  return deleted ?? 0;
}
