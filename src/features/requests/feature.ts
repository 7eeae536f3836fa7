import type { GatewayFeature } from "../../kernel/feature";
import { RequestCodes } from "./codes";
import { outboxOf } from "./outbox-of";
import { openRequestRowRule } from "./request-row-rule";
import { DataSubjectRequestResolver } from "./request-resolvers";
import { requestStore } from "./request-store";
import { REQUEST_TABLES } from "./request-tables";

/** Customers' requests (agreement 1.5): disclosure, correction, erasure and its notices. */
export const requestsFeature: GatewayFeature = {
  name: "requests",
  requires: ["disclosure", "audit"],
  codes: RequestCodes.table,
  resolvers: [DataSubjectRequestResolver],
  rowRules: [openRequestRowRule],
  tables: REQUEST_TABLES,
  start({ db, settings }) {
    const { deadlineDays, erasure } = settings.requests;
    // erasure notices to recipients are delivered in the background, signed, with retries
    const stopOutbox = outboxOf(db, settings).start(erasure.intervalMs);
    return { services: [requestStore(db, deadlineDays)], stop: () => stopOutbox() };
  },
};
