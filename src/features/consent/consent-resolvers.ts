import { GraphQLError } from "graphql";
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import { Customer } from "../../kernel/model";
import type { GatewayContext } from "../../kernel/request-context";
import { AllowedFor } from "../../kernel/schema/decorators";
import { Purpose } from "../../kernel/purposes/purpose";
import { isAgreementKey } from "./agreement-key";
import { CONSENTS, type ConsentTarget } from "./consent-data";
import { ConsentRecord } from "./consent-type";
import { CONSENT } from "./consent-table";
import { RelationPurposes } from "../../kernel/personal-data/decorators";
import { ConsentCode } from "./error-codes";

const { SERVICE_PROVISION: SP, DATA_SUBJECT_REQUEST: DSR } = Purpose;

/**
 * Consent through the API (agreement 1.7 and 3.1).
 * - Granting is the customer acting through the shop: SERVICE_PROVISION.
 * - Withdrawing is also the customer's request to the privacy office: SERVICE_PROVISION or
 *   DATA_SUBJECT_REQUEST (a withdrawal must never be harder than a grant).
 * Both apply from the very next query: the row rules read the consent table in SQL.
 */
@Resolver()
export class ConsentMutations {
  @Mutation(() => ConsentRecord, {
    nullable: true,
    description:
      "Records a customer's consent to an individual agreement (`agreement`) or to disclosure to a recipient (`recipientId`), under the policy version shown to them (default: the version in force). Granting again under another version renews it. Null if the customer is not reachable.",
  })
  @AllowedFor(SP)
  grantConsent(
    @Arg("customerId", () => ID) customerId: string,
    @Arg("agreement", () => String, { nullable: true }) agreement: string | null | undefined,
    @Arg("recipientId", () => ID, { nullable: true }) recipientId: string | null | undefined,
    @Arg("policyVersion", () => String, { nullable: true }) policyVersion: string | null | undefined,
    @Ctx() ctx: GatewayContext,
  ): Promise<ConsentRecord | null> {
    return ctx.service(CONSENTS).grant(customerId, targetOf(agreement, recipientId), policyVersion ?? null);
  }

  @Mutation(() => ConsentRecord, {
    nullable: true,
    description:
      "Withdraws a customer's active consent; it applies from the next query on. Null if the customer is not reachable or had no active consent to it.",
  })
  @AllowedFor(SP, DSR)
  withdrawConsent(
    @Arg("customerId", () => ID) customerId: string,
    @Arg("agreement", () => String, { nullable: true }) agreement: string | null | undefined,
    @Arg("recipientId", () => ID, { nullable: true }) recipientId: string | null | undefined,
    @Ctx() ctx: GatewayContext,
  ): Promise<ConsentRecord | null> {
    const target = targetOf(agreement, recipientId);
    return ctx.service(CONSENTS).withdraw(customerId, target);
  }
}

@Resolver(() => Customer)
export class CustomerConsentFields {
  @FieldResolver(() => [ConsentRecord], { description: "The customer's consents, newest first, withdrawn ones included." })
  @RelationPurposes(CONSENT)
  consents(@Root() customer: Customer, @Ctx() ctx: GatewayContext): Promise<ConsentRecord[]> {
    return ctx.service(CONSENTS).consentsOf(customer) as Promise<ConsentRecord[]>;
  }
}

/** Exactly one target, well-formed: an agreement key or a recipient's uuid. */
function targetOf(agreement: string | null | undefined, recipientId: string | null | undefined): ConsentTarget {
  const hasAgreement = agreement !== null && agreement !== undefined;
  const hasRecipient = recipientId !== null && recipientId !== undefined;
  if (hasAgreement === hasRecipient) {
    throw new GraphQLError("Name exactly one of `agreement` and `recipientId`.", { extensions: { code: "BAD_USER_INPUT" } });
  }
  if (hasAgreement) {
    if (!isAgreementKey(agreement)) {
      throw new GraphQLError("No individual agreement has that key (keys are lower-case letters, digits and . _ -).", {
        extensions: { code: ConsentCode.AGREEMENT_UNKNOWN },
      });
    }
    return { agreementKey: agreement };
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(recipientId!)) {
    throw new GraphQLError("`recipientId` must be a recipient's id (a UUID).", { extensions: { code: "BAD_USER_INPUT" } });
  }
  return { recipientId: recipientId!.toLowerCase() };
}
