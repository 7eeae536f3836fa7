import type { FeatureDb, FeatureTx } from "../../kernel/store/feature-db";
import type { FieldSnapshot } from "./field-snapshot";
import { parseAgreement, sha256Hex, type PolicyClause, type PolicyPurposeClause } from "./policy-text";

/** One published version of the agreement, as stored. */
export interface PolicyVersion {
  version: string;
  effectiveAt: Date;
  publishedAt: Date;
  text: string;
  textSha256: string;
  purposes: PolicyPurposeClause[];
  grounds: PolicyClause[];
  changeSummary: string;
  fieldPolicy: FieldSnapshot;
}

export interface NewPolicyVersion {
  version: string;
  effectiveAt: Date;
  text: string;
  changeSummary: string;
  fieldPolicy: FieldSnapshot;
}

export const VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$/;

const COLUMNS = `version, effective_at, published_at, text, text_sha256, purposes, grounds, change_summary, field_policy`;

/**
 * The versions of the agreement (Section 5). Versions are ordered by their effective date;
 * the one in force is the newest whose date has come. The table is append-only.
 */
export class PolicyStore {
  constructor(private readonly db: FeatureDb | FeatureTx) {}

  /** Every version, oldest first. */
  async list(): Promise<PolicyVersion[]> {
    const rows = await this.db.query(`SELECT ${COLUMNS} FROM policy_version ORDER BY effective_at ASC`);
    return rows.map(toVersion);
  }

  async get(version: string): Promise<PolicyVersion | null> {
    if (!VERSION_PATTERN.test(version)) return null;
    const [row] = await this.db.query(`SELECT ${COLUMNS} FROM policy_version WHERE version = $1`, [version]);
    return row ? toVersion(row) : null;
  }

  /** The version in force at `at` (default: now, by the database's clock). */
  async inForce(at?: Date): Promise<PolicyVersion | null> {
    const [row] = await this.db.query(
      `SELECT ${COLUMNS} FROM policy_version WHERE effective_at <= coalesce($1::timestamptz, now()) ORDER BY effective_at DESC LIMIT 1`,
      [at ?? null],
    );
    return row ? toVersion(row) : null;
  }

  /**
   * Records a new version. Its purposes and grounds are read from its text (which must
   * agree with the code's purposes), and it must take effect after every earlier version:
   * the history is only ever extended.
   */
  async publish(input: NewPolicyVersion): Promise<PolicyVersion> {
    if (!VERSION_PATTERN.test(input.version)) throw new Error(`invalid version "${input.version}" (letters, digits, . _ -; at most 32)`);
    if (Number.isNaN(input.effectiveAt.getTime())) throw new Error("invalid effective date");
    if (!input.changeSummary.trim()) throw new Error("a change summary is required (it is announced on the website)");
    const content = parseAgreement(input.text);
    const [latest] = await this.db.query(`SELECT version, effective_at FROM policy_version ORDER BY effective_at DESC LIMIT 1`);
    if (latest && new Date(latest.effective_at) >= input.effectiveAt) {
      throw new Error(`version ${input.version} must take effect after ${latest.version} (${new Date(latest.effective_at).toISOString()})`);
    }
    const rows = await this.db.query(
      `INSERT INTO policy_version (version, effective_at, text, text_sha256, purposes, grounds, change_summary, field_policy)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        input.version,
        input.effectiveAt,
        input.text,
        sha256Hex(input.text),
        JSON.stringify(content.purposes),
        JSON.stringify(content.grounds),
        input.changeSummary.trim(),
        JSON.stringify(input.fieldPolicy),
      ],
    );
    if (rows.length === 0) throw new Error(`version ${input.version} already exists (or another version takes effect at the same moment)`);
    return toVersion(rows[0]);
  }
}

function toVersion(row: any): PolicyVersion {
  return {
    version: row.version,
    effectiveAt: new Date(row.effective_at),
    publishedAt: new Date(row.published_at),
    text: row.text,
    textSha256: row.text_sha256,
    purposes: row.purposes,
    grounds: row.grounds,
    changeSummary: row.change_summary,
    fieldPolicy: row.field_policy,
  };
}
