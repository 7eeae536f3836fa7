import { CampaignEntry } from "./campaign-entry";
import { Customer } from "./customer";
import { GiftCampaign } from "./gift-campaign";
import { NotificationSubscription } from "./notification-subscription";
import { ServiceUsage } from "./service-usage";

export { CampaignEntry, Customer, GiftCampaign, NotificationSubscription, ServiceUsage };

/** The kernel's entities, as classes (TypeORM is given classes, never globs). */
export const MODEL_ENTITIES = [CampaignEntry, Customer, GiftCampaign, NotificationSubscription, ServiceUsage];

/** The class each kernel table's rows are hydrated as (the Node interface and unions resolve by class). */
export const MODEL_CLASSES: ReadonlyMap<string, { prototype: object }> = new Map<string, { prototype: object }>([
  ["customer", Customer],
  ["service_usage", ServiceUsage],
  ["campaign_entry", CampaignEntry],
  ["notification_subscription", NotificationSubscription],
  ["gift_campaign", GiftCampaign],
]);
