import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { CampaignEntry, Customer, NotificationSubscription, ServiceUsage } from "../../kernel/model";
import { CAMPAIGN_ENTRY, NOTIFICATION_SUBSCRIPTION, SERVICE_USAGE } from "../../kernel/personal-data/customer-tables";
import { RelationPurposes } from "../../kernel/personal-data/decorators";
import type { GatewayContext } from "../../kernel/request-context";
import { CustomerActivity } from "./customer-activity";

/**
 * A customer's related rows. Each field's purposes are those of its rows' data categories
 * (the declaration); the rows come embedded in the customer's own statement.
 */
@Resolver(() => Customer)
export class CustomerFields {
  @FieldResolver(() => [ServiceUsage])
  @RelationPurposes(SERVICE_USAGE)
  serviceUsage(@Root() customer: Customer, @Ctx() ctx: GatewayContext): Promise<ServiceUsage[]> {
    return ctx.data.related(customer, "serviceUsage");
  }

  @FieldResolver(() => [CampaignEntry])
  @RelationPurposes(CAMPAIGN_ENTRY)
  campaignEntries(@Root() customer: Customer, @Ctx() ctx: GatewayContext): Promise<CampaignEntry[]> {
    return ctx.data.related(customer, "campaignEntries");
  }

  /** Derived from usage and entries (declared as such): permitted only where both are. */
  @FieldResolver(() => [CustomerActivity], { description: "Service usage and campaign entries, newest first." })
  @RelationPurposes(SERVICE_USAGE, CAMPAIGN_ENTRY)
  async activity(@Root() customer: Customer, @Ctx() ctx: GatewayContext): Promise<Array<ServiceUsage | CampaignEntry>> {
    const [usage, entries] = await Promise.all([
      ctx.data.related<ServiceUsage>(customer, "serviceUsage"),
      ctx.data.related<CampaignEntry>(customer, "campaignEntries"),
    ]);
    const when = (a: ServiceUsage | CampaignEntry) => ("occurredAt" in a ? a.occurredAt : a.enteredAt).getTime();
    return [...usage, ...entries].sort((a, b) => when(b) - when(a));
  }

  @FieldResolver(() => [NotificationSubscription])
  @RelationPurposes(NOTIFICATION_SUBSCRIPTION)
  subscriptions(@Root() customer: Customer, @Ctx() ctx: GatewayContext): Promise<NotificationSubscription[]> {
    return ctx.data.related(customer, "subscriptions");
  }
}
