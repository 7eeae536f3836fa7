import { Arg, Ctx, ID, Mutation, Resolver } from "type-graphql";
import { CampaignEntry, Customer, NotificationSubscription } from "../../kernel/model";
import { NotificationChannel } from "../../kernel/model/notification-subscription";
import { AllowedFor } from "../../kernel/schema/decorators";
import { Purpose } from "../../kernel/purposes/purpose";
import type { GatewayContext } from "../../kernel/request-context";
import { AddressInput } from "./inputs/address-input";

/** Changes to personal data. Each needs a declared purpose that allows it, like any read. */
@Resolver()
export class Mutations {
  @Mutation(() => Customer, { nullable: true, description: "Corrects a customer's postal address. Null if not reachable." })
  @AllowedFor(Purpose.SERVICE_PROVISION, Purpose.DATA_SUBJECT_REQUEST)
  updateCustomerAddress(
    @Arg("customerId", () => ID) customerId: string,
    @Arg("address", () => AddressInput) address: AddressInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<Customer | null> {
    return ctx.data.updateAddress(customerId, address);
  }

  @Mutation(() => NotificationSubscription, { nullable: true, description: "Opts a customer in or out of a channel." })
  @AllowedFor(Purpose.SERVICE_PROVISION, Purpose.NOTIFICATION, Purpose.DATA_SUBJECT_REQUEST)
  setNotificationSubscription(
    @Arg("customerId", () => ID) customerId: string,
    @Arg("channel", () => NotificationChannel) channel: NotificationChannel,
    @Arg("optedIn") optedIn: boolean,
    @Ctx() ctx: GatewayContext,
  ): Promise<NotificationSubscription | null> {
    return ctx.data.setSubscription(customerId, channel, optedIn);
  }

  @Mutation(() => CampaignEntry, { nullable: true, description: "Records a winner's prize as shipped." })
  @AllowedFor(Purpose.PRIZE_DELIVERY)
  markPrizeShipped(@Arg("entryId", () => ID) entryId: string, @Ctx() ctx: GatewayContext): Promise<CampaignEntry | null> {
    return ctx.data.markPrizeShipped(entryId);
  }
}
