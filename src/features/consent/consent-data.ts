import { GraphQLError } from "graphql";
import type { FeatureDb } from "../../kernel/store/feature-db";
import type { Customer } from "../../kernel/model";
import type { PurposeScopedData } from "../../kernel/data/purpose-scoped-data";
import { provide, serviceKey } from "../../kernel/services";
import { dataQueriesTotal } from "../../observability/metrics";
import { ConsentCode } from "./error-codes";

/** What a consent is to: an individual agreement, or disclosure to one recipient. */
export type ConsentTarget = { agreementKey: string; recipientId?: undefined } | { recipientId: string; agreementKey?: undefined };

const COLUMNS = `id, customer_id, kind, agreement_key, recipient_id, policy_version, granted_at, withdrawn_at`;

/**
 * Consent records, read and changed through the purpose-scoped data layer (it delegates
 * here): every read joins the purpose's customer row rule, every change first checks that
 * the purpose can reach the customer, and every statement is counted like the layer's own.
 * Consents are enforced by the row rules in SQL, so a grant or a withdrawal recorded here
 * applies to the very next query.
 */
export class ConsentData {
  constructor(
    private readonly db: FeatureDb,
    /** the request's data layer: its row rule, and its lookup (null when the purpose cannot reach the customer) */
    private readonly data: PurposeScopedData,
  ) {}

  private get scope() {
    return this.data.scope;
  }

  private reachableCustomer(id: string): Promise<Customer | null> {
    return this.data.customer(id);
  }

  /** A reachable customer's consents, newest first (withdrawn ones too: they are the record). */
  consentsOf(customer: Customer): Promise<Consent[]> {
    return this.data.related<Consent>(customer, "consents");
  }

  /**
   * Records a consent under `policyVersion` (default: the version in force). Granting again
   * under the same version returns the active consent; under another version it renews
   * it (the old record is closed, a new one opened). Null when the customer is not reachable.
   */
  async grant(customerId: string, target: ConsentTarget, policyVersion: string | null): Promise<Consent | null> {
    const customer = await this.reachableCustomer(customerId);
    if (!customer) return null;

    this.count();
    const [resolved] = await this.db.query(
      `SELECT (SELECT version FROM policy_version
                WHERE CASE WHEN $1::text IS NULL THEN effective_at <= now() ELSE version = $1::text END
                ORDER BY effective_at DESC LIMIT 1) AS version,
              (SELECT retired_at IS NULL FROM individual_agreement WHERE key = $2::text) AS agreement_active,
              (SELECT kind = 'THIRD_PARTY' AND 'CUSTOMER_CONSENT' = ANY(grounds) FROM recipient WHERE id = $3::uuid) AS recipient_takes_consent`,
      [policyVersion, target.agreementKey ?? null, target.recipientId ?? null],
    );
    if (!resolved.version) {
      throw new GraphQLError(policyVersion ? `There is no policy version "${policyVersion}".` : "No policy version is in force yet.", {
        extensions: { code: ConsentCode.POLICY_VERSION_UNKNOWN },
      });
    }
    if (target.agreementKey && resolved.agreement_active !== true) {
      throw new GraphQLError(`No individual agreement "${target.agreementKey}" is in effect.`, {
        extensions: { code: ConsentCode.AGREEMENT_UNKNOWN },
      });
    }

    // Consent to disclosure (3.1) only to a registered third party that receives on consent:
    // a consent to anyone else would be a record that authorises nothing, or worse, later.
    if (target.recipientId && resolved.recipient_takes_consent !== true) {
      throw new GraphQLError("No registered third party with the CUSTOMER_CONSENT ground has that id.", {
        extensions: { code: ConsentCode.RECIPIENT_UNKNOWN },
      });
    }

    const kind = target.agreementKey ? "INDIVIDUAL_AGREEMENT" : "THIRD_PARTY_DISCLOSURE";
    const params = [customer.id, kind, target.agreementKey ?? null, target.recipientId ?? null, resolved.version];
    const sameTarget = `customer_id = $1 AND kind = $2 AND agreement_key IS NOT DISTINCT FROM $3::text AND recipient_id IS NOT DISTINCT FROM $4::uuid AND withdrawn_at IS NULL`;
    return this.db.transaction(async (tx) => {
      this.count();
      // a renewal under another version closes the old record: one active consent per target
      await tx.query(`UPDATE consent SET withdrawn_at = now() WHERE ${sameTarget} AND policy_version <> $5`, params);
      this.count();
      const inserted = await tx.query(
        `INSERT INTO consent (customer_id, kind, agreement_key, recipient_id, policy_version, granted_at)
         VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
        params,
      );
      if (inserted.length) return this.done(customer.id, inserted[0]);
      this.count();
      const [existing] = await tx.query(`SELECT ${COLUMNS} FROM consent WHERE ${sameTarget} AND policy_version = $5`, params);
      return existing ? this.done(customer.id, existing) : retryLater();
    });
  }

  /**
   * Withdraws the customer's active consent to the target, from the next query on. Always
   * possible, whatever the agreement's state. Null when the customer is not reachable or
   * had no active consent to it.
   */
  async withdraw(customerId: string, target: ConsentTarget): Promise<Consent | null> {
    const customer = await this.reachableCustomer(customerId);
    if (!customer) return null;
    this.count();
    // (wrapped in a SELECT: TypeORM returns UPDATE results as [rows, count])
    const rows = await this.db.query(
      `WITH withdrawn AS (
         UPDATE consent SET withdrawn_at = now()
         WHERE customer_id = $1 AND kind = $2 AND agreement_key IS NOT DISTINCT FROM $3::text AND recipient_id IS NOT DISTINCT FROM $4::uuid
           AND withdrawn_at IS NULL
         RETURNING ${COLUMNS})
       SELECT * FROM withdrawn`,
      [
        customer.id,
        target.agreementKey ? "INDIVIDUAL_AGREEMENT" : "THIRD_PARTY_DISCLOSURE",
        target.agreementKey ?? null,
        target.recipientId ?? null,
      ],
    );
    return rows.length ? this.done(customer.id, rows[0]) : null;
  }

  private done(_customerId: string, row: Record<string, any>): Consent {
    return toConsent(row);
  }

  private count(): void {
    dataQueriesTotal.inc({ purpose: this.scope.purpose ?? "NONE" });
  }
}

function retryLater(): never {
  // a concurrent grant under another version won the race: the caller may simply retry
  throw new GraphQLError("The consent changed concurrently; try again.", { extensions: { code: "BAD_REQUEST" } });
}

/** A consent record as the API shows it (the columns of the consent table's declaration). */
export interface Consent {
  id: string;
  customerId: string;
  kind: "INDIVIDUAL_AGREEMENT" | "THIRD_PARTY_DISCLOSURE";
  agreementKey: string | null;
  recipientId: string | null;
  policyVersion: string;
  grantedAt: Date;
  withdrawnAt: Date | null;
}

function toConsent(row: Record<string, any>): Consent {
  return Object.assign(
    {},
    {
      id: row.id,
      customerId: row.customer_id,
      kind: row.kind,
      agreementKey: row.agreement_key,
      recipientId: row.recipient_id,
      policyVersion: row.policy_version,
      grantedAt: new Date(row.granted_at),
      withdrawnAt: row.withdrawn_at ? new Date(row.withdrawn_at) : null,
    },
  );
}

export const CONSENTS = serviceKey<ConsentData>("consent.records");

export const consentRecords = (db: FeatureDb) => provide(CONSENTS, (ctx) => new ConsentData(db, ctx.data));
