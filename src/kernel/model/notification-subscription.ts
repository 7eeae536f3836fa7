import { ID, ObjectType, registerEnumType } from "type-graphql";
import { Entity } from "typeorm";
import { NOTIFICATION_SUBSCRIPTION } from "../personal-data/customer-tables";
import { DeclaredColumn, TablePurposes } from "../personal-data/decorators";
import { Node } from "./node";

export enum NotificationChannel {
  EMAIL_MAGAZINE = "EMAIL_MAGAZINE",
  SERVICE_NEWS = "SERVICE_NEWS",
}
registerEnumType(NotificationChannel, { name: "NotificationChannel" });

const c = NOTIFICATION_SUBSCRIPTION.columns;

/** Whether a customer is opted in to a notification channel (agreement 1.4), and since when. */
@ObjectType({ description: "A customer's e-mail magazine / notification subscription. Personal data.", implements: Node })
@TablePurposes(NOTIFICATION_SUBSCRIPTION)
@Entity({ name: NOTIFICATION_SUBSCRIPTION.table })
export class NotificationSubscription {
  @DeclaredColumn(c.id, () => ID)
  id: string;

  customerId: string;

  @DeclaredColumn(c.channel, () => NotificationChannel)
  channel: NotificationChannel;

  @DeclaredColumn(c.optedIn, () => Boolean)
  optedIn: boolean;

  @DeclaredColumn(c.changedAt, () => Date)
  changedAt: Date;
}
