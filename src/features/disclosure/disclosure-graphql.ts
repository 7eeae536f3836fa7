import { IsUUID, ValidateNested, Max, Min } from "class-validator";
import { Args, ArgsType, Ctx, Field, ID, InputType, Int, ObjectType, Query, registerEnumType, Resolver } from "type-graphql";
import { LEDGER } from "./services";
import { ComplianceRole } from "../../kernel/caller/roles";
import { RequiresRole } from "../../kernel/schema/requires-role";
import type { GatewayContext } from "../../kernel/request-context";
import { AllowedFor } from "../../kernel/schema/decorators";
import { Purpose } from "../../kernel/purposes/purpose";
import { DisclosureGround } from "../../kernel/purposes/disclosure-ground";

export enum RecipientKindValue {
  THIRD_PARTY = "THIRD_PARTY",
  PROCESSOR = "PROCESSOR",
}
registerEnumType(RecipientKindValue, {
  name: "RecipientKind",
  valuesConfig: {
    THIRD_PARTY: { description: "Receives data on a ground of Section 3." },
    PROCESSOR: { description: "Processes data for us under contract (Section 4)." },
  },
});

@ObjectType("DisclosureRecord", {
  description: "A provision of one customer's data to a third party or processor (the APPI Art. 29 record). No personal values.",
})
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class DisclosureRecordView {
  @Field(() => ID)
  id: string;

  @Field(() => ID, { description: "The audit event that released the data." })
  eventSeq: string;

  @Field(() => ID)
  recipientId: string;

  @Field()
  recipientName: string;

  @Field(() => RecipientKindValue)
  recipientKind: RecipientKindValue;

  @Field(() => ID)
  customerId: string;

  @Field(() => [String], { description: "The field coordinates provided." })
  dataItems: string[];

  @Field(() => DisclosureGround, { nullable: true, description: "Third parties: the ground (Section 3)." })
  ground: DisclosureGround | null;

  @Field(() => Purpose, { nullable: true })
  purpose: Purpose | null;

  @Field(() => String, { nullable: true, description: "The court order, statute or agreement reference." })
  reference: string | null;

  @Field()
  disclosedAt: Date;

  @Field({ description: "Kept until then (LEDGER_RETENTION_DAYS, default three years)." })
  retainUntil: Date;
}

@ObjectType("Recipient", { description: "A third party or processor in the recipients registry." })
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class RecipientView {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field(() => RecipientKindValue)
  kind: RecipientKindValue;

  @Field({ description: "Contract (processor) or data-sharing agreement (third party) reference." })
  contractRef: string;

  @Field(() => [DisclosureGround])
  grounds: DisclosureGround[];

  @Field(() => [Purpose])
  purposes: Purpose[];

  @Field(() => [String], { description: "Field coordinates the recipient may receive." })
  fields: string[];

  @Field(() => [String], { description: "Active API clients acting for it." })
  clients: string[];
}

@InputType({ description: "Disclosure ledger search; every set field must match." })
export class DisclosureFilterInput {
  @Field(() => ID, { nullable: true })
  @IsUUID()
  customerId?: string;

  @Field(() => ID, { nullable: true })
  @IsUUID()
  recipientId?: string;

  @Field(() => DisclosureGround, { nullable: true })
  ground?: DisclosureGround;

  @Field({ nullable: true, description: "At or after." })
  from?: Date;

  @Field({ nullable: true, description: "Before." })
  to?: Date;
}

@ArgsType()
class DisclosuresArgs {
  @Field(() => DisclosureFilterInput, { nullable: true })
  @ValidateNested()
  filter?: DisclosureFilterInput;

  @Field(() => Int, { defaultValue: 50, description: "Page size, 1 to 500." })
  @Min(1)
  @Max(500)
  first: number;

  @Field(() => Int, { defaultValue: 0 })
  @Min(0)
  offset: number;
}

/** The privacy officer's view of the disclosure ledger and the recipients registry. */
@Resolver()
export class DisclosureQueries {
  @Query(() => [DisclosureRecordView], { description: "Disclosure ledger records, newest first. Privacy officer only." })
  @AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
  @RequiresRole(ComplianceRole.PRIVACY_OFFICER)
  async disclosures(@Args() args: DisclosuresArgs, @Ctx() ctx: GatewayContext): Promise<DisclosureRecordView[]> {
    const rows = await ctx.service(LEDGER).disclosures(args.filter ?? {}, { first: args.first, offset: args.offset });
    return rows.map((r) => Object.assign(new DisclosureRecordView(), r));
  }

  @Query(() => [RecipientView], { description: "The recipients registry. Privacy officer only." })
  @AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
  @RequiresRole(ComplianceRole.PRIVACY_OFFICER)
  async recipients(@Ctx() ctx: GatewayContext): Promise<RecipientView[]> {
    const rows = await ctx.service(LEDGER).recipients();
    return rows.map((r) => Object.assign(new RecipientView(), r));
  }
}
