import "reflect-metadata";
import { parse, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import type { RecipientGrant } from "../../src/kernel/caller/recipient";
import { DisclosureGround } from "../../src/kernel/purposes/disclosure-ground";
import { createGate, type Gate } from "../../src/kernel/gate/gate";
import type { Caller } from "../../src/kernel/gate/governance-input";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { buildGatewaySchema } from "../../src/app/schema/build-schema";
import { compose } from "../../src/app/compose";

/**
 * The ANONYMOUS_STATISTICS rule, decided by the gate on the real schema. The same ground
 * over HTTP (a real statistics answer, audited, no ledger entry) is in grounds.test.ts.
 */
let gate: Gate;
let schema: GraphQLSchema;

const statsPartner: RecipientGrant = {
  id: "00000000-0000-4000-8000-000000000001",
  name: "stats-partner",
  kind: "THIRD_PARTY",
  contractRef: "DSA-STATS",
  grounds: [DisclosureGround.ANONYMOUS_STATISTICS],
  purposes: [],
  fields: [],
};
const caller: Caller = {
  id: "00000000-0000-4000-8000-000000000002",
  name: "stats-client",
  purposes: [Purpose.USAGE_STATISTICS, Purpose.SERVICE_PROVISION],
  recipient: statsPartner,
  roles: [],
};

function decide(source: string) {
  const document = parse(source);
  const operation = document.definitions[0] as OperationDefinitionNode;
  return gate.decide({ document, operation, variables: undefined, caller });
}

beforeAll(async () => {
  const composition = compose();
  schema = await buildGatewaySchema(composition);
  gate = createGate(schema, composition.stages, composition.catalogue);
});

describe("ANONYMOUS_STATISTICS reaches the statistics API and nothing else", () => {
  it("allows an operation that only uses Query.statistics", () => {
    const decision = decide(
      `query S @purpose(name: USAGE_STATISTICS) @disclosure(ground: ANONYMOUS_STATISTICS) { statistics { customers(groupBy: [GENDER]) { buckets { customers } suppressedBuckets } } }`,
    );
    expect(decision.allowed).toBe(true);
  });

  it("refuses any other root field, one error each, whatever purpose is declared", () => {
    // (under USAGE_STATISTICS issue 3's own rule already refuses other roots; this ground holds for any purpose)
    const decision = decide(
      `query S @purpose(name: SERVICE_PROVISION) @disclosure(ground: ANONYMOUS_STATISTICS) { campaigns { name } viewer { name } }`,
    );
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(decision.errors.map((e) => [e.extensions.code, e.extensions.coordinate])).toEqual([
      ["DISCLOSURE_STATISTICS_ONLY", "Query.campaigns"],
      ["DISCLOSURE_STATISTICS_ONLY", "Query.viewer"],
    ]);
    expect(decision.status).toBe(403);
  });
});
