import { GraphQLError } from "graphql";
import type { GatewayContext } from "../graphql/context";
import { Purpose } from "../purposes/purpose";
import { ComplianceRole } from "./roles";
import type { ComplianceReader } from "./compliance-reader";

const readers = new WeakMap<GatewayContext, ComplianceReader>();

/** Called by the audit plugin at the start of every request. */
export function attachCompliance(ctx: GatewayContext, reader: ComplianceReader): void {
  readers.set(ctx, reader);
}

/**
 * The compliance reader for a privacy-officer resolver. The gate has already demanded the
 * purpose and the role; this checks again (defence in depth) and needs the data layer the
 * gate opens only for an allowed operation.
 */
export function complianceReader(ctx: GatewayContext): ComplianceReader {
  const data = ctx.data; // throws FORBIDDEN unless the gate allowed this operation
  const reader = readers.get(ctx);
  if (!reader || data.scope.purpose !== Purpose.DATA_SUBJECT_REQUEST || !ctx.caller?.roles?.includes(ComplianceRole.PRIVACY_OFFICER)) {
    throw new GraphQLError("No compliance access was granted for this operation.", { extensions: { code: "FORBIDDEN" } });
  }
  return reader;
}
