import type { FeatureDb } from "../../kernel/store/feature-db";
import { provide, serviceKey } from "../../kernel/services";
import { AgreementRegistry, type IndividualAgreement } from "../consent/agreement-registry";
import { dataQueriesTotal } from "../../observability/metrics";
import type { PolicyClause, PolicyPurposeClause } from "./policy-text";

export type PolicyVersionStatus = "SUPERSEDED" | "IN_FORCE" | "UPCOMING";

/** A version as the public sees it (no field-policy snapshot). */
export interface PublishedVersion {
  version: string;
  effectiveAt: Date;
  publishedAt: Date;
  status: PolicyVersionStatus;
  text: string;
  textSha256: string;
  purposes: PolicyPurposeClause[];
  grounds: PolicyClause[];
  changeSummary: string;
  /** clauses whose text was added, changed or removed since the previous version */
  changedClauses: string[];
}

/**
 * The published agreement, for the public `privacyPolicy` query: not personal data, read
 * once per request (one statement for all versions) and counted like the data layer's reads.
 * "In force" is decided by the database's clock, as the row rules do.
 */
export class PolicyReader {
  private versionsOnce: Promise<PublishedVersion[]> | null = null;
  private agreementsOnce: Promise<IndividualAgreement[]> | null = null;

  constructor(
    private readonly db: FeatureDb,
    private readonly purposeLabel: string,
  ) {}

  /** Every version, oldest first, each with its status and what it changed. */
  versions(): Promise<PublishedVersion[]> {
    this.versionsOnce ??= this.loadVersions();
    return this.versionsOnce;
  }

  async current(): Promise<PublishedVersion | null> {
    return (await this.versions()).find((v) => v.status === "IN_FORCE") ?? null;
  }

  async get(version: string): Promise<PublishedVersion | null> {
    return (await this.versions()).find((v) => v.version === version) ?? null;
  }

  /** Individual agreements currently asked for (retired ones are not announced). */
  agreements(): Promise<IndividualAgreement[]> {
    this.agreementsOnce ??= (this.count(), new AgreementRegistry(this.db).list({ activeOnly: true }));
    return this.agreementsOnce;
  }

  private async loadVersions(): Promise<PublishedVersion[]> {
    this.count();
    const rows = await this.db.query(
      `SELECT version, effective_at, published_at, text, text_sha256, purposes, grounds, change_summary,
              effective_at <= now() AS started,
              effective_at = max(effective_at) FILTER (WHERE effective_at <= now()) OVER () AS in_force
       FROM policy_version ORDER BY effective_at ASC`,
    );
    let previous: Map<string, string> | null = null;
    return rows.map((row: any) => {
      const clauses = new Map<string, string>([...row.purposes, ...row.grounds].map((c: PolicyClause) => [c.clause, c.text]));
      const changedClauses = previous ? changed(previous, clauses) : [];
      previous = clauses;
      return {
        version: row.version,
        effectiveAt: new Date(row.effective_at),
        publishedAt: new Date(row.published_at),
        status: row.in_force ? "IN_FORCE" : row.started ? "SUPERSEDED" : "UPCOMING",
        text: row.text,
        textSha256: row.text_sha256,
        purposes: row.purposes,
        grounds: row.grounds,
        changeSummary: row.change_summary,
        changedClauses,
      } satisfies PublishedVersion;
    });
  }

  private count(): void {
    dataQueriesTotal.inc({ purpose: this.purposeLabel });
  }
}

function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  const clauses = new Set([...before.keys(), ...after.keys()]);
  return [...clauses].filter((c) => before.get(c) !== after.get(c)).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

export const POLICY = serviceKey<PolicyReader>("policy.reader");

export const policyReader = (db: FeatureDb) => provide(POLICY, (ctx) => new PolicyReader(db, ctx.data.scope.purpose ?? "NONE"));
