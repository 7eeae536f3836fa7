import { describe, expect, it } from "vitest";
import { requireCaller } from "../../../src/kernel/gate/rules/require-caller";
import { requireGrantedPurpose } from "../../../src/kernel/gate/rules/require-granted-purpose";
import { requirePermittedFields } from "../../../src/kernel/gate/rules/require-permitted-fields";
import { requirePermittedInputs } from "../../../src/kernel/gate/rules/require-permitted-inputs";
import { requirePurpose } from "../../../src/kernel/gate/rules/require-purpose";
import { requireRole } from "../../../src/kernel/gate/rules/require-role";
import { requireSupportedOperation } from "../../../src/kernel/gate/rules/require-supported-operation";
import { MAX_ARGUMENT_LENGTH, requireWellFormedArguments } from "../../../src/kernel/gate/rules/require-well-formed-arguments";
import { caller, decideWith, refusedWith } from "./fixture";

const SP = `@purpose(name: SERVICE_PROVISION)`;
const ID = "6f1c0e8a-0000-4000-8000-000000000001";

describe("requireSupportedOperation", () => {
  it("passes queries and mutations", () => {
    expect(refusedWith(decideWith([requireSupportedOperation], `{ shop { name } }`))).toEqual([]);
    expect(refusedWith(decideWith([requireSupportedOperation], `mutation M ${SP} { rename(id: "${ID}", name: "x") { id } }`))).toEqual([]);
  });
  it("refuses a subscription, even one reaching only public fields", () => {
    expect(refusedWith(decideWith([requireSupportedOperation], `subscription S { shopOpened { name } }`))).toEqual([
      "OPERATION_NOT_SUPPORTED",
    ]);
  });
});

describe("requireWellFormedArguments", () => {
  const rule = [requireWellFormedArguments];
  it("passes UUIDs and ordinary strings", () => {
    expect(refusedWith(decideWith(rule, `query Q ${SP} { person(id: "${ID}") { id } people(note: "hello") { id } }`))).toEqual([]);
  });
  it.each([
    ["a literal id that is no UUID", `query Q ${SP} { person(id: "42") { id } }`, undefined],
    ["an id in a variable", `query Q($id: ID!) ${SP} { person(id: $id) { id } }`, { id: "x' OR '1'='1" }],
    ["an id in a variable's default", `query Q($id: ID! = "nope") ${SP} { person(id: $id) { id } }`, undefined],
    ["a NUL character in an input object", `query Q ${SP} { people(filter: { name: "a\\u0000b" }) { id } }`, undefined],
    [
      "an overlong string in a variable input",
      `query Q($f: PersonFilter) ${SP} { people(filter: $f) { id } }`,
      { f: { name: "x".repeat(MAX_ARGUMENT_LENGTH + 1) } },
    ],
    [
      "a NUL character in the purpose's agreement",
      `query Q @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "a\\u0000") { shop { name } }`,
      undefined,
    ],
  ])("refuses %s", (_name, source, variables) => {
    expect(refusedWith(decideWith(rule, source, { variables }))).toEqual(["BAD_USER_INPUT"]);
  });
});

