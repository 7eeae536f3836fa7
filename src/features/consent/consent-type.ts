import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { AllowedFor } from "../../kernel/schema/decorators";
import { Purpose } from "../../kernel/purposes/purpose";

export enum ConsentKind {
  INDIVIDUAL_AGREEMENT = "INDIVIDUAL_AGREEMENT",
  THIRD_PARTY_DISCLOSURE = "THIRD_PARTY_DISCLOSURE",
}
registerEnumType(ConsentKind, {
  name: "ConsentKind",
  description: "What a consent is to: an individual agreement (agreement 1.7) or disclosure to a named recipient (agreement 3.1).",
});

/**
 * A consent record as the API shows it: personal data (it says what a customer agreed to),
 * read for the customer's own service (SERVICE_PROVISION) or their requests (DATA_SUBJECT_REQUEST).
 * Resolved from the `consent` entity's rows; the GraphQL type keeps the entity's name.
 */
@ObjectType("Consent", { description: "A customer's consent: to an individual agreement, or to disclosure to a recipient. Personal data." })
@AllowedFor(Purpose.SERVICE_PROVISION, Purpose.DATA_SUBJECT_REQUEST)
export class ConsentRecord {
  @Field(() => ID)
  id: string;

  @Field(() => ConsentKind)
  kind: `${ConsentKind}`;

  @Field(() => String, { name: "agreement", nullable: true, description: "For INDIVIDUAL_AGREEMENT: the agreement's key, e.g. survey-2026." })
  agreementKey: string | null;

  @Field(() => ID, { nullable: true, description: "For THIRD_PARTY_DISCLOSURE: the recipient consented to." })
  recipientId: string | null;

  @Field({ description: "The version of the agreement shown to the customer when they consented." })
  policyVersion: string;

  @Field()
  grantedAt: Date;

  @Field(() => Date, { nullable: true, description: "Set once withdrawn; a withdrawal applies from the next query on." })
  withdrawnAt: Date | null;
}
