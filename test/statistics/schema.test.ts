import "reflect-metadata";
import {
  buildSchema,
  getNamedType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  isInterfaceType,
  isObjectType,
  type GraphQLSchema,
} from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { readFieldPolicy } from "../../src/kernel/gate/field-policy";
import { ALLOWED_FOR } from "../../src/kernel/schema/directives";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { buildGatewaySchema } from "../../src/app/schema/build-schema";
import { STATISTICS_ROOT, statisticsCoordinates, statisticsTypes } from "../../src/features/statistics/aggregate-only";

const PERSONAL_TYPES = ["Customer", "ServiceUsage", "CampaignEntry", "NotificationSubscription"];

/**
 * Coordinates that would let USAGE_STATISTICS read individual-level data: any field of a
 * personal type, or of any type carrying @allowedFor (on the type or a field), that allows
 * USAGE_STATISTICS. The only exception is the aggregate-only root `Query.statistics`.
 */
function individualFieldsAllowingStatistics(schema: GraphQLSchema): string[] {
  const policy = readFieldPolicy(schema);
  const carriesAllowedFor = (node: { directives?: ReadonlyArray<{ name: { value: string } }> } | null | undefined) =>
    !!node?.directives?.some((d) => d.name.value === ALLOWED_FOR);
  const offenders: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__") || !(isObjectType(type) || isInterfaceType(type))) continue;
    const fields = Object.values(type.getFields());
    const personal =
      PERSONAL_TYPES.includes(type.name) || carriesAllowedFor(type.astNode) || fields.some((f) => carriesAllowedFor(f.astNode));
    if (!personal) continue;
    for (const field of fields) {
      const coordinate = `${type.name}.${field.name}`;
      if (coordinate === STATISTICS_ROOT) continue;
      if (policy.allowedPurposes(coordinate)?.includes(Purpose.USAGE_STATISTICS)) offenders.push(coordinate);
    }
  }
  return offenders;
}

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

describe("USAGE_STATISTICS reaches aggregates only", () => {
  it("no individual-level personal field allows USAGE_STATISTICS", () => {
    expect(individualFieldsAllowingStatistics(schema)).toEqual([]);
  });

  it("the check would catch one that did", () => {
    const bad = buildSchema(`
      enum Purpose { SERVICE_PROVISION USAGE_STATISTICS }
      directive @allowedFor(purposes: [Purpose!]!) on FIELD_DEFINITION | OBJECT
      directive @reveals(coordinate: String!) on INPUT_FIELD_DEFINITION
      directive @public on FIELD_DEFINITION | OBJECT | INTERFACE
      type Query { customer: Customer @allowedFor(purposes: [SERVICE_PROVISION]) statistics: Int @allowedFor(purposes: [USAGE_STATISTICS]) }
      type Customer @allowedFor(purposes: [SERVICE_PROVISION]) {
        prefecture: String @allowedFor(purposes: [SERVICE_PROVISION, USAGE_STATISTICS])
        email: String
      }
      type Audit { who: String @allowedFor(purposes: [SERVICE_PROVISION]) what: String @allowedFor(purposes: [USAGE_STATISTICS]) }
    `);
    expect(individualFieldsAllowingStatistics(bad).sort()).toEqual(["Audit.what", "Customer.prefecture"]);
  });

  it("Query.statistics is the only coordinate in the schema that allows USAGE_STATISTICS", () => {
    const allowing = [...readFieldPolicy(schema).restricted()]
      .filter(([, purposes]) => purposes.includes(Purpose.USAGE_STATISTICS))
      .map(([c]) => c);
    expect(allowing).toEqual([STATISTICS_ROOT]);
    expect(readFieldPolicy(schema).allowedPurposes(STATISTICS_ROOT)).toEqual([Purpose.USAGE_STATISTICS]);
  });

  it("nothing beneath statistics is personal: no personal type, no id, no restricted field, no identifying name", () => {
    const policy = readFieldPolicy(schema);
    const types = statisticsTypes(schema);
    expect(types.size).toBeGreaterThan(5);
    for (const name of PERSONAL_TYPES) expect(types.has(name)).toBe(false);
    for (const coordinate of statisticsCoordinates(schema)) {
      if (coordinate === STATISTICS_ROOT) continue;
      expect(policy.allowedPurposes(coordinate), coordinate).toBeNull();
      const [typeName, fieldName] = coordinate.split(".");
      const type = schema.getType(typeName);
      const field = (isObjectType(type) || isInterfaceType(type)) && type.getFields()[fieldName];
      expect(field && getNamedType(field.type).name, coordinate).not.toBe("ID");
      expect(fieldName, coordinate).not.toMatch(
        /^(id|.*Id|email|fullName|name|phone|postalCode|streetAddress|birthDate|createdAt|occurredAt)$/,
      );
    }
  });

  it("groups and filters by generalised dimensions only", () => {
    const dimensions = schema.getType("StatisticsDimension") as GraphQLEnumType;
    expect(dimensions.getValues().map((v) => v.name)).toEqual([
      "AGE_BAND",
      "GENDER",
      "PREFECTURE",
      "REGION",
      "SIGNUP_MONTH",
      "SIGNUP_YEAR",
      "SERVICE",
      "USAGE_MONTH",
    ]);
    const customerFilter = schema.getType("CustomerStatisticsFilter") as GraphQLInputObjectType;
    expect(Object.keys(customerFilter.getFields())).toEqual(["ageBands", "genders", "prefectures", "regions", "signupMonth"]);
    const usageFilter = schema.getType("UsageStatisticsFilter") as GraphQLInputObjectType;
    expect(Object.keys(usageFilter.getFields())).toEqual([
      "ageBands",
      "genders",
      "prefectures",
      "regions",
      "signupMonth",
      "services",
      "usageMonth",
    ]);
    const month = schema.getType("MonthRange") as GraphQLInputObjectType;
    expect(Object.keys(month.getFields())).toEqual(["from", "to"]);
  });

  it("offers no totals or margins beside the released buckets", () => {
    for (const name of ["CustomerStatistics", "UsageStatistics"]) {
      const type = schema.getType(name);
      if (!isObjectType(type)) throw new Error(`${name} missing`);
      const fields = Object.keys(type.getFields());
      expect(fields.filter((f) => /total|margin|sum|remainder|others|all/i.test(f))).toEqual([]);
    }
  });
});
