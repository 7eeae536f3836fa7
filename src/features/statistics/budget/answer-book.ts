import type { FeatureDb } from "../../../kernel/store/feature-db";
import type { MeasureNoise, ReleasedBucket } from "../mechanism";

/** An answer as released: noisy numbers only (no personal data), kept to answer repeats. */
export interface StoredRelease {
  buckets: ReleasedBucket[];
  possibleBuckets: number;
  minGroupSize: number;
  releaseThreshold: number;
  noise: MeasureNoise[];
  epsilonMicro: number;
}

/** Who first asked a question, for the privacy officer's list. */
export interface AnswerAsker {
  organisationId: string;
  clientId: string;
}

export interface AnsweredQuestion {
  period: string;
  queryHash: string;
  canonical: unknown;
  organisation: string;
  client: string;
  epsilonMicro: number;
  askedAt: Date;
  releasedAt: Date | null;
}

/** A question left pending longer than this was abandoned by a gateway that died mid-answer. */
const ABANDONED_AFTER = "2 minutes";

/**
 * The interactive answers of a period, one per canonical question for everyone: a released
 * answer is public within its period, so the same question from any client of any
 * organisation gets the same numbers, free (averaging across clients gains nothing).
 *
 * The first asker claims the question with a pending row (the primary key decides who is
 * first, across gateways); the others wait for that row to be completed, then return it.
 * So concurrent identical questions are computed and charged once.
 */
export class AnswerBook {
  constructor(private readonly db: FeatureDb) {}

  /** The released answer, "pending" while the first asker computes it, or null. */
  async find(period: string, queryHash: string): Promise<StoredRelease | "pending" | null> {
    const [row] = await this.db.query(`SELECT result FROM statistics_answer WHERE period = $1 AND query_hash = $2`, [period, queryHash]);
    if (!row) return null;
    return (row.result as StoredRelease | null) ?? "pending";
  }

  /** Claims the question for this asker: true when it is now theirs to compute and pay for. */
  async claim(period: string, queryHash: string, canonical: unknown, epsilonMicro: number, asker: AnswerAsker): Promise<boolean> {
    const inserted = await this.db.query(
      `INSERT INTO statistics_answer (period, query_hash, canonical, epsilon_micro, organisation_id, client_id)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6)
       ON CONFLICT (period, query_hash) DO UPDATE SET asked_at = now(), organisation_id = EXCLUDED.organisation_id, client_id = EXCLUDED.client_id
         WHERE statistics_answer.result IS NULL AND statistics_answer.asked_at < now() - interval '${ABANDONED_AFTER}'
       RETURNING query_hash`,
      [period, queryHash, JSON.stringify(canonical), epsilonMicro, asker.organisationId, asker.clientId],
    );
    return inserted.length > 0;
  }

  /** Stores the computed answer: from now on everyone asking gets it. */
  async complete(period: string, queryHash: string, release: StoredRelease): Promise<void> {
    await this.db.query(`UPDATE statistics_answer SET result = $3::jsonb, released_at = now() WHERE period = $1 AND query_hash = $2`, [
      period,
      queryHash,
      JSON.stringify(release),
    ]);
  }

  /** Gives up a claim (the budget refused it, or computing failed): the next asker may try. */
  async abandon(period: string, queryHash: string): Promise<void> {
    await this.db.query(`DELETE FROM statistics_answer WHERE period = $1 AND query_hash = $2 AND result IS NULL`, [period, queryHash]);
  }

  /** Released answers, newest first: the question, who asked first, ε, when. */
  async list(options: { period?: string | null; first: number }): Promise<AnsweredQuestion[]> {
    const rows = await this.db.query(
      `SELECT a.period, a.query_hash, a.canonical, o.name AS organisation, c.name AS client, a.epsilon_micro::bigint AS epsilon, a.asked_at, a.released_at
         FROM statistics_answer a
         JOIN statistics_organisation o ON o.id = a.organisation_id
         JOIN api_client c ON c.id = a.client_id
        WHERE a.result IS NOT NULL AND ($1::text IS NULL OR a.period = $1)
        ORDER BY a.released_at DESC, a.query_hash
        LIMIT $2`,
      [options.period ?? null, options.first],
    );
    return rows.map((r: Record<string, unknown>) => ({
      period: String(r.period),
      queryHash: String(r.query_hash),
      canonical: r.canonical,
      organisation: String(r.organisation),
      client: String(r.client),
      epsilonMicro: Number(r.epsilon),
      askedAt: new Date(r.asked_at as string),
      releasedAt: r.released_at ? new Date(r.released_at as string) : null,
    }));
  }
}
