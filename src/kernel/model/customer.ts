import { Field, ID, ObjectType } from "type-graphql";
import { Node } from "./node";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { AllowedFor } from "../schema/decorators";
import { Purpose } from "../purposes/purpose";
import { Gender } from "./gender";

const {
  SERVICE_PROVISION: SP,
  PRIZE_DELIVERY: PD,
  PRODUCT_IMPROVEMENT: PI,
  NOTIFICATION: NO,
  DATA_SUBJECT_REQUEST: DSR,
  INDIVIDUAL_AGREEMENT: IA,
} = Purpose;

/**
 * A customer: the person the agreement protects. Every field carries its purposes;
 * the type-level list (requests from the customer only) covers any field added without one.
 * No field allows USAGE_STATISTICS: statistics are aggregates, never rows.
 */
@ObjectType({ description: "A customer. Personal data: each field lists the purposes it may be read for.", implements: Node })
@AllowedFor(DSR)
@Entity({ name: "customer" })
export class Customer {
  @Field(() => ID)
  @AllowedFor(SP, PD, PI, NO, DSR, IA)
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Field()
  @AllowedFor(SP, PD, NO, DSR, IA)
  @Column({ name: "full_name", type: "text" })
  fullName: string;

  @Field()
  @AllowedFor(SP, NO, DSR, IA)
  @Column({ type: "text" })
  email: string;

  @Field()
  @AllowedFor(SP, PD, DSR)
  @Column({ type: "text" })
  phone: string;

  @Field()
  @AllowedFor(SP, PD, DSR)
  @Column({ name: "postal_code", type: "text" })
  postalCode: string;

  @Field()
  @AllowedFor(SP, PD, PI, DSR, IA)
  @Column({ type: "text" })
  prefecture: string;

  @Field()
  @AllowedFor(SP, PD, DSR)
  @Column({ name: "street_address", type: "text" })
  streetAddress: string;

  @Field({ description: "ISO date (YYYY-MM-DD)." })
  @AllowedFor(DSR)
  @Column({ name: "birth_date", type: "date" })
  birthDate: string;

  @Field(() => Gender)
  @AllowedFor(PI, DSR)
  @Column({ type: "text" })
  gender: Gender;

  @Field()
  @AllowedFor(SP, PI, DSR)
  @Column({ name: "created_at", type: "timestamptz" })
  createdAt: Date;

  /** Soft deletion and erasure: such customers are never returned, under any purpose. */
  @Column({ name: "deleted_at", type: "timestamptz", nullable: true })
  deletedAt: Date | null;

  @Column({ name: "erased_at", type: "timestamptz", nullable: true })
  erasedAt: Date | null;

  // Relation fields (serviceUsage, campaignEntries, subscriptions) are declared with their
  // purposes where they are resolved: graphql/resolvers/customer-fields.ts.
}
