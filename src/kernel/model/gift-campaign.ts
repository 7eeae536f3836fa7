import { Field, ID, ObjectType } from "type-graphql";
import { Node } from "./node";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { Public } from "../schema/decorators";

/** A gift campaign. The campaign itself is not personal data; its winners are. */
@ObjectType({ description: "A gift campaign (agreement 1.2).", implements: Node })
@Entity({ name: "gift_campaign" })
@Public()
export class GiftCampaign {
  @Field(() => ID)
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Field()
  @Column({ type: "text" })
  name: string;

  @Field()
  @Column({ type: "text" })
  prize: string;

  @Field()
  @Column({ name: "starts_at", type: "timestamptz" })
  startsAt: Date;

  @Field()
  @Column({ name: "ends_at", type: "timestamptz" })
  endsAt: Date;

  // `winners` is declared with its purposes where it is resolved: graphql/resolvers/campaign-fields.ts.
}
