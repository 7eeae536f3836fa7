import { ArrayMaxSize, Max, Min, ValidateNested } from "class-validator";
import { Arg, Args, ArgsType, Ctx, Field, ID, Int, Query, Resolver } from "type-graphql";
import { Customer } from "../../kernel/model";
import { AllowedFor } from "../../kernel/schema/decorators";
import { Purpose } from "../../kernel/purposes/purpose";
import type { GatewayContext } from "../../kernel/request-context";
import { CustomerFilter, CustomerOrder } from "./inputs/customer-filter";
import { Node } from "../../kernel/model/node";

const { SERVICE_PROVISION: SP, PRODUCT_IMPROVEMENT: PI, NOTIFICATION: NO, DATA_SUBJECT_REQUEST: DSR, INDIVIDUAL_AGREEMENT: IA } = Purpose;

@ArgsType()
class CustomersArgs {
  @Field(() => CustomerFilter, { nullable: true })
  @ValidateNested()
  filter?: CustomerFilter;

  @Field(() => [CustomerOrder], { nullable: true })
  @ValidateNested({ each: true })
  @ArrayMaxSize(3)
  orderBy?: CustomerOrder[];

  @Field(() => Int, { defaultValue: 20, description: "Page size, 1 to 100." })
  @Min(1)
  @Max(100)
  first: number;

  @Field(() => ID, {
    nullable: true,
    description: "Keyset pagination: the id of the last customer of the previous page (same filter and order). Flat whatever the depth.",
  })
  after?: string;

  @Field(() => Int, {
    defaultValue: 0,
    description: "Rows to skip, 0 to 1000 (deeper pages: use `after`, which costs the same at any depth).",
  })
  @Min(0)
  @Max(1000)
  offset: number;
}

@Resolver()
export class CustomerQueries {
  @Query(() => Customer, { nullable: true, description: "One customer, if the declared purpose may reach them." })
  @AllowedFor(SP, PI, NO, DSR, IA)
  customer(@Arg("id", () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<Customer | null> {
    return ctx.data.customer(id);
  }

  @Query(() => Node, { nullable: true, description: "Any object by id, if the declared purpose may reach it." })
  @AllowedFor(SP, PI, NO, DSR, IA)
  node(@Arg("id", () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<Node | null> {
    return ctx.data.node(id);
  }

  @Query(() => [Customer], { description: "Customers the declared purpose may reach (subscribers only under NOTIFICATION)." })
  @AllowedFor(SP, PI, NO, IA)
  customers(@Args() args: CustomersArgs, @Ctx() ctx: GatewayContext): Promise<Customer[]> {
    return ctx.data.listCustomers({
      filter: args.filter,
      orderBy: args.orderBy,
      first: args.first,
      after: args.after,
      offset: args.offset,
    });
  }
}
