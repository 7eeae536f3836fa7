import type { FeatureDb } from "../../kernel/store/feature-db";
import type { MeasureNoise, ReleasedBucket } from "./mechanism";

/** An answer as released: noisy numbers only (no personal data), kept to answer repeats. */
export interface StoredRelease {
  buckets: ReleasedBucket[];
  possibleBuckets: number;
  minGroupSize: number;
  releaseThreshold: number;
  noise: MeasureNoise[];
  epsilonMicro: number;
}

/**
 * The privacy budget and the released answers, per client and period, in PostgreSQL (so
 * they survive restarts and hold across gateway instances). Spending is one atomic UPDATE
 * that succeeds only while the budget lasts: two concurrent queries cannot both squeeze in.
 */
export class PrivacyLedger {
  constructor(private readonly db: FeatureDb) {}

  /** An earlier answer to the same canonical query this period (if any), and ε spent so far. */
  async lookup(clientId: string, period: string, queryHash: string): Promise<{ release: StoredRelease | null; spentMicro: number }> {
    const [row] = await this.db.query(
      `SELECT r.result, coalesce(b.spent_micro, 0)::bigint AS spent
         FROM (SELECT $1::uuid AS client_id, $2::text AS period) q
         LEFT JOIN statistics_release r ON r.client_id = q.client_id AND r.period = q.period AND r.query_hash = $3
         LEFT JOIN statistics_budget b ON b.client_id = q.client_id AND b.period = q.period`,
      [clientId, period, queryHash],
    );
    return { release: (row?.result as StoredRelease | null) ?? null, spentMicro: Number(row?.spent ?? 0) };
  }

  /**
   * Spends ε if, and only if, the budget covers it: returns ε spent so far, or null (nothing
   * spent) when it does not. Runs before the aggregate, so an answer is never computed unpaid.
   */
  async spend(clientId: string, period: string, epsilonMicro: number, budgetMicro: number): Promise<number | null> {
    if (epsilonMicro > budgetMicro) return null;
    const rows = await this.db.query(
      `INSERT INTO statistics_budget AS b (client_id, period, spent_micro) VALUES ($1, $2, $3)
       ON CONFLICT (client_id, period) DO UPDATE SET spent_micro = b.spent_micro + EXCLUDED.spent_micro, updated_at = now()
         WHERE b.spent_micro + EXCLUDED.spent_micro <= $4
       RETURNING spent_micro`,
      [clientId, period, epsilonMicro, budgetMicro],
    );
    return rows.length ? Number(rows[0].spent_micro) : null;
  }

  /**
   * Keeps the answer for repeats. If the same query was answered concurrently, the first
   * stored answer wins and is returned, so a client never sees two answers to one query.
   */
  async record(clientId: string, period: string, queryHash: string, canonical: unknown, release: StoredRelease): Promise<StoredRelease> {
    const inserted = await this.db.query(
      `INSERT INTO statistics_release (client_id, period, query_hash, canonical, result, epsilon_micro)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6)
       ON CONFLICT (client_id, period, query_hash) DO NOTHING
       RETURNING query_hash`,
      [clientId, period, queryHash, JSON.stringify(canonical), JSON.stringify(release), release.epsilonMicro],
    );
    if (inserted.length) return release;
    const earlier = await this.lookup(clientId, period, queryHash);
    return earlier.release ?? release;
  }
}
