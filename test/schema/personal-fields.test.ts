import "reflect-metadata";
import { getNamedType, isInterfaceType, isObjectType, isUnionType, type GraphQLNamedType, type GraphQLSchema } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { compose } from "../../src/app/compose";
import { readFieldPolicy, type FieldPolicy } from "../../src/kernel/gate/field-policy";
import { ALL_PURPOSES, Purpose, PURPOSE_CLAUSES } from "../../src/kernel/purposes/purpose";
import { buildGatewaySchema } from "../../src/app/schema/build-schema";

let schema: GraphQLSchema;
let policy: FieldPolicy;

/**
 * Personal types, found from the personal-data declaration rather than listed by hand: the
 * GraphQL type of every declared customer-linked table (the gateway refuses to start when a
 * table of the store holding customer rows is not declared: deletion.test.ts, declaration.test.ts).
 */
function personalTypeNames(): string[] {
  return compose().registry.tables.flatMap((t) => (t.type ? [t.type] : []));
}

beforeAll(async () => {
  schema = await buildGatewaySchema();
  policy = readFieldPolicy(schema);
});

describe("every personal field carries @allowedFor", () => {
  it("finds the personal types", () => {
    expect(personalTypeNames()).toEqual(
      expect.arrayContaining(["Customer", "ServiceUsage", "CampaignEntry", "NotificationSubscription", "Consent"]),
    );
  });

  it("restricts every field of every personal GraphQL type", () => {
    const missing: string[] = [];
    for (const name of personalTypeNames()) {
      const type = schema.getType(name);
      if (!type) continue; // an entity not exposed in GraphQL (e.g. consent) cannot leak through it
      if (!isObjectType(type)) throw new Error(`${name} is not an object type`);
      for (const field of Object.keys(type.getFields())) {
        if (!policy.allowedPurposes(`${name}.${field}`)) missing.push(`${name}.${field}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("restricts every field anywhere that returns a personal type (or a union/interface holding one)", () => {
    const personal = new Set(personalTypeNames());
    const holdsPersonal = (type: GraphQLNamedType): boolean =>
      personal.has(type.name) ||
      (isUnionType(type) && type.getTypes().some((t) => personal.has(t.name))) ||
      (isInterfaceType(type) && schema.getPossibleTypes(type).some((t) => personal.has(t.name)));
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith("__") || !(isObjectType(type) || isInterfaceType(type))) continue;
      for (const field of Object.values(type.getFields())) {
        if (holdsPersonal(getNamedType(field.type)) && !policy.allowedPurposes(`${type.name}.${field.name}`)) {
          missing.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it("lets no individual-level personal field be read for USAGE_STATISTICS (statistics get aggregates only)", () => {
    const offenders = [...policy.restricted()].filter(([, purposes]) => purposes.includes(Purpose.USAGE_STATISTICS)).map(([c]) => c);
    expect(offenders.every((c) => c === "Query.statistics")).toBe(true);
  });
});

describe("the Purpose enum", () => {
  it("is exactly Section 1 of the agreement, each value quoting its clause", () => {
    const type = schema.getType("Purpose");
    expect(type && "getValues" in type).toBe(true);
    const values = (type as any).getValues() as Array<{ name: string; description: string }>;
    expect(values.map((v) => v.name)).toEqual([...ALL_PURPOSES]);
    for (const v of values) {
      const clause = PURPOSE_CLAUSES[v.name as Purpose];
      expect(v.description).toContain(clause.clause);
      expect(v.description).toContain(clause.text);
    }
    expect(ALL_PURPOSES).toHaveLength(7);
  });
});
