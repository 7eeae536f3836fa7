import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { compose } from "../../src/app/compose";
import { buildGatewaySchema } from "../../src/app/schema/build-schema";
import { createDocumentCheck } from "../../src/kernel/gate/check-document";
import type { GovernanceRule } from "../../src/kernel/gate/governance-input";
import { GATE_STAGES } from "../../src/kernel/gate/stages";

/** The document-only entry point of the gate (pure: no store, no caller). */
describe("createDocumentCheck", () => {
  it("runs the document stages only: a caller-dependent refusal is never reported", async () => {
    const schema = await buildGatewaySchema();
    const check = createDocumentCheck(schema, compose().stages);
    // the audit trail needs the PRIVACY_OFFICER role: a caller matter, so not a document refusal
    const result = check(parse(`query W @purpose(name: DATA_SUBJECT_REQUEST) { auditEvents { seq } }`));
    expect(result).toMatchObject({ valid: true, operations: [{ errors: [], purpose: { name: "DATA_SUBJECT_REQUEST" } }] });
  });

  it("refuses to guess when a rule of a document stage reads the caller", async () => {
    const schema = await buildGatewaySchema();
    const nosy: GovernanceRule = (input) => (input.caller ? [] : []);
    const stages = GATE_STAGES.map((stage) => (stage === "fields" ? [nosy] : []));
    const check = createDocumentCheck(schema, stages);
    expect(() => check(parse(`{ campaigns { name } }`))).toThrow(/read the caller/);
  });

  it("answers invalid documents as the gateway does", async () => {
    const check = createDocumentCheck(await buildGatewaySchema(), compose().stages);
    const result = check(parse(`query Q @purpose(name: SERVICE_PROVISION) { customers { fullNam } }`));
    expect(result.valid).toBe(false);
    if (result.valid) return;
    expect(result.errors.map((e) => [e.extensions.code, e.message])).toEqual([
      ["GRAPHQL_VALIDATION_FAILED", 'Cannot query field "fullNam" on type "Customer".'],
    ]);
  });
});
