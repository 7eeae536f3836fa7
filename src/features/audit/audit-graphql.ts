import { IsUUID, ValidateNested, Matches, Max, Min } from "class-validator";
import { Args, ArgsType, Ctx, Field, ID, InputType, Int, ObjectType, Query, registerEnumType, Resolver } from "type-graphql";
import { DisclosureGround } from "../../kernel/purposes/disclosure-ground";
import type { GatewayContext } from "../../kernel/request-context";
import { AllowedFor } from "../../kernel/schema/decorators";
import { Purpose } from "../../kernel/purposes/purpose";
import type { AuditEvent } from "./audit-event";
import { AUDIT_TRAIL } from "./services";
import { ComplianceRole } from "../../kernel/caller/roles";
import { RequiresRole } from "../../kernel/schema/requires-role";

export enum AuditOutcomeValue {
  ACCEPTED = "ACCEPTED",
  REFUSED = "REFUSED",
}
registerEnumType(AuditOutcomeValue, { name: "AuditOutcome", description: "Whether the gate accepted the operation." });

@ObjectType("AuditEvent", {
  description:
    "One audited operation: who, for what purpose and ground, which fields and customers were released. Holds no personal values.",
})
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class AuditEventView {
  @Field(() => ID, { description: "Position in the hash chain (1, 2, …)." })
  seq: string;

  @Field()
  occurredAt: Date;

  @Field(() => String, {
    description:
      "The request's id: the caller's `X-Request-Id` when it was a plain token, else one the gateway made; echoed in the response header and the receipt (`extensions.governance.requestId`).",
  })
  requestId: string;

  @Field(() => ID, { nullable: true, description: "The API client; null when the key was not recognised." })
  clientId: string | null;

  @Field(() => String, { nullable: true })
  clientName: string | null;

  @Field(() => ID, { nullable: true, description: "The third party or processor the client acts for." })
  recipientId: string | null;

  @Field(() => Purpose, { nullable: true })
  purpose: Purpose | null;

  @Field(() => String, { nullable: true, description: "The individual agreement named with INDIVIDUAL_AGREEMENT." })
  agreement: string | null;

  @Field(() => DisclosureGround, { nullable: true })
  disclosureGround: DisclosureGround | null;

  @Field(() => String, { nullable: true })
  disclosureReference: string | null;

  @Field(() => String, { nullable: true })
  operationName: string | null;

  @Field(() => String, { nullable: true, description: "query, mutation or subscription." })
  operationType: string | null;

  @Field(() => String, { nullable: true, description: "SHA-256 of the GraphQL document text (the document itself is never stored)." })
  documentHash: string | null;

  @Field(() => [String], { description: "Field coordinates released (empty for a refusal)." })
  fields: string[];

  @Field(() => [ID], { description: "Customers whose data the response carried." })
  customerIds: string[];

  @Field(() => AuditOutcomeValue)
  outcome: AuditOutcomeValue;

  @Field(() => [String])
  errorCodes: string[];

  @Field(() => Int)
  httpStatus: number;

  @Field()
  prevHash: string;

  @Field()
  hash: string;
}

@InputType({ description: "Audit event search; every set field must match." })
export class AuditEventFilterInput {
  @Field(() => ID, { nullable: true, description: "Events that released this customer's data." })
  @IsUUID()
  customerId?: string;

  @Field(() => ID, { nullable: true })
  @IsUUID()
  clientId?: string;

  @Field(() => String, { nullable: true, description: "The event of one request (its `X-Request-Id`, or the receipt's `requestId`)." })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/)
  requestId?: string;

  @Field(() => Purpose, { nullable: true })
  purpose?: Purpose;

  @Field(() => AuditOutcomeValue, { nullable: true })
  outcome?: AuditOutcomeValue;

  @Field({ nullable: true, description: "At or after." })
  from?: Date;

  @Field({ nullable: true, description: "Before." })
  to?: Date;
}

@ArgsType()
class AuditEventsArgs {
  @Field(() => AuditEventFilterInput, { nullable: true })
  @ValidateNested()
  filter?: AuditEventFilterInput;

  @Field(() => Int, { defaultValue: 50, description: "Page size, 1 to 500." })
  @Min(1)
  @Max(500)
  first: number;

  @Field(() => String, { nullable: true, description: "Only events before this seq (the last seq of the previous page; a number)." })
  @Matches(/^[0-9]{1,18}$/)
  before?: string;
}

/** The privacy officer's view of the audit trail: DATA_SUBJECT_REQUEST plus the PRIVACY_OFFICER role. */
@Resolver()
export class AuditQueries {
  @Query(() => [AuditEventView], { description: "Audit events, newest first. Privacy officer only." })
  @AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
  @RequiresRole(ComplianceRole.PRIVACY_OFFICER)
  async auditEvents(@Args() args: AuditEventsArgs, @Ctx() ctx: GatewayContext): Promise<AuditEventView[]> {
    const events = await ctx
      .service(AUDIT_TRAIL)
      .events(args.filter ?? {}, { first: args.first, before: args.before ? BigInt(args.before) : null });
    return events.map(toView);
  }
}

function toView(e: AuditEvent): AuditEventView {
  return Object.assign(new AuditEventView(), {
    ...e,
    seq: e.seq.toString(),
    fields: [...e.fields],
    customerIds: [...e.customerIds],
    errorCodes: [...e.errorCodes],
  });
}
