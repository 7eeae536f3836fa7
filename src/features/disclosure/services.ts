import type { FeatureDb } from "../../kernel/store/feature-db";
import { requireComplianceRole } from "../../kernel/compliance";
import { ComplianceRole } from "../../kernel/caller/roles";
import { provide, serviceKey } from "../../kernel/services";
import { searchDisclosures, type DisclosureFilter, type DisclosureRecordRow } from "./ledger-queries";
import { RecipientRegistry, type RecipientSummary } from "./recipient-registry";

/** The privacy officer's view of the disclosure ledger and the recipients registry. */
export interface LedgerReader {
  disclosures(filter: DisclosureFilter, page: { first: number; offset: number }): Promise<DisclosureRecordRow[]>;
  recipients(): Promise<RecipientSummary[]>;
}

export const LEDGER = serviceKey<LedgerReader>("disclosure.ledger");

export const ledgerReader = (db: FeatureDb) =>
  provide(LEDGER, (ctx) => {
    requireComplianceRole(ctx, ComplianceRole.PRIVACY_OFFICER);
    return {
      disclosures: (filter, page) => searchDisclosures(db, filter, page),
      recipients: () => new RecipientRegistry(db).list(),
    };
  });
