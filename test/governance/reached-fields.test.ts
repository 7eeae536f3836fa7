import "reflect-metadata";
import { getOperationAST, parse } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { reachOf } from "../../src/kernel/gate/reach";
import { buildGatewaySchema } from "../../src/app/schema/build-schema";

let schema: Awaited<ReturnType<typeof buildGatewaySchema>>;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

const reach = (source: string) => {
  const document = parse(source);
  return reachOf(schema, document, getOperationAST(document)!);
};

describe("reachOf: what an operation can reach", () => {
  it("walks a 30-level fan-out (each fragment spreading the previous twice) once per fragment", () => {
    const fragments = ["fragment F0 on Customer { fullName birthDate }"];
    for (let i = 1; i <= 30; i++) fragments.push(`fragment F${i} on Customer { ...F${i - 1} ...F${i - 1} }`);
    const started = performance.now();
    const r = reach(`query { customer(id: "x") { ...F30 } } ${fragments.join(" ")}`);
    const ms = performance.now() - started;
    expect([...r.fields.keys()].sort()).toEqual(["Customer.birthDate", "Customer.fullName", "Query.customer"]);
    console.info(`reachOf over 2^30 fragment paths: ${ms.toFixed(2)} ms`);
  });

  it("counts fields under @skip/@include, aliases and every implementation of an interface", () => {
    const r = reach(`query { a: node(id: "x") { id ... @skip(if: true) { ... on Customer { dob: birthDate } } } }`);
    expect([...r.fields.keys()]).toEqual(
      expect.arrayContaining(["Query.node", "Node.id", "Customer.id", "GiftCampaign.id", "ServiceUsage.id", "Customer.birthDate"]),
    );
  });

  it("collects filter inputs from literals, variable defaults and leaves variables for the request", () => {
    const r = reach(`query ($f: CustomerFilter = { bornTo: "2000-01-01" }) { customers(filter: $f, orderBy: [{ fullName: ASC }]) { id } }`);
    expect([...r.inputs.keys()].sort()).toEqual(["CustomerFilter.bornTo", "CustomerOrder.fullName"]);
    expect(r.variableInputs.map((v) => v.name)).toEqual(["f"]);
  });
});
