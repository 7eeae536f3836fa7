import { GraphQLError } from "graphql";
import { KernelCode } from "./errors/catalogue";
import { Purpose } from "./purposes/purpose";
import type { GatewayContext } from "./request-context";
import type { ComplianceRole } from "./caller/roles";

/**
 * The declared compliance road to customer-linked records outside a purpose's row rule
 * (the audit trail, the disclosure ledger): only for an operation the gate allowed under
 * DATA_SUBJECT_REQUEST, by a client holding `role`. The gate has already demanded both
 * (`@requiresRole` on the field); this checks again, where the records are read.
 */
export function requireComplianceRole(ctx: GatewayContext, role: ComplianceRole): void {
  const data = ctx.data; // throws FORBIDDEN unless the gate allowed this operation
  if (data.scope.purpose !== Purpose.DATA_SUBJECT_REQUEST || !ctx.caller?.roles?.includes(role)) {
    throw new GraphQLError("No compliance access was granted for this operation.", { extensions: { code: KernelCode.FORBIDDEN } });
  }
}
