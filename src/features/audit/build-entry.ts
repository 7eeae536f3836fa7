import type { GraphQLRequestContextWillSendResponse } from "@apollo/server";
import { declaredDisclosure, literalDisclosure, type DeclaredDisclosure } from "../disclosure/declared-disclosure";
import { MAX_REFERENCE_LENGTH } from "../disclosure/directives";
import { DisclosureGround } from "../../kernel/purposes/disclosure-ground";
import { disclosureOf, isRootCoordinate } from "../disclosure/operation-disclosure";
import type { GatewayContext } from "../../kernel/request-context";
import { sha256, type AuditEventInput } from "./audit-event";
import type { AuditEntry } from "./audit-writer";
import { literalPurpose, operationOf, safeName } from "./literal-intent";

/**
 * The audit entry of one GraphQL request, from its final response: who, for what purpose
 * and ground, which operation (by hash), which fields and customers were released, and
 * the outcome. An operation counts as ACCEPTED when the gate allowed it; its customers
 * count only when the response actually carries data.
 */
export function buildAuditEntry(rc: GraphQLRequestContextWillSendResponse<GatewayContext>, occurredAt: Date): AuditEntry {
  const ctx = rc.contextValue;
  const decision = ctx.decision;
  const allowed = decision?.allowed === true ? decision : null;
  const body = rc.response.body;
  const result = body.kind === "single" ? body.singleResult : body.initialResult;
  const hasData = result.data !== undefined && result.data !== null;

  let disclosure: DeclaredDisclosure | null = null;
  if (allowed) {
    const declared = disclosureOf(allowed.input);
    disclosure = declared.kind === "declared" ? declared.disclosure : null;
  } else if (rc.operation) {
    const declared = declaredDisclosure(rc.schema, rc.operation, rc.request.variables);
    disclosure = declared.kind === "declared" ? declared.disclosure : null;
  } else {
    disclosure = literalDisclosure(rc.document, rc.request.operationName);
  }

  // before validation succeeds Apollo has not picked the operation: find it as written
  const operation = rc.operation ?? operationOf(rc.document, rc.request.operationName);
  const customerIds = allowed && hasData ? releasedBy(ctx) : [];
  const fields = allowed ? [...allowed.reach.fields.keys()] : [];
  const recipient = ctx.caller?.recipient ?? null;
  const event: AuditEventInput = {
    occurredAt,
    requestId: ctx.requestId,
    clientId: ctx.caller?.id ?? null,
    clientName: ctx.caller?.name ?? null,
    recipientId: recipient?.id ?? null,
    purpose: decision?.purpose?.name ?? literalPurpose(rc.document, rc.request.operationName),
    agreement: decision?.purpose?.agreement?.slice(0, MAX_REFERENCE_LENGTH) ?? null,
    disclosureGround: disclosure?.ground ?? null,
    disclosureReference: disclosure?.reference?.slice(0, MAX_REFERENCE_LENGTH) ?? null,
    operationName: safeName(operation?.name?.value ?? rc.request.operationName),
    operationType: operation?.operation ?? null,
    // Apollo's queryHash is this same SHA-256 of the text (computed, or the persisted query's
    // verified hash): no second hash of the document per request
    documentHash: rc.source ? (rc.queryHash ?? sha256(rc.source)) : null,
    fields,
    customerIds,
    outcome: allowed ? "ACCEPTED" : "REFUSED",
    errorCodes: (result.errors ?? []).map((e) => String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR")),
    httpStatus: rc.response.http.status ?? 200,
  };

  // Individual data handed to a third party or a processor goes into the ledger too.
  const ledger =
    allowed && recipient && customerIds.length > 0 && disclosure?.ground !== DisclosureGround.ANONYMOUS_STATISTICS
      ? {
          recipientKind: recipient.kind,
          dataItems: fields.filter((c) => allowed.input.policy.allowedPurposes(c) && !isRootCoordinate(allowed.input, c)),
        }
      : null;
  return { event, ledger };
}

function releasedBy(ctx: GatewayContext): string[] {
  return ctx.opened ? ctx.data.released.ids() : []; // no data layer opened: nothing was released
}

/** The entry of a request refused before GraphQL (a bad or revoked API key, or a key lookup the store failed). */
export function unauthenticatedEntry(requestId: string, occurredAt: Date, refusal = { code: "UNAUTHENTICATED", status: 401 }): AuditEntry {
  return bareEntry(requestId, occurredAt, null, refusal.code, refusal.status);
}

/** The entry of a request that failed inside Apollo outside the normal pipeline (no data left). */
export function unexpectedErrorEntry(ctx: GatewayContext, occurredAt: Date): AuditEntry {
  return bareEntry(ctx.requestId, occurredAt, ctx.caller, "INTERNAL_SERVER_ERROR", 500);
}

function bareEntry(requestId: string, occurredAt: Date, caller: GatewayContext["caller"], code: string, httpStatus: number): AuditEntry {
  return {
    event: {
      occurredAt,
      requestId,
      clientId: caller?.id ?? null,
      clientName: caller?.name ?? null,
      recipientId: caller?.recipient?.id ?? null,
      purpose: null,
      agreement: null,
      disclosureGround: null,
      disclosureReference: null,
      operationName: null,
      operationType: null,
      documentHash: null,
      fields: [],
      customerIds: [],
      outcome: "REFUSED",
      errorCodes: [code],
      httpStatus,
    },
  };
}
