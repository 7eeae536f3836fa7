import type { DataSource } from "typeorm";
import { insertCustomer, insertUsage, type CustomerRow } from "../support/fixtures";

/**
 * A population for statistics tests, set-based (one INSERT … SELECT per crowd). Ages are
 * reckoned on the first day of the current month, so birth dates are chosen mid-band.
 *
 *   Tokyo     300 customers: FEMALE / MALE / OTHER (100 each), ages 31–59, 2 uses each in 2026-01..06
 *   Osaka     200 customers: FEMALE / MALE, ages 31–59, 2 uses each
 *   Kanagawa  150 customers: FEMALE / MALE / UNDISCLOSED, ages 41–49, 1 use each
 *   Hokkaido   60 customers, all soft-deleted or erased (must never count)
 */
export async function seedCrowds(db: DataSource): Promise<void> {
  const thisYear = new Date().getUTCFullYear();
  const crowd = async (name: string, size: number, prefecture: string, genders: string[], minAge: number, ageSpan: number, extra = "") => {
    await db.query(
      `INSERT INTO customer (full_name, email, phone, postal_code, prefecture, street_address, birth_date, gender, created_at ${extra ? ", deleted_at, erased_at" : ""})
       SELECT $1 || ' ' || g, lower($1) || g || '@example.jp', '090-1111-' || lpad(g::text, 4, '0'), '100-0001', $2, 'Street ' || g,
              make_date($3::int - ($4::int + (g % $5::int)) - 1, 6, 15),
              ($6::text[])[1 + (g % array_length($6::text[], 1))],
              timestamptz '2025-01-10 03:00Z' + ((g % 12) || ' months')::interval
              ${extra}
         FROM generate_series(1, $7::int) g`,
      [name, prefecture, thisYear, minAge, ageSpan, genders, size],
    );
  };
  await crowd("Tokyo", 300, "Tokyo", ["FEMALE", "MALE", "OTHER"], 31, 29);
  await crowd("Osaka", 200, "Osaka", ["FEMALE", "MALE"], 31, 29);
  await crowd("Kanagawa", 150, "Kanagawa", ["FEMALE", "MALE", "UNDISCLOSED"], 41, 9);
  await crowd(
    "Gone",
    60,
    "Hokkaido",
    ["FEMALE", "MALE"],
    31,
    29,
    ", CASE WHEN g % 2 = 0 THEN now() END, CASE WHEN g % 2 = 1 THEN now() END",
  );

  // uses: Tokyo and Osaka twice, Kanagawa once; 1,000–9,000 yen; January to June 2026 (JST noon)
  await db.query(
    `INSERT INTO service_usage (customer_id, service, amount, occurred_at)
     SELECT c.id,
            (ARRAY['Mobile','Broadband','Streaming','Cloud Storage','Travel Booking'])[1 + ((n + i) % 5)],
            1000 * (1 + ((n * 7 + i) % 9)),
            timestamptz '2026-01-05 03:00Z' + (((n + i * 3) % 170) || ' days')::interval
       FROM (SELECT id, prefecture, row_number() OVER (ORDER BY full_name) AS n FROM customer) c
       CROSS JOIN generate_series(1, 2) i
      WHERE c.prefecture IN ('Tokyo', 'Osaka', 'Hokkaido') OR (c.prefecture = 'Kanagawa' AND i = 1)`,
  );
}

export interface Target {
  customer: CustomerRow;
  service: string;
  amount: number;
  usedAt: string;
}

/**
 * The target: the only customer in Tottori, 80 or older, gender OTHER, signed up in
 * March 2026, who paid exactly 19,900 yen once for Travel Booking in February 2026.
 */
export async function plantTarget(db: DataSource): Promise<Target> {
  const thisYear = new Date().getUTCFullYear();
  const customer = await insertCustomer(db, {
    fullName: "Target Person",
    prefecture: "Tottori",
    birthDate: `${thisYear - 87}-03-03`,
    gender: "OTHER",
    createdAt: new Date("2026-03-10T01:00:00Z"),
  });
  const target = { customer, service: "Travel Booking", amount: 19_900, usedAt: "2026-02-14T03:00:00Z" };
  await insertUsage(db, customer.id, target.service, target.amount, target.usedAt);
  return target;
}

/** `count` customers in Osaka, aged 30–39, gender UNDISCLOSED (a cell of exactly that size). */
export async function plantCell(db: DataSource, count: number, name = "Cell"): Promise<CustomerRow[]> {
  const thisYear = new Date().getUTCFullYear();
  const rows: CustomerRow[] = [];
  for (let i = 0; i < count; i++) {
    const row = await insertCustomer(db, {
      fullName: `${name} ${i}`,
      prefecture: "Osaka",
      birthDate: `${thisYear - 36}-06-01`,
      gender: "UNDISCLOSED",
    });
    await insertUsage(db, row.id, "Mobile", 3000, "2026-03-03T03:00:00Z");
    rows.push(row);
  }
  return rows;
}
