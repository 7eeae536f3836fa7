import { Field, InputType } from "type-graphql";
import { Gender } from "../../../kernel/model/gender";
import { AgeBand } from "../dimensions";

@InputType({ description: 'An inclusive range of calendar months, "YYYY-MM".' })
export class MonthRange {
  @Field({ description: 'First month, e.g. "2026-01".' })
  from: string;

  @Field({ description: 'Last month (inclusive), e.g. "2026-06".' })
  to: string;
}

/**
 * Filters on the generalised dimensions only (no id, name, e-mail, exact date or free
 * predicate exists). Lists select any of their values; several filters must all hold.
 */
@InputType({ description: "Filters for customer statistics: generalised dimensions only." })
export class CustomerStatisticsFilter {
  @Field(() => [AgeBand], { nullable: true })
  ageBands?: AgeBand[];

  @Field(() => [Gender], { nullable: true })
  genders?: Gender[];

  @Field(() => [String], { nullable: true, description: "Prefecture names, e.g. Tokyo." })
  prefectures?: string[];

  @Field(() => [String], { nullable: true, description: "Regions: Hokkaido, Tohoku, Kanto, Chubu, Kansai, Chugoku, Shikoku, Kyushu." })
  regions?: string[];

  @Field(() => MonthRange, { nullable: true, description: "Signed up in these months." })
  signupMonth?: MonthRange;
}

@InputType({ description: "Filters for service-usage statistics: generalised dimensions only." })
export class UsageStatisticsFilter extends CustomerStatisticsFilter {
  @Field(() => [String], { nullable: true, description: "Services from the catalogue (or Other)." })
  services?: string[];

  @Field(() => MonthRange, { nullable: true, description: "Used in these months." })
  usageMonth?: MonthRange;
}
