import { ID, ObjectType, registerEnumType } from "type-graphql";
import { DeclaredField, TablePurposes } from "../../kernel/personal-data/decorators";
import { CONSENT } from "./consent-table";

export enum ConsentKind {
  INDIVIDUAL_AGREEMENT = "INDIVIDUAL_AGREEMENT",
  THIRD_PARTY_DISCLOSURE = "THIRD_PARTY_DISCLOSURE",
}
registerEnumType(ConsentKind, {
  name: "ConsentKind",
  description: "What a consent is to: an individual agreement (agreement 1.7) or disclosure to a named recipient (agreement 3.1).",
});

const c = CONSENT.columns;

/**
 * A consent record as the API shows it: personal data (it says what a customer agreed to);
 * its purposes come from the consent table's declaration (consent-table.ts). The GraphQL
 * type keeps the table's name.
 */
@ObjectType("Consent", { description: "A customer's consent: to an individual agreement, or to disclosure to a recipient. Personal data." })
@TablePurposes(CONSENT)
export class ConsentRecord {
  @DeclaredField(c.id, () => ID)
  id: string;

  @DeclaredField(c.kind, () => ConsentKind)
  kind: `${ConsentKind}`;

  @DeclaredField(c.agreementKey, () => String, {
    nullable: true,
    description: "For INDIVIDUAL_AGREEMENT: the agreement's key, e.g. survey-2026.",
  })
  agreementKey: string | null;

  @DeclaredField(c.recipientId, () => ID, { nullable: true, description: "For THIRD_PARTY_DISCLOSURE: the recipient consented to." })
  recipientId: string | null;

  @DeclaredField(c.policyVersion, () => String, { description: "The version of the agreement shown to the customer when they consented." })
  policyVersion: string;

  @DeclaredField(c.grantedAt, () => Date)
  grantedAt: Date;

  @DeclaredField(c.withdrawnAt, () => Date, {
    nullable: true,
    description: "Set once withdrawn; a withdrawal applies from the next query on.",
  })
  withdrawnAt: Date | null;
}
