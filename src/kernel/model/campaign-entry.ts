import { Field, ID, ObjectType } from "type-graphql";
import { Node } from "./node";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { AllowedFor } from "../schema/decorators";
import { Purpose } from "../purposes/purpose";

/** A customer's entry in a gift campaign: whether it won and when the prize was shipped. */
@ObjectType({ description: "An entry in a gift campaign. Personal data.", implements: Node })
@AllowedFor(Purpose.SERVICE_PROVISION, Purpose.PRIZE_DELIVERY, Purpose.DATA_SUBJECT_REQUEST)
@Entity({ name: "campaign_entry" })
export class CampaignEntry {
  @Field(() => ID)
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ name: "campaign_id", type: "uuid" })
  campaignId: string;

  @Column({ name: "customer_id", type: "uuid" })
  customerId: string;

  @Field()
  @Column({ name: "entered_at", type: "timestamptz" })
  enteredAt: Date;

  @Field()
  @Column({ type: "boolean" })
  won: boolean;

  @Field(() => Date, { nullable: true })
  @Column({ name: "shipped_at", type: "timestamptz", nullable: true })
  shippedAt: Date | null;

  // `campaign` and `customer` are resolved through the data layer: graphql/resolvers/campaign-fields.ts.
}
