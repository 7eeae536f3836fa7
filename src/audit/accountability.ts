import { randomUUID } from "node:crypto";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Request, Response } from "express";
import type { DataSource } from "typeorm";
import type { GatewayContext } from "../graphql/context";
import { logger } from "../observability/logger";
import { loadAuditConfig, type AuditConfig } from "./audit-config";
import { AUDIT_UNAVAILABLE_MESSAGE, auditPlugin } from "./audit-plugin";
import { AuditWriter } from "./audit-writer";
import { unauthenticatedEntry } from "./build-entry";
import { AuditCode } from "./codes";
import { ComplianceReader } from "./compliance-reader";

/** What the gateway wires in for accountability: the audit plugin, the 401 hook, shutdown. */
export interface Accountability {
  writer: AuditWriter;
  plugins: ApolloServerPlugin<GatewayContext>[];
  /**
   * Records a request refused by authentication. Returns false when it could not, having
   * answered 503 itself (fail closed: no answer that the trail does not show).
   */
  recordUnauthenticated(req: Request, res: Response): Promise<boolean>;
  close(): Promise<void>;
}

export function createAccountability(db: DataSource, config: AuditConfig = loadAuditConfig()): Accountability {
  const writer = new AuditWriter(db, { maxBatch: config.maxBatch, ledgerRetentionDays: config.ledgerRetentionDays });
  return {
    writer,
    plugins: [auditPlugin(writer, new ComplianceReader(db))],
    async recordUnauthenticated(_req, res) {
      const requestId = randomUUID();
      try {
        await writer.append(unauthenticatedEntry(requestId, new Date()));
        return true;
      } catch (error) {
        logger.error({ err: error, requestId }, "audit event not committed: response withheld");
        res.status(503).json({ errors: [{ message: AUDIT_UNAVAILABLE_MESSAGE, extensions: { code: AuditCode.AUDIT_UNAVAILABLE } }] });
        return false;
      }
    },
    close: () => writer.close(),
  };
}
