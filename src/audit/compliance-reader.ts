import type { DataSource } from "typeorm";
import { searchDisclosures, type DisclosureFilter } from "../disclosure/ledger-queries";
import { RecipientRegistry } from "../disclosure/recipient-registry";
import { searchAuditEvents, type AuditEventFilter } from "./audit-queries";

/** What the privacy officer's queries read: the trail, the ledger and the recipients registry. */
export class ComplianceReader {
  constructor(private readonly db: DataSource) {}

  events(filter: AuditEventFilter, page: { first: number; before?: bigint | null }) {
    return searchAuditEvents(this.db, filter, page);
  }

  disclosures(filter: DisclosureFilter, page: { first: number; offset: number }) {
    return searchDisclosures(this.db, filter, page);
  }

  recipients() {
    return new RecipientRegistry(this.db).list();
  }
}
