import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { Node } from "./node";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { AllowedFor } from "../schema/decorators";
import { Purpose } from "../purposes/purpose";

export enum NotificationChannel {
  EMAIL_MAGAZINE = "EMAIL_MAGAZINE",
  SERVICE_NEWS = "SERVICE_NEWS",
}
registerEnumType(NotificationChannel, { name: "NotificationChannel" });

/** Whether a customer is opted in to a notification channel (agreement 1.4), and since when. */
@ObjectType({ description: "A customer's e-mail magazine / notification subscription. Personal data.", implements: Node })
@AllowedFor(Purpose.SERVICE_PROVISION, Purpose.NOTIFICATION, Purpose.DATA_SUBJECT_REQUEST)
@Entity({ name: "notification_subscription" })
export class NotificationSubscription {
  @Field(() => ID)
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ name: "customer_id", type: "uuid" })
  customerId: string;

  @Field(() => NotificationChannel)
  @Column({ type: "text" })
  channel: NotificationChannel;

  @Field()
  @Column({ name: "opted_in", type: "boolean" })
  optedIn: boolean;

  @Field()
  @Column({ name: "changed_at", type: "timestamptz" })
  changedAt: Date;
}
