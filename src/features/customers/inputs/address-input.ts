import { IsIn, Length, Matches } from "class-validator";
import { Field, InputType } from "type-graphql";
import { PREFECTURE_NAMES } from "../../../kernel/personal-data/prefectures";

@InputType({ description: "A corrected postal address." })
export class AddressInput {
  @Field({ description: "Japanese postal code, NNN-NNNN." })
  @Matches(/^\d{3}-\d{4}$/)
  postalCode: string;

  @Field({ description: "One of the 47 prefectures, e.g. Tokyo." })
  @IsIn(PREFECTURE_NAMES)
  prefecture: string;

  @Field()
  @Length(1, 200)
  streetAddress: string;
}