describe("requireCaller", () => {
  it("lets anyone read public fields", () => {
    expect(refusedWith(decideWith([requireCaller], `{ shop { name } }`, { caller: null }))).toEqual([]);
  });
  it("needs a key for personal data, or for any declared purpose", () => {
    expect(refusedWith(decideWith([requireCaller], `{ person(id: "${ID}") { id } }`, { caller: null }))).toEqual(["UNAUTHENTICATED"]);
    expect(refusedWith(decideWith([requireCaller], `query Q ${SP} { shop { name } }`, { caller: null }))).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("requirePurpose", () => {
  it("needs a purpose for personal data, wherever it is reached", () => {
    for (const source of [
      `{ person(id: "${ID}") { id } }`,
      `{ a: shop { name } b: node(id: "${ID}") { ... on Person { name } } }`,
      `query Q { ...F } fragment F on Query { people { id } }`,
      `query Q($skip: Boolean = true) { people @skip(if: $skip) { id } }`,
    ]) {
      expect(refusedWith(decideWith([requirePurpose], source)), source).toEqual(["PURPOSE_REQUIRED"]);
    }
  });
  it("does not need one for public fields", () => {
    expect(refusedWith(decideWith([requirePurpose], `{ shop { name } }`))).toEqual([]);
  });
});

describe("requireGrantedPurpose", () => {
  it("refuses a purpose the client is not granted", () => {
    expect(refusedWith(decideWith([requireGrantedPurpose], `query Q @purpose(name: DATA_SUBJECT_REQUEST) { shop { name } }`))).toEqual([
      "PURPOSE_NOT_GRANTED",
    ]);
  });
  it("passes a granted one, given literally or through a variable", () => {
    expect(refusedWith(decideWith([requireGrantedPurpose], `query Q ${SP} { shop { name } }`))).toEqual([]);
    expect(
      refusedWith(
        decideWith([requireGrantedPurpose], `query Q($p: Purpose!) @purpose(name: $p) { shop { name } }`, {
          variables: { p: "SERVICE_PROVISION" },
        }),
      ),
    ).toEqual([]);
    expect(
      refusedWith(
        decideWith([requireGrantedPurpose], `query Q($p: Purpose!) @purpose(name: $p) { shop { name } }`, {
          variables: { p: "DATA_SUBJECT_REQUEST" },
        }),
      ),
    ).toEqual(["PURPOSE_NOT_GRANTED"]);
  });
});

describe("requirePermittedFields", () => {
  const rule = [requirePermittedFields];
  const asImprover = { caller: caller(["PRODUCT_IMPROVEMENT"]) };
  it("passes fields the purpose allows", () => {
    expect(refusedWith(decideWith(rule, `query Q ${SP} { person(id: "${ID}") { id name orders { amount } } }`))).toEqual([]);
  });
  it("refuses one error per field not allowed, however reached", () => {
    for (const source of [
      `query Q @purpose(name: PRODUCT_IMPROVEMENT) { person(id: "${ID}") { alias: name } }`,
      `query Q @purpose(name: PRODUCT_IMPROVEMENT) { node(id: "${ID}") { ... on Person { name } } }`,
      `query Q @purpose(name: PRODUCT_IMPROVEMENT) { person(id: "${ID}") { ...F } } fragment F on Person { name }`,
      `query Q($no: Boolean = false) @purpose(name: PRODUCT_IMPROVEMENT) { person(id: "${ID}") { name @include(if: $no) } }`,
    ]) {
      expect(refusedWith(decideWith(rule, source, asImprover)), source).toEqual(["PURPOSE_NOT_PERMITTED"]);
    }
  });
  it("applies a type's list to a field without its own (fail closed)", () => {
    expect(refusedWith(decideWith(rule, `query Q ${SP} { person(id: "${ID}") { birthDate } }`))).toEqual(["PURPOSE_NOT_PERMITTED"]);
  });
  it("checks a field of an interface on every type implementing it", () => {
    const decision = decideWith(rule, `query Q @purpose(name: NOTIFICATION) { node(id: "${ID}") { id } }`, {
      caller: caller(["NOTIFICATION"]),
    });
    expect(refusedWith(decision)).toContain("PURPOSE_NOT_PERMITTED");
  });
});

describe("requirePermittedInputs", () => {
  it("refuses a filter that reveals a field the purpose may not read (an oracle), literal or in a variable", () => {
    expect(
      refusedWith(decideWith([requirePermittedInputs], `query Q ${SP} { people(filter: { bornAfter: "1990-01-01" }) { id } }`)),
    ).toEqual(["PURPOSE_NOT_PERMITTED"]);
    expect(
      refusedWith(
        decideWith([requirePermittedInputs], `query Q($f: PersonFilter) ${SP} { people(filter: $f) { id } }`, {
          variables: { f: { bornAfter: "1990-01-01" } },
        }),
      ),
    ).toEqual(["PURPOSE_NOT_PERMITTED"]);
  });
  it("passes a filter on a field the purpose may read", () => {
    expect(refusedWith(decideWith([requirePermittedInputs], `query Q ${SP} { people(filter: { name: "Sato" }) { id } }`))).toEqual([]);
  });
});

describe("requireRole", () => {
  it("needs the field's compliance role", () => {
    const source = `query Q @purpose(name: DATA_SUBJECT_REQUEST) { trail }`;
    expect(refusedWith(decideWith([requireRole], source, { caller: caller(["DATA_SUBJECT_REQUEST"]) }))).toEqual(["ROLE_REQUIRED"]);
    expect(
      refusedWith(decideWith([requireRole], source, { caller: caller(["DATA_SUBJECT_REQUEST"], { roles: ["PRIVACY_OFFICER" as never] }) })),
    ).toEqual([]);
  });
});
