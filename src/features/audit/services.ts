import type { FeatureDb } from "../../kernel/store/feature-db";
import { requireComplianceRole } from "../../kernel/compliance";
import { ComplianceRole } from "../../kernel/caller/roles";
import { provide, serviceKey } from "../../kernel/services";
import type { AuditEvent } from "./audit-event";
import { searchAuditEvents, type AuditEventFilter } from "./audit-queries";

/** The privacy officer's view of the audit trail. */
export interface AuditTrailReader {
  events(filter: AuditEventFilter, page: { first: number; before?: bigint | null }): Promise<AuditEvent[]>;
}

export const AUDIT_TRAIL = serviceKey<AuditTrailReader>("audit.trail");

export const auditTrailReader = (db: FeatureDb) =>
  provide(AUDIT_TRAIL, (ctx) => {
    requireComplianceRole(ctx, ComplianceRole.PRIVACY_OFFICER);
    return { events: (filter, page) => searchAuditEvents(db, filter, page) };
  });
