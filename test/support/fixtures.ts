import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";

export interface CustomerRow {
  id: string;
  fullName: string;
  email: string;
  phone: string;
  postalCode: string;
  prefecture: string;
  streetAddress: string;
  birthDate: string;
  gender: "FEMALE" | "MALE" | "OTHER" | "UNDISCLOSED";
  createdAt: Date;
  deletedAt: Date | null;
  erasedAt: Date | null;
}

let counter = 0;

/** Inserts a customer with recognisable values; override what the test cares about. */
export async function insertCustomer(db: DataSource, overrides: Partial<CustomerRow> = {}): Promise<CustomerRow> {
  counter++;
  const row: CustomerRow = {
    id: randomUUID(),
    fullName: `Test Person ${counter}`,
    email: `person${counter}@example.jp`,
    phone: `090-0000-${String(counter).padStart(4, "0")}`,
    postalCode: "100-0001",
    prefecture: "Tokyo",
    streetAddress: `Chiyoda 1-${counter}`,
    birthDate: "1990-04-01",
    gender: "FEMALE",
    createdAt: new Date("2025-01-15T00:00:00Z"),
    deletedAt: null,
    erasedAt: null,
    ...overrides,
  };
  await db.query(
    `INSERT INTO customer (id, full_name, email, phone, postal_code, prefecture, street_address, birth_date, gender, created_at, deleted_at, erased_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
    [
      row.id,
      row.fullName,
      row.email,
      row.phone,
      row.postalCode,
      row.prefecture,
      row.streetAddress,
      row.birthDate,
      row.gender,
      row.createdAt,
      row.deletedAt,
      row.erasedAt,
    ],
  );
  return row;
}

export async function insertUsage(
  db: DataSource,
  customerId: string,
  service: string,
  amount: number,
  occurredAt: Date | string,
): Promise<string> {
  const [{ id }] = await db.query(
    `INSERT INTO service_usage (customer_id, service, amount, occurred_at) VALUES ($1,$2,$3,$4) RETURNING id`,
    [customerId, service, amount, occurredAt],
  );
  return id;
}

export async function insertCampaign(db: DataSource, name = "Test Campaign"): Promise<string> {
  const [{ id }] = await db.query(
    `INSERT INTO gift_campaign (name, prize, starts_at, ends_at) VALUES ($1, 'Tea set', '2026-01-01', '2026-02-01') RETURNING id`,
    [name],
  );
  return id;
}

export async function insertEntry(db: DataSource, campaignId: string, customerId: string, won: boolean): Promise<string> {
  const [{ id }] = await db.query(
    `INSERT INTO campaign_entry (campaign_id, customer_id, entered_at, won) VALUES ($1,$2,'2026-01-10',$3) RETURNING id`,
    [campaignId, customerId, won],
  );
  return id;
}

export async function subscribe(
  db: DataSource,
  customerId: string,
  channel: "EMAIL_MAGAZINE" | "SERVICE_NEWS",
  optedIn: boolean,
): Promise<void> {
  await db.query(
    `INSERT INTO notification_subscription (customer_id, channel, opted_in) VALUES ($1,$2,$3)
     ON CONFLICT (customer_id, channel) DO UPDATE SET opted_in = EXCLUDED.opted_in, changed_at = now()`,
    [customerId, channel, optedIn],
  );
}

/** Opens a data subject request: DATA_SUBJECT_REQUEST reaches only customers with one open. */
export async function openRequest(
  db: DataSource,
  customerId: string,
  kind: "DISCLOSURE" | "CORRECTION" | "DELETION" = "DISCLOSURE",
): Promise<string> {
  const [{ id }] = await db.query(
    `INSERT INTO data_subject_request (customer_id, kind, status, due_at) VALUES ($1, $2, 'RECEIVED', now() + interval '30 days') RETURNING id`,
    [customerId, kind],
  );
  return id;
}
