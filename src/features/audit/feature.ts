import { GraphQLError } from "graphql";
import type { GatewayFeature } from "../../kernel/feature";
import { logger } from "../../observability/logger";
import { AuditQueries } from "./audit-graphql";
import { AUDIT_UNAVAILABLE_MESSAGE, auditPlugin } from "./audit-plugin";
import { AuditWriter } from "./audit-writer";
import { unauthenticatedEntry } from "./build-entry";
import { AuditCode, AuditCodes } from "./codes";
import { AUDIT_TABLES } from "./audit-tables";
import { auditTrailReader } from "./services";

/**
 * Accountability: one hash-chained audit event per request, committed before its response
 * leaves (or no response), with the disclosure ledger rows it implies; the officer's view.
 */
export const auditFeature: GatewayFeature = {
  name: "audit",
  requires: ["disclosure"],
  codes: AuditCodes.table,
  tables: AUDIT_TABLES,
  resolvers: [AuditQueries],
  start({ db, settings }) {
    const writer = new AuditWriter(db, settings.audit);
    return {
      services: [auditTrailReader(db)],
      plugins: [{ role: "audit", plugin: auditPlugin(writer) }],
      async recordUnauthenticated(requestId, refusal) {
        try {
          const event = await writer.append(unauthenticatedEntry(requestId, new Date(), refusal));
          return { auditSeq: event.seq.toString() };
        } catch (error) {
          logger.error({ err: error, requestId }, "audit event not committed: response withheld");
          throw new GraphQLError(AUDIT_UNAVAILABLE_MESSAGE, { extensions: { code: AuditCode.AUDIT_UNAVAILABLE } });
        }
      },
      stop: () => writer.close(),
    };
  },
};
