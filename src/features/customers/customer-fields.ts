import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { CampaignEntry, Customer, NotificationSubscription, ServiceUsage } from "../../kernel/model";
import { AllowedFor } from "../../kernel/schema/decorators";
import { Purpose } from "../../kernel/purposes/purpose";
import type { GatewayContext } from "../../kernel/request-context";
import { CustomerActivity } from "./customer-activity";

const { SERVICE_PROVISION: SP, PRODUCT_IMPROVEMENT: PI, NOTIFICATION: NO, DATA_SUBJECT_REQUEST: DSR } = Purpose;

/** A customer's related rows, each field with its purposes, loaded in batches. */
@Resolver(() => Customer)
export class CustomerFields {
  @FieldResolver(() => [ServiceUsage])
  @AllowedFor(SP, PI, DSR)
  serviceUsage(@Root() customer: Customer, @Ctx() ctx: GatewayContext): Promise<ServiceUsage[]> {
    return ctx.data.serviceUsageOf(customer.id);
  }

  @FieldResolver(() => [CampaignEntry])
  @AllowedFor(SP, DSR)
  campaignEntries(@Root() customer: Customer, @Ctx() ctx: GatewayContext): Promise<CampaignEntry[]> {
    return ctx.data.campaignEntriesOf(customer.id);
  }

  @FieldResolver(() => [CustomerActivity], { description: "Service usage and campaign entries, newest first." })
  @AllowedFor(SP, DSR)
  async activity(@Root() customer: Customer, @Ctx() ctx: GatewayContext): Promise<Array<ServiceUsage | CampaignEntry>> {
    const [usage, entries] = await Promise.all([ctx.data.serviceUsageOf(customer.id), ctx.data.campaignEntriesOf(customer.id)]);
    const when = (a: ServiceUsage | CampaignEntry) => ("occurredAt" in a ? a.occurredAt : a.enteredAt).getTime();
    return [...usage, ...entries].sort((a, b) => when(b) - when(a));
  }

  @FieldResolver(() => [NotificationSubscription])
  @AllowedFor(SP, NO, DSR)
  subscriptions(@Root() customer: Customer, @Ctx() ctx: GatewayContext): Promise<NotificationSubscription[]> {
    return ctx.data.subscriptionsOf(customer.id);
  }
}
