import { fakerJA as faker } from "@faker-js/faker";
import type { DataSource } from "typeorm";
import { loadSettings } from "../config/settings";
import { bulkInsert } from "./bulk-insert";
import { PREFECTURES } from "../kernel/personal-data/prefectures";

export const SERVICES = ["Mobile", "Broadband", "Streaming", "Cloud Storage", "Travel Booking"] as const;
const GENDERS = ["FEMALE", "MALE", "OTHER", "UNDISCLOSED"] as const;

// Population weights: the big prefectures get more customers, as in life.
const WEIGHTED_PREFECTURES = PREFECTURES.map((p) => ({
  value: p.name,
  weight:
    ({ Tokyo: 14, Kanagawa: 9, Osaka: 9, Aichi: 7, Saitama: 7, Chiba: 6, Hyogo: 5, Hokkaido: 5, Fukuoka: 5 } as Record<string, number>)[
      p.name
    ] ?? 1,
}));

export interface SeedOptions {
  customers: number;
  /** mean service-usage rows per customer */
  usagePerCustomer?: number;
  seed?: number;
  /** days until a demo request is due (DSR_DEADLINE_DAYS) */
  deadlineDays?: number;
  /** told how far seeding has come (large SEED_CUSTOMERS take minutes) */
  onProgress?: (step: "customers" | "service usage" | "campaigns and subscriptions", done: number, total: number) => void;
}

/**
 * Realistic, deterministic demo data (same seed → same people): customers across Japan's
 * prefectures, their service usage, gift campaigns with entries and winners, and
 * notification subscriptions. Only runs on an empty store.
 */
export async function seedDemoData(
  db: DataSource,
  { customers, usagePerCustomer = 6, seed = 20261125, deadlineDays = loadSettings({}).requests.deadlineDays, onProgress }: SeedOptions,
): Promise<boolean> {
  const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM customer`);
  if (n > 0) return false;
  faker.seed(seed);
  const now = new Date("2026-11-20T00:00:00Z");

  const customerRows: unknown[][] = [];
  const ids: string[] = [];
  for (let i = 0; i < customers; i++) {
    const id = faker.string.uuid();
    ids.push(id);
    const createdAt = faker.date.between({ from: "2019-01-01T00:00:00Z", to: now });
    customerRows.push([
      id,
      faker.person.fullName(),
      faker.internet.email().toLowerCase(),
      faker.phone.number(),
      faker.location.zipCode(),
      faker.helpers.weightedArrayElement(WEIGHTED_PREFECTURES),
      `${faker.location.city()}${faker.location.streetAddress()}`,
      faker.date.birthdate({ mode: "age", min: 18, max: 85, refDate: now }).toISOString().slice(0, 10),
      faker.helpers.weightedArrayElement([
        { value: GENDERS[0], weight: 48 },
        { value: GENDERS[1], weight: 47 },
        { value: GENDERS[2], weight: 2 },
        { value: GENDERS[3], weight: 3 },
      ]),
      createdAt,
      faker.number.float() < 0.01 ? now : null, // a few soft-deleted accounts
    ]);
  }
  await bulkInsert(
    db,
    "customer",
    [
      "id",
      "full_name",
      "email",
      "phone",
      "postal_code",
      "prefecture",
      "street_address",
      "birth_date",
      "gender",
      "created_at",
      "deleted_at",
    ],
    customerRows,
    2000,
    (done) => onProgress?.("customers", done, customers),
  );

  const usageRows: unknown[][] = [];
  const flush = async () => {
    await bulkInsert(db, "service_usage", ["customer_id", "service", "amount", "occurred_at"], usageRows.splice(0));
  };
  for (const [index, id] of ids.entries()) {
    const count = faker.number.int({ min: 0, max: usagePerCustomer * 2 });
    for (let j = 0; j < count; j++) {
      usageRows.push([
        id,
        faker.helpers.arrayElement(SERVICES),
        faker.number.int({ min: 1, max: 200 }) * 100,
        faker.date.between({ from: "2025-01-01T00:00:00Z", to: now }),
      ]);
    }
    if (usageRows.length >= 20000) {
      await flush();
      onProgress?.("service usage", index + 1, ids.length);
    }
  }
  await flush();
  onProgress?.("service usage", ids.length, ids.length);

  const campaigns = [
    { name: "Spring Sakura Gift 2026", prize: "Matcha tea set", startsAt: "2026-03-01", endsAt: "2026-04-15" },
    { name: "Summer Festival 2026", prize: "Yukata voucher", startsAt: "2026-07-01", endsAt: "2026-08-31" },
    { name: "Autumn Harvest 2026", prize: "Rice from Niigata (5 kg)", startsAt: "2026-10-01", endsAt: "2026-11-30" },
  ].map((c) => ({ ...c, id: faker.string.uuid() }));
  await bulkInsert(
    db,
    "gift_campaign",
    ["id", "name", "prize", "starts_at", "ends_at"],
    campaigns.map((c) => [c.id, c.name, c.prize, c.startsAt, c.endsAt]),
  );

  const entryRows: unknown[][] = [];
  for (const [index, campaign] of campaigns.entries()) {
    const entrants = faker.helpers.arrayElements(ids, Math.max(3, Math.floor(ids.length * 0.08)));
    const winners = new Set(faker.helpers.arrayElements(entrants, Math.min(entrants.length, 5)));
    for (const customerId of entrants) {
      const won = winners.has(customerId);
      entryRows.push([
        campaign.id,
        customerId,
        faker.date.between({ from: campaign.startsAt, to: campaign.endsAt }),
        won,
        won && index === 0 ? new Date(campaign.endsAt) : null, // the spring prizes are already shipped
      ]);
    }
  }
  await bulkInsert(db, "campaign_entry", ["campaign_id", "customer_id", "entered_at", "won", "shipped_at"], entryRows);

  const subscriptionRows: unknown[][] = [];
  for (const id of ids) {
    if (faker.number.float() < 0.7)
      subscriptionRows.push([id, "EMAIL_MAGAZINE", faker.number.float() < 0.85, faker.date.recent({ days: 400, refDate: now })]);
    if (faker.number.float() < 0.4)
      subscriptionRows.push([id, "SERVICE_NEWS", faker.number.float() < 0.9, faker.date.recent({ days: 400, refDate: now })]);
  }
  await bulkInsert(db, "notification_subscription", ["customer_id", "channel", "opted_in", "changed_at"], subscriptionRows);
  onProgress?.("campaigns and subscriptions", ids.length, ids.length);

  // A few customers have asked to see their data (agreement 1.5): DATA_SUBJECT_REQUEST
  // reaches only customers with an open request, so the privacy office has work to show.
  const active = ids.filter((_, i) => customerRows[i][10] === null); // [10]: deleted_at
  const requesters = faker.helpers.arrayElements(active, Math.min(3, active.length));
  for (const customerId of requesters) {
    // recorded as the request store records one (received, with its first history step)
    await db.query(
      `WITH request AS (
         INSERT INTO data_subject_request (customer_id, kind, status, due_at) VALUES ($1, 'DISCLOSURE', 'RECEIVED', now() + make_interval(days => $2)) RETURNING id)
       INSERT INTO data_subject_request_event (request_id, status, note) SELECT id, 'RECEIVED', 'demo: received by post' FROM request`,
      [customerId, deadlineDays],
    );
  }
  // fresh statistics for the planner: an un-analysed store plans its row rules badly (a scan
  // of every customer for a page's usage); after a bulk load, always ANALYZE
  await db.query(`ANALYZE customer, service_usage, campaign_entry, notification_subscription, data_subject_request`);
  return true;
}
