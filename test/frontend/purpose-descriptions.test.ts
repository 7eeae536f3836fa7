import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/** Introspection (GraphiQL's docs, codegen) shows each field's permitted purposes, as the gate reads them. */
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t?.stop());

const INTROSPECT = `{ __schema { types { name fields { name description } inputFields { name description } } } }`;

describe("permitted purposes in the docs", () => {
  it("every restricted field's description lists exactly the purposes the gate allows", async () => {
    const res = await t.gql(INTROSPECT);
    const types: Array<{ name: string; fields: Array<{ name: string; description: string | null }> | null }> = res.body.data.__schema.types;
    const restricted = t.gateway.gate.policy.restricted();
    expect(restricted.size).toBeGreaterThan(20);
    for (const [coordinate, purposes] of restricted) {
      const [typeName, fieldName] = coordinate.split(".");
      const description = types.find((ty) => ty.name === typeName)?.fields?.find((f) => f.name === fieldName)?.description ?? "";
      const line = /Personal data\. Permitted purposes: (.*)\./.exec(description);
      expect(line, coordinate).not.toBeNull();
      expect(
        line![1].split(", ").map((p) => p.replace(/ \(1\.\d\)$/, "")),
        coordinate,
      ).toEqual([...purposes]);
    }
  });

  it("says nothing of the kind on public fields, and names what a filter reveals", async () => {
    const res = await t.gql(INTROSPECT);
    const types = res.body.data.__schema.types;
    const campaignName = types.find((ty: any) => ty.name === "GiftCampaign").fields.find((f: any) => f.name === "name");
    expect(campaignName.description ?? "").not.toContain("Permitted purposes");
    const bornFrom = types.find((ty: any) => ty.name === "CustomerFilter").inputFields.find((f: any) => f.name === "bornFrom");
    expect(bornFrom.description).toContain("Reveals Customer.birthDate: usable only for DATA_SUBJECT_REQUEST (1.5).");
    const audit = types.find((ty: any) => ty.name === "Query").fields.find((f: any) => f.name === "auditEvents");
    expect(audit.description).toContain("Requires the PRIVACY_OFFICER role.");
  });
});
