import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildGatewaySchema } from "../../src/app/schema/build-schema";
import { printGatewaySchema } from "../../src/app/schema/print-schema";

describe("schema/schema.graphql", () => {
  it("is exactly what the code emits (run `npm run schema:emit` after changing the schema)", async () => {
    const committed = readFileSync(path.resolve(__dirname, "../../schema/schema.graphql"), "utf8");
    expect(printGatewaySchema(await buildGatewaySchema())).toBe(committed);
  });

  it("shows the Purpose enum, @allowedFor and @purpose", () => {
    const committed = readFileSync(path.resolve(__dirname, "../../schema/schema.graphql"), "utf8");
    expect(committed).toMatch(/enum Purpose \{[^}]*SERVICE_PROVISION[^}]*INDIVIDUAL_AGREEMENT[^}]*\}/s);
    expect(committed).toContain("directive @allowedFor(purposes: [Purpose!]!) on FIELD_DEFINITION | OBJECT");
    expect(committed).toMatch(/directive @purpose\(name: Purpose!/);
    expect(committed).toMatch(/birthDate: String! @allowedFor\(purposes: \[DATA_SUBJECT_REQUEST\]\)/);
  });
});
