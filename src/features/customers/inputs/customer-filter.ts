import { IsISO8601, Length, Matches } from "class-validator";
import { Field, InputType, registerEnumType } from "type-graphql";
import { Reveals } from "../../../kernel/schema/decorators";

export enum SortDirection {
  ASC = "ASC",
  DESC = "DESC",
}
registerEnumType(SortDirection, { name: "SortDirection" });

/**
 * Filters on customers. Each filter reveals the field it tests (`@reveals`), so it is
 * permitted only under purposes that may read that field: no filter works as an oracle.
 */
@InputType({ description: "Filters on customers; each is permitted only where the field it tests may be read." })
export class CustomerFilter {
  @Field({ nullable: true })
  @Reveals("Customer.prefecture")
  @Length(1, 20)
  prefecture?: string;

  @Field({ nullable: true, description: "Created at or after." })
  @Reveals("Customer.createdAt")
  createdFrom?: Date;

  @Field({ nullable: true, description: "Created before." })
  @Reveals("Customer.createdAt")
  createdTo?: Date;

  @Field({ nullable: true, description: "Born on or after (YYYY-MM-DD)." })
  @Reveals("Customer.birthDate")
  @IsISO8601({ strict: true })
  bornFrom?: string;

  @Field({ nullable: true, description: "Born before (YYYY-MM-DD)." })
  @Reveals("Customer.birthDate")
  @IsISO8601({ strict: true })
  bornTo?: string;

  @Field({ nullable: true, description: "E-mail domain, e.g. example.jp." })
  @Reveals("Customer.email")
  @Matches(/^[a-z0-9.-]+\.[a-z]{2,}$/i)
  emailDomain?: string;
}

/** One sort key; set exactly one field per element of `orderBy`. */
@InputType({ description: "A sort key; each is permitted only where the field it sorts by may be read." })
export class CustomerOrder {
  @Field(() => SortDirection, { nullable: true })
  @Reveals("Customer.createdAt")
  createdAt?: SortDirection;

  @Field(() => SortDirection, { nullable: true })
  @Reveals("Customer.fullName")
  fullName?: SortDirection;

  @Field(() => SortDirection, { nullable: true })
  @Reveals("Customer.birthDate")
  birthDate?: SortDirection;
}
