import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { CampaignEntry, Customer, GiftCampaign } from "../../kernel/model";
import { AllowedFor } from "../../kernel/schema/decorators";
import { Purpose } from "../../kernel/purposes/purpose";
import type { GatewayContext } from "../../kernel/request-context";
import { Public } from "../../kernel/schema/decorators";

/** Campaigns are public; their winners are personal data. */
@Resolver(() => GiftCampaign)
export class CampaignResolver {
  @Query(() => [GiftCampaign], { description: "Gift campaigns (not personal data)." })
  @Public()
  campaigns(@Ctx() ctx: GatewayContext): Promise<GiftCampaign[]> {
    return ctx.data.campaigns();
  }

  @Query(() => GiftCampaign, { nullable: true })
  @Public()
  campaign(@Arg("id", () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<GiftCampaign | null> {
    return ctx.data.campaign(id);
  }

  @FieldResolver(() => [CampaignEntry], {
    description: "Winning entries. Under PRIZE_DELIVERY this is the only road to a customer.",
  })
  @AllowedFor(Purpose.PRIZE_DELIVERY, Purpose.SERVICE_PROVISION, Purpose.DATA_SUBJECT_REQUEST)
  winners(@Root() campaign: GiftCampaign, @Ctx() ctx: GatewayContext): Promise<CampaignEntry[]> {
    return ctx.data.winnersOf(campaign.id);
  }
}

@Resolver(() => CampaignEntry)
export class CampaignEntryFields {
  @FieldResolver(() => GiftCampaign, { nullable: true })
  campaign(@Root() entry: CampaignEntry, @Ctx() ctx: GatewayContext): Promise<GiftCampaign | null> {
    return ctx.data.campaignOfEntry(entry);
  }

  @FieldResolver(() => Customer, { nullable: true })
  customer(@Root() entry: CampaignEntry, @Ctx() ctx: GatewayContext): Promise<Customer | null> {
    return ctx.data.customerOfEntry(entry);
  }
}
