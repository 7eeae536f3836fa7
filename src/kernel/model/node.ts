import { Field, ID, InterfaceType } from "type-graphql";
import { Public } from "../schema/decorators";

/**
 * Anything with an id (the Relay convention). An interface is also a classic way to smuggle
 * a forbidden field past a naive check (`node(id) { ... on Customer { birthDate } }`):
 * the gate checks a field on an interface against every type that implements it.
 */
@InterfaceType({
  description: "An object with an id.",
  resolveType: (value: object) => value.constructor.name,
})
@Public()
export abstract class Node {
  @Field(() => ID)
  id: string;
}
