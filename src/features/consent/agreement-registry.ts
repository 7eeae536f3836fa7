import type { FeatureDb, FeatureTx } from "../../kernel/store/feature-db";
import { AGREEMENT_KEY_PATTERN } from "./agreement-key";

/** An individual agreement (agreement 1.7): something the company separately asks customers for. */
export interface IndividualAgreement {
  key: string;
  title: string;
  description: string;
  /** the policy version in force when it was introduced */
  introducedIn: string;
  createdAt: Date;
  retiredAt: Date | null;
}

const COLUMNS = `key, title, description, introduced_in, created_at, retired_at`;

/**
 * The registry of individual agreements. Operations under INDIVIDUAL_AGREEMENT must name an
 * active one; consents can only be given to an active one; a retired agreement reaches no
 * one (but its consents can still be withdrawn and stay on record).
 */
export class AgreementRegistry {
  constructor(private readonly db: FeatureDb | FeatureTx) {}

  async register(input: { key: string; title: string; description: string; introducedIn?: string }): Promise<IndividualAgreement> {
    if (!AGREEMENT_KEY_PATTERN.test(input.key)) throw new Error(`invalid agreement key "${input.key}" (lower-case letters, digits, . _ -)`);
    if (!input.title.trim() || input.title.length > 200) throw new Error("a title of 1 to 200 characters is required");
    const rows = await this.db.query(
      `INSERT INTO individual_agreement (key, title, description, introduced_in)
       SELECT $1, $2, $3, pv.version FROM policy_version pv
       WHERE CASE WHEN $4::text IS NULL THEN pv.effective_at <= now() ELSE pv.version = $4::text END
       ORDER BY pv.effective_at DESC LIMIT 1
       ON CONFLICT (key) DO NOTHING
       RETURNING ${COLUMNS}`,
      [input.key, input.title.trim(), input.description.trim(), input.introducedIn ?? null],
    );
    if (rows.length) return toAgreement(rows[0]);
    if (await this.get(input.key)) throw new Error(`agreement "${input.key}" already exists`);
    throw new Error(input.introducedIn ? `no policy version "${input.introducedIn}"` : "no policy version is in force yet");
  }

  /** Retires an agreement: operations naming it are refused from the next request on. */
  async retire(key: string): Promise<IndividualAgreement | null> {
    const rows = await this.db.query(
      // (wrapped in a SELECT: TypeORM returns UPDATE results as [rows, count])
      `WITH retired AS (UPDATE individual_agreement SET retired_at = now() WHERE key = $1 AND retired_at IS NULL RETURNING ${COLUMNS})
       SELECT * FROM retired`,
      [key],
    );
    return rows.length ? toAgreement(rows[0]) : null;
  }

  async get(key: string): Promise<IndividualAgreement | null> {
    const [row] = await this.db.query(`SELECT ${COLUMNS} FROM individual_agreement WHERE key = $1`, [key]);
    return row ? toAgreement(row) : null;
  }

  async list(options: { activeOnly?: boolean } = {}): Promise<IndividualAgreement[]> {
    const rows = await this.db.query(
      `SELECT ${COLUMNS} FROM individual_agreement ${options.activeOnly ? "WHERE retired_at IS NULL" : ""} ORDER BY key`,
    );
    return rows.map(toAgreement);
  }
}

function toAgreement(row: any): IndividualAgreement {
  return {
    key: row.key,
    title: row.title,
    description: row.description,
    introducedIn: row.introduced_in,
    createdAt: new Date(row.created_at),
    retiredAt: row.retired_at ? new Date(row.retired_at) : null,
  };
}
