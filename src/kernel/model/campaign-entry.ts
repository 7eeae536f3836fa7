import { ID, ObjectType } from "type-graphql";
import { Entity } from "typeorm";
import { CAMPAIGN_ENTRY } from "../personal-data/customer-tables";
import { DeclaredColumn, TablePurposes } from "../personal-data/decorators";
import { Node } from "./node";

const c = CAMPAIGN_ENTRY.columns;

/** A customer's entry in a gift campaign: whether it won and when the prize was shipped. */
@ObjectType({ description: "An entry in a gift campaign. Personal data.", implements: Node })
@TablePurposes(CAMPAIGN_ENTRY)
@Entity({ name: CAMPAIGN_ENTRY.table })
export class CampaignEntry {
  @DeclaredColumn(c.id, () => ID)
  id: string;

  /** which campaign (resolved through the data layer: features/customers/campaign-resolvers.ts) */
  campaignId: string;

  /** whose entry (resolved through the data layer, only for a winning entry under PRIZE_DELIVERY) */
  customerId: string;

  @DeclaredColumn(c.enteredAt, () => Date)
  enteredAt: Date;

  @DeclaredColumn(c.won, () => Boolean)
  won: boolean;

  @DeclaredColumn(c.shippedAt, () => Date, { nullable: true })
  shippedAt: Date | null;
}
