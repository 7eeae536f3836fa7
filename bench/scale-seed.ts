import { Client } from "pg";
import type { DataSource } from "typeorm";
import { PREFECTURES, seedDemoConsents } from "./from-src";

/**
 * Seeding a scale database (bench/scale.ts) with set-based SQL: every row is generated inside
 * PostgreSQL (`generate_series`, `random()`), none is sent from Node, so 1,000,000 customers
 * and about 6,000,000 usage rows take minutes, not hours. The distributions follow the demo
 * data (src/seed/demo-data.ts, src/consent/demo-consents.ts):
 *   - customers: Japanese names, the 47 prefectures weighted by population, genders
 *     48/47/2/3 %, ages 18–85 (most in their thirties to sixties), sign-ups 2019 → today
 *     (growing: more recent ones), ~1 % soft-deleted;
 *   - service usage: 0–12 rows per customer (6 on average) over the five services (Mobile
 *     most used, Travel Booking least, each with its own price range), over the last 24
 *     months and never before the customer signed up;
 *   - notification subscriptions: ~31 % of customers opted in to at least one channel;
 *   - a gift campaign entered by ~5 % of customers, ~1 % of the entries winning;
 *   - open data subject requests (disclosure, received) for a few active customers;
 *   - consents to the individual agreement "survey-2026" for every 10th active customer
 *     (by id), recorded by the project's own `seedDemoConsents` once a gateway has put the
 *     first policy version in force (so after the first gateway start: `seedConsents`).
 * Then VACUUM (ANALYZE), so the planner knows the sizes and index-only scans need no heap. The
 * statistics usage facts are built from the usage rows by the first gateway's start
 * (statistics/usage-facts.ts); a database seeded before they existed gets them from their migration.
 */

export interface SeedCounts {
  customers: number;
  usage: number;
  subscriptions: number;
  entries: number;
  winners: number;
  openRequests: number;
  consents: number;
}

export async function countSeeded(db: DataSource | Client): Promise<SeedCounts> {
  const query = async (sql: string) => {
    const rows = db instanceof Client ? (await db.query(sql)).rows : await db.query(sql);
    return Number(rows[0].n);
  };
  return {
    customers: await query(`SELECT count(*) AS n FROM customer`),
    usage: await query(`SELECT count(*) AS n FROM service_usage`),
    subscriptions: await query(`SELECT count(*) AS n FROM notification_subscription`),
    entries: await query(`SELECT count(*) AS n FROM campaign_entry`),
    winners: await query(`SELECT count(*) AS n FROM campaign_entry WHERE won`),
    openRequests: await query(`SELECT count(*) AS n FROM data_subject_request WHERE status IN ('RECEIVED', 'IN_PROGRESS')`),
    consents: await query(`SELECT count(*) AS n FROM consent WHERE kind = 'INDIVIDUAL_AGREEMENT' AND withdrawn_at IS NULL`),
  };
}

/** Whether a database already holds the data of this scale (then it is reused). */
export function holdsScale(counts: SeedCounts, customers: number): boolean {
  return (
    counts.customers === customers &&
    counts.usage >= 4 * customers &&
    counts.usage <= 8 * customers &&
    counts.subscriptions > 0 &&
    counts.entries > 0 &&
    counts.winners > 0 &&
    counts.openRequests >= 3 &&
    counts.consents > 0
  );
}

/** Prefectures weighted roughly by population, so the seeded data has big and small cells (both seeders). */
export const POPULATION_WEIGHT: Record<string, number> = {
  Tokyo: 14,
  Kanagawa: 9,
  Osaka: 9,
  Aichi: 7,
  Saitama: 7,
  Chiba: 6,
  Hyogo: 5,
  Hokkaido: 5,
  Fukuoka: 5,
};
const FAMILY_NAMES = [
  "佐藤",
  "鈴木",
  "高橋",
  "田中",
  "伊藤",
  "渡辺",
  "山本",
  "中村",
  "小林",
  "加藤",
  "吉田",
  "山田",
  "佐々木",
  "山口",
  "松本",
  "井上",
  "木村",
  "林",
  "斎藤",
  "清水",
  "山崎",
  "森",
  "池田",
  "橋本",
  "阿部",
  "石川",
  "山下",
  "中島",
  "石井",
  "小川",
  "前田",
  "岡田",
  "長谷川",
  "藤田",
  "後藤",
  "近藤",
  "村上",
  "遠藤",
  "青木",
  "坂本",
];
const GIVEN_NAMES = [
  "翔太",
  "蓮",
  "大翔",
  "湊",
  "悠真",
  "陽斗",
  "健太",
  "拓也",
  "直樹",
  "誠",
  "浩",
  "隆",
  "学",
  "大輔",
  "剛",
  "陽菜",
  "結衣",
  "葵",
  "さくら",
  "美咲",
  "愛",
  "真由美",
  "裕子",
  "恵子",
  "陽子",
  "直美",
  "由美子",
  "久美子",
  "彩",
  "花子",
  "七海",
  "凛",
  "芽依",
  "美優",
  "琴音",
];
const TOWNS = ["中央", "本町", "栄町", "緑町", "旭町", "幸町", "新町", "東町", "西町", "南町", "北町", "桜町", "若葉", "宮前", "駅前"];
const DOMAINS = [
  "example.jp",
  "mail.example.jp",
  "docomo.example.ne.jp",
  "ezweb.example.ne.jp",
  "softbank.example.ne.jp",
  "gmail.example.com",
  "yahoo.example.co.jp",
  "icloud.example.com",
];

