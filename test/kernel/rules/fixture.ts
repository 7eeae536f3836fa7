import { buildSchema, parse, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { Caller } from "../../../src/kernel/caller/caller";
import { ErrorCatalogue, KernelCodes } from "../../../src/kernel/errors/catalogue";
import { createGate, type Decision } from "../../../src/kernel/gate/gate";
import type { GovernanceRule } from "../../../src/kernel/gate/governance-input";

/**
 * A small schema with the governance directives, for the gate's rules (graphql-js's rule
 * tests are the model): one rule at a time, decided in memory, in milliseconds, no database.
 */
export const FIXTURE_SDL = `
  enum Purpose { SERVICE_PROVISION PRIZE_DELIVERY PRODUCT_IMPROVEMENT NOTIFICATION DATA_SUBJECT_REQUEST USAGE_STATISTICS INDIVIDUAL_AGREEMENT }
  enum ComplianceRole { PRIVACY_OFFICER }
  directive @allowedFor(purposes: [Purpose!]!) on FIELD_DEFINITION | OBJECT
  directive @public on FIELD_DEFINITION | OBJECT | INTERFACE
  directive @purpose(name: Purpose!, agreement: String) on QUERY | MUTATION | SUBSCRIPTION
  directive @reveals(coordinate: String!) on INPUT_FIELD_DEFINITION
  directive @requiresRole(role: ComplianceRole!) on FIELD_DEFINITION

  interface Node @public { id: ID! }
  type Person implements Node @allowedFor(purposes: [DATA_SUBJECT_REQUEST]) {
    id: ID! @allowedFor(purposes: [SERVICE_PROVISION, PRODUCT_IMPROVEMENT, DATA_SUBJECT_REQUEST])
    name: String @allowedFor(purposes: [SERVICE_PROVISION, DATA_SUBJECT_REQUEST])
    birthDate: String
    orders: [Order!]! @allowedFor(purposes: [SERVICE_PROVISION, PRODUCT_IMPROVEMENT, DATA_SUBJECT_REQUEST])
  }
  type Order implements Node @allowedFor(purposes: [SERVICE_PROVISION, PRODUCT_IMPROVEMENT, DATA_SUBJECT_REQUEST]) { id: ID! amount: Int }
  type Shop @public { name: String }
  input PersonFilter {
    bornAfter: String @reveals(coordinate: "Person.birthDate")
    name: String @reveals(coordinate: "Person.name")
  }
  type Query {
    person(id: ID!): Person @allowedFor(purposes: [SERVICE_PROVISION, PRODUCT_IMPROVEMENT, DATA_SUBJECT_REQUEST])
    people(filter: PersonFilter, note: String): [Person!]! @allowedFor(purposes: [SERVICE_PROVISION, PRODUCT_IMPROVEMENT, DATA_SUBJECT_REQUEST])
    node(id: ID!): Node @allowedFor(purposes: [SERVICE_PROVISION, PRODUCT_IMPROVEMENT, DATA_SUBJECT_REQUEST])
    shop: Shop @public
    trail: [String!]! @allowedFor(purposes: [DATA_SUBJECT_REQUEST]) @requiresRole(role: PRIVACY_OFFICER)
  }
  type Mutation { rename(id: ID!, name: String!): Person @allowedFor(purposes: [SERVICE_PROVISION]) }
  type Subscription { shopOpened: Shop @public }
`;

export const fixtureSchema: GraphQLSchema = buildSchema(FIXTURE_SDL);
const catalogue = new ErrorCatalogue([["kernel", KernelCodes.table]]);

export const caller = (purposes: string[], extra: Partial<Caller> = {}): Caller => ({
  id: "c1",
  name: "client",
  purposes: purposes as Caller["purposes"],
  ...extra,
});

/** The gate with only `rules` (one stage), on the fixture schema (or another). */
export function decideWith(
  rules: GovernanceRule[],
  source: string,
  options: { caller?: Caller | null; variables?: Record<string, unknown>; schema?: GraphQLSchema } = {},
): Decision {
  const schema = options.schema ?? fixtureSchema;
  const gate = createGate(schema, [rules], catalogue);
  const document = parse(source);
  const operation = document.definitions.find((d) => d.kind === "OperationDefinition") as OperationDefinitionNode;
  return gate.decide({
    document,
    operation,
    variables: options.variables,
    caller: options.caller === undefined ? caller(["SERVICE_PROVISION"]) : options.caller,
  });
}

/** The codes a decision refused with (none when allowed). */
export const refusedWith = (decision: Decision): string[] =>
  decision.allowed ? [] : decision.errors.map((e) => String(e.extensions.code));
