import { Field, ID, Int, ObjectType } from "type-graphql";
import { Node } from "./node";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { AllowedFor } from "../schema/decorators";
import { Purpose } from "../purposes/purpose";

/** One use of a service by a customer (what was used, how much was paid, when). */
@ObjectType({ description: "A customer's use of a service. Personal data.", implements: Node })
@AllowedFor(Purpose.SERVICE_PROVISION, Purpose.PRODUCT_IMPROVEMENT, Purpose.DATA_SUBJECT_REQUEST)
@Entity({ name: "service_usage" })
export class ServiceUsage {
  @Field(() => ID)
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ name: "customer_id", type: "uuid" })
  customerId: string;

  @Field()
  @Column({ type: "text" })
  service: string;

  @Field(() => Int, { description: "Amount paid, in yen." })
  @Column({ type: "integer" })
  amount: number;

  @Field()
  @Column({ name: "occurred_at", type: "timestamptz" })
  occurredAt: Date;
}
