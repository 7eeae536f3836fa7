import { ID, Int, ObjectType } from "type-graphql";
import { Entity } from "typeorm";
import { SERVICE_USAGE } from "../personal-data/customer-tables";
import { DeclaredColumn, TablePurposes } from "../personal-data/decorators";
import { Node } from "./node";

const c = SERVICE_USAGE.columns;

/** One use of a service by a customer (what was used, how much was paid, when). */
@ObjectType({ description: "A customer's use of a service. Personal data.", implements: Node })
@TablePurposes(SERVICE_USAGE)
@Entity({ name: SERVICE_USAGE.table })
export class ServiceUsage {
  @DeclaredColumn(c.id, () => ID)
  id: string;

  /** whose use it is (not a GraphQL field: the customer is reached through the data layer) */
  customerId: string;

  @DeclaredColumn(c.service, () => String)
  service: string;

  @DeclaredColumn(c.amount, () => Int, { description: "Amount paid, in yen." })
  amount: number;

  @DeclaredColumn(c.occurredAt, () => Date)
  occurredAt: Date;
}
