import { ApiClient } from "../../clients/api-client-entity";
import { CampaignEntry } from "./campaign-entry";
import { Consent } from "./consent";
import { Customer } from "./customer";
import { GiftCampaign } from "./gift-campaign";
import { NotificationSubscription } from "./notification-subscription";
import { ServiceUsage } from "./service-usage";

export { ApiClient, CampaignEntry, Consent, Customer, GiftCampaign, NotificationSubscription, ServiceUsage };

/** Every entity, as classes (TypeORM is given classes, never globs). */
export const ENTITIES = [
  ApiClient,
  CampaignEntry,
  Consent,
  Customer,
  GiftCampaign,
  NotificationSubscription,
  ServiceUsage,
];
