import { Arg, Ctx, FieldResolver, Query, Resolver } from "type-graphql";
import type { GatewayContext } from "../../kernel/request-context";
import { POLICY, type PublishedVersion } from "./policy-reader";
import { IndividualAgreementInfo, PolicyChange, PolicyVersion, PolicyVersionStatus, PrivacyPolicy } from "./policy-types";
import { Public } from "../../kernel/schema/decorators";

/**
 * The public policy query (Section 5: "changes … will be announced on the website"):
 * no API key, no purpose. Everything is read through the request's data layer.
 */
@Resolver(() => PrivacyPolicy)
export class PrivacyPolicyResolver {
  @Query(() => PrivacyPolicy, {
    description: "The Personal Information Handling Agreement as published. Public: no key or purpose needed.",
  })
  @Public()
  privacyPolicy(): PrivacyPolicy {
    return new PrivacyPolicy();
  }

  @Query(() => PolicyVersion, { nullable: true, description: "One published version of the agreement. Public." })
  @Public()
  async policyVersion(@Arg("version") version: string, @Ctx() ctx: GatewayContext): Promise<PolicyVersion | null> {
    const found = await ctx.service(POLICY).get(version);
    return found ? toVersion(found) : null;
  }

  @FieldResolver(() => PolicyVersion, { nullable: true, description: "The version in force (null before the first takes effect)." })
  async current(@Ctx() ctx: GatewayContext): Promise<PolicyVersion | null> {
    const current = await ctx.service(POLICY).current();
    return current ? toVersion(current) : null;
  }

  @FieldResolver(() => [PolicyVersion], { description: "Published versions not yet in force, soonest first: the announced changes." })
  async upcoming(@Ctx() ctx: GatewayContext): Promise<PolicyVersion[]> {
    return (await ctx.service(POLICY).versions()).filter((v) => v.status === "UPCOMING").map(toVersion);
  }

  @FieldResolver(() => [PolicyChange], { description: "Every version, newest first, with its announcement and the clauses it changed." })
  async changeLog(@Ctx() ctx: GatewayContext): Promise<PolicyChange[]> {
    return [...(await ctx.service(POLICY).versions())].reverse().map((v) => ({
      version: v.version,
      effectiveAt: v.effectiveAt,
      status: v.status as PolicyVersionStatus,
      summary: v.changeSummary,
      textSha256: v.textSha256,
      changedClauses: v.changedClauses,
    }));
  }

  @FieldResolver(() => [IndividualAgreementInfo], { description: "The individual agreements (1.7) customers may currently be asked for." })
  async individualAgreements(@Ctx() ctx: GatewayContext): Promise<IndividualAgreementInfo[]> {
    return (await ctx.service(POLICY).agreements()).map(({ key, title, description, introducedIn }) => ({
      key,
      title,
      description,
      introducedIn,
    }));
  }
}

function toVersion(v: PublishedVersion): PolicyVersion {
  return {
    version: v.version,
    effectiveAt: v.effectiveAt,
    publishedAt: v.publishedAt,
    status: v.status as PolicyVersionStatus,
    textSha256: v.textSha256,
    text: v.text,
    changeSummary: v.changeSummary,
    purposes: v.purposes,
    grounds: v.grounds,
  };
}
