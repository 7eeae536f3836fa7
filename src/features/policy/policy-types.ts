import { Field, ObjectType, registerEnumType } from "type-graphql";
import { Purpose } from "../../kernel/purposes/purpose";
import { Public } from "../../kernel/schema/decorators";

/**
 * The public view of the agreement and its versions (Section 5): not personal data, so no
 * field carries @allowedFor and no key or purpose is needed to read them.
 */

export enum PolicyVersionStatus {
  SUPERSEDED = "SUPERSEDED",
  IN_FORCE = "IN_FORCE",
  UPCOMING = "UPCOMING",
}
registerEnumType(PolicyVersionStatus, { name: "PolicyVersionStatus", description: "Where a version of the agreement stands today." });

@ObjectType({ description: "A purpose of use as a version of the agreement states it (Section 1)." })
@Public()
export class PolicyPurpose {
  @Field(() => Purpose)
  purpose: Purpose;

  @Field({ description: "The clause number, e.g. 1.7." })
  clause: string;

  @Field()
  text: string;
}

@ObjectType({ description: "A ground for disclosure to third parties as a version of the agreement states it (Section 3)." })
@Public()
export class PolicyGround {
  @Field({ description: "The clause number, e.g. 3.1." })
  clause: string;

  @Field()
  text: string;
}

@ObjectType({ description: "A version of the Personal Information Handling Agreement." })
@Public()
export class PolicyVersion {
  @Field({ description: "e.g. 2026.1" })
  version: string;

  @Field()
  effectiveAt: Date;

  @Field()
  publishedAt: Date;

  @Field(() => PolicyVersionStatus)
  status: PolicyVersionStatus;

  @Field({ description: "SHA-256 (hex) of the full text, as published." })
  textSha256: string;

  @Field({ description: "The full text." })
  text: string;

  @Field()
  changeSummary: string;

  @Field(() => [PolicyPurpose])
  purposes: PolicyPurpose[];

  @Field(() => [PolicyGround])
  grounds: PolicyGround[];
}

@ObjectType({ description: "One entry of the change log: a version and what it changed." })
@Public()
export class PolicyChange {
  @Field()
  version: string;

  @Field()
  effectiveAt: Date;

  @Field(() => PolicyVersionStatus)
  status: PolicyVersionStatus;

  @Field({ description: "The announcement of the change." })
  summary: string;

  @Field()
  textSha256: string;

  @Field(() => [String], { description: "Clauses added, changed or removed since the previous version." })
  changedClauses: string[];
}

@ObjectType("IndividualAgreement", { description: "Something the company separately asks customers to agree to (agreement 1.7)." })
@Public()
export class IndividualAgreementInfo {
  @Field({ description: "Named in `@purpose(name: INDIVIDUAL_AGREEMENT, agreement: …)`." })
  key: string;

  @Field()
  title: string;

  @Field()
  description: string;

  @Field({ description: "The policy version in force when it was introduced." })
  introducedIn: string;
}

@ObjectType({ description: "The agreement as published: the version in force, announced changes, the change log." })
@Public()
export class PrivacyPolicy {
  // resolved by PrivacyPolicyFields from the request's PolicyReader
  readonly marker?: never;
}