/**
 * Runs `fill` (a bulk INSERT into `table`) with the table's indexes and its primary-key,
 * unique and foreign-key constraints dropped, then builds them again: one sort per index instead of millions of
 * random B-tree insertions and one foreign-key check per row (6,000,000 usage rows: a
 * minute or two instead of many; a foreign key is validated again in one pass). The
 * definitions are read from the catalogue, so whatever the migrations declare is rebuilt
 * exactly; all in one transaction, so a failure leaves the table as it was. Tables that
 * other tables reference (a foreign key to them) are filled with their indexes in place.
 */
async function withoutIndexes(client: Client, table: string, log: (line: string) => void, fill: () => Promise<void>): Promise<void> {
  const { rowCount: referenced } = await client.query(`SELECT 1 FROM pg_constraint WHERE contype = 'f' AND confrelid = $1::regclass`, [
    table,
  ]);
  if (referenced) return fill();
  await client.query("BEGIN");
  try {
    const { rows: constraints } = await client.query(
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype DESC, conname`,
      [table],
    );
    const { rows: indexes } = await client.query(
      `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)`,
      [table],
    );
    for (const index of indexes) await client.query(`DROP INDEX ${quoteIdent(index.name)}`);
    for (const constraint of constraints) await client.query(`ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(constraint.conname)}`);
    await fill();
    const started = Date.now();
    for (const constraint of constraints)
      await client.query(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(constraint.conname)} ${constraint.def}`);
    for (const index of indexes) await client.query(index.def);
    await client.query("COMMIT");
    log(
      `    ${table}: ${constraints.length} constraints and ${indexes.length} indexes rebuilt in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Seeds an empty, migrated store with `customers` customers and everything around them. */
export async function seedScale(url: string, customers: number, log: (line: string) => void): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const step = async (label: string, sql: string, params: unknown[] = []): Promise<void> => {
    const started = Date.now();
    const result = await client.query(sql, params);
    log(`    ${label}: ${result.rowCount ?? 0} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  try {
    await client.query(`SET synchronous_commit = off`); // a benchmark database: a crash just means reseeding
    await client.query(`SET work_mem = '64MB'`);
    await client.query(`SET maintenance_work_mem = '256MB'`);
    const prefectures = PREFECTURES.flatMap((p) => Array(POPULATION_WEIGHT[p.name] ?? 1).fill(p.name));
    const pick = (param: string) => `(${param}::text[])[1 + floor(random() * array_length(${param}::text[], 1))::int]`;

    await step(
      "customers",
      `INSERT INTO customer (full_name, email, phone, postal_code, prefecture, street_address, birth_date, gender, created_at, deleted_at)
       SELECT r.family || ' ' || r.given,
              'user' || r.g || '.' || substr(md5(r.g::text), 1, 4) || '@' || ($5::text[])[1 + r.g % array_length($5::text[], 1)],
              '0' || (ARRAY['90', '80', '70'])[1 + r.g % 3] || '-' || lpad((r.g::bigint * 7919 % 10000)::text, 4, '0') || '-' || lpad((r.g % 10000)::text, 4, '0'),
              lpad(floor(r.u1 * 1000)::int::text, 3, '0') || '-' || lpad(floor(r.u2 * 10000)::int::text, 4, '0'),
              r.prefecture,
              r.town || (1 + r.g * 7 % 9) || '-' || (1 + r.g * 13 % 27) || '-' || (1 + r.g * 31 % 15),
              -- 18 to 85 years old, most in the middle (the sum of two uniforms)
              current_date - (6575 + floor((r.u3 + r.u4) / 2 * 24471))::int,
              CASE WHEN r.u5 < 0.48 THEN 'FEMALE' WHEN r.u5 < 0.95 THEN 'MALE' WHEN r.u5 < 0.97 THEN 'OTHER' ELSE 'UNDISCLOSED' END,
              r.created_at,
              CASE WHEN r.u6 < 0.01 THEN r.created_at + (now() - r.created_at) * r.u7 END
         FROM (SELECT g, ${pick("$2")} AS family, ${pick("$3")} AS given, ${pick("$4")} AS town, ${pick("$6")} AS prefecture,
                      random() AS u1, random() AS u2, random() AS u3, random() AS u4, random() AS u5, random() AS u6, random() AS u7,
                      -- sign-ups from 2019 to now, more of them recently
                      timestamptz '2019-01-01 00:00+09' + (now() - timestamptz '2019-01-01 00:00+09') * sqrt(random()) AS created_at
                 FROM generate_series(1, $1::int) g) r`,
      [customers, FAMILY_NAMES, GIVEN_NAMES, TOWNS, DOMAINS, prefectures],
    );

    await withoutIndexes(client, "service_usage", log, () =>
      step(
        "service usage",
        `INSERT INTO service_usage (customer_id, service, amount, occurred_at)
         SELECT u.customer_id,
                CASE WHEN u.s < 0.35 THEN 'Mobile' WHEN u.s < 0.55 THEN 'Broadband' WHEN u.s < 0.80 THEN 'Streaming'
                     WHEN u.s < 0.92 THEN 'Cloud Storage' ELSE 'Travel Booking' END,
                CASE WHEN u.s < 0.35 THEN 2000 + 100 * floor(u.a * 61) WHEN u.s < 0.55 THEN 4000 + 100 * floor(u.a * 21)
                     WHEN u.s < 0.80 THEN 500 + 100 * floor(u.a * 16) WHEN u.s < 0.92 THEN 100 + 100 * floor(u.a * 15)
                     ELSE 5000 + 1000 * floor(u.a * 146) END::int,
                now() - u.t * least(interval '730 days', now() - u.created_at)
           FROM (SELECT c.id AS customer_id, c.created_at, random() AS s, random() AS a, random() AS t
                   FROM (SELECT id, created_at, floor(random() * 13)::int AS k FROM customer) c
                   CROSS JOIN LATERAL generate_series(1, c.k) i) u`,
      ),
    );

    await withoutIndexes(client, "notification_subscription", log, () =>
      step(
        "notification subscriptions",
        `INSERT INTO notification_subscription (customer_id, channel, opted_in, changed_at)
         SELECT id, 'EMAIL_MAGAZINE', random() < 0.5, greatest(created_at, now() - random() * interval '400 days') FROM customer WHERE random() < 0.5
         UNION ALL
         SELECT id, 'SERVICE_NEWS', random() < 0.4, greatest(created_at, now() - random() * interval '400 days') FROM customer WHERE random() < 0.2`,
      ),
    );

    await step(
      "gift campaign",
      `INSERT INTO gift_campaign (name, prize, starts_at, ends_at)
       VALUES ('Autumn Harvest 2026', 'Rice from Niigata (5 kg)', '2026-10-01 00:00+09', '2026-11-30 23:59+09')`,
    );
    await step(
      "campaign entries (~1 % winning)",
      `INSERT INTO campaign_entry (campaign_id, customer_id, entered_at, won)
       SELECT g.id, e.id, g.starts_at + (g.ends_at - g.starts_at) * random(), e.n = 1 OR random() < 0.01
         FROM gift_campaign g,
              (SELECT id, row_number() OVER () AS n FROM customer WHERE deleted_at IS NULL AND random() < 0.05) e
        WHERE g.name = 'Autumn Harvest 2026'`,
    );

    const requests = Math.max(3, Math.floor(customers / 20_000));
    await step(
      "open data subject requests",
      `WITH picked AS (
         SELECT id FROM customer WHERE deleted_at IS NULL AND erased_at IS NULL
          ORDER BY md5(id::text) LIMIT $1
       ), received AS (
         INSERT INTO data_subject_request (customer_id, kind, status, due_at)
         SELECT id, 'DISCLOSURE', 'RECEIVED', now() + interval '14 days' FROM picked
         RETURNING id
       )
       INSERT INTO data_subject_request_event (request_id, status, note)
       SELECT id, 'RECEIVED', 'bench: received by post' FROM received`,
      [requests],
    );
    // what autovacuum soon does to freshly loaded tables: statistics for the planner, and the
    // visibility map, without which no index-only scan stays index-only
    await step("VACUUM (ANALYZE)", `VACUUM (ANALYZE)`);
  } finally {
    await client.end();
  }
}

/** The consents to "survey-2026" (needs the policy version a gateway start records). */
export async function seedConsents(db: DataSource, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  const consents = await seedDemoConsents(db);
  await db.query(`ANALYZE consent`);
  await db.query(`ANALYZE individual_agreement`);
  log(`    consents to survey-2026: ${consents} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
