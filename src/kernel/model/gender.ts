import { registerEnumType } from "type-graphql";

export enum Gender {
  FEMALE = "FEMALE",
  MALE = "MALE",
  OTHER = "OTHER",
  UNDISCLOSED = "UNDISCLOSED",
}

registerEnumType(Gender, { name: "Gender" });
