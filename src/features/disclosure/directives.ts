import { DirectiveLocation, GraphQLDirective, GraphQLEnumType, GraphQLNonNull, GraphQLString, type GraphQLSchema } from "graphql";

export const DISCLOSURE = "disclosure";

/** The longest reference accepted: it names an instrument, it is not a document. */
export const MAX_REFERENCE_LENGTH = 200;

/**
 * `@disclosure(ground: DisclosureGround!, reference: String)` on an operation: the ground
 * (agreement 3.1–3.5) a third party receives the data on, and the instrument (court order,
 * statute, agreement number) that backs it. Built over the schema's own enum, as `@purpose`.
 */
export function disclosureDirective(built: GraphQLSchema): GraphQLDirective {
  const ground = built.getType("DisclosureGround");
  if (!(ground instanceof GraphQLEnumType)) throw new Error("DisclosureGround enum missing from schema");
  return new GraphQLDirective({
    name: DISCLOSURE,
    description:
      "The ground a third party receives personal data on (agreement Section 3). Required on every operation of a client that acts for a third party. `reference` names the court order or statute for LEGAL_REQUEST and REQUIRED_BY_LAW. Never put personal values in it.",
    locations: [DirectiveLocation.QUERY, DirectiveLocation.MUTATION, DirectiveLocation.SUBSCRIPTION],
    args: {
      ground: { type: new GraphQLNonNull(ground) },
      reference: { type: GraphQLString },
    },
  });
}
