import { buildSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { requireAgreement } from "../../src/features/consent/rules/require-agreement";
import { requireContractedProcessorFields } from "../../src/features/disclosure/rules/require-contracted-processor-fields";
import { requireContractedProcessorPurpose } from "../../src/features/disclosure/rules/require-contracted-processor-purpose";
import { requireDisclosureGround } from "../../src/features/disclosure/rules/require-disclosure-ground";
import { requireDisclosureReference } from "../../src/features/disclosure/rules/require-disclosure-reference";
import { requireGrantedGround } from "../../src/features/disclosure/rules/require-granted-ground";
import { requireRegisteredRecipientFields } from "../../src/features/disclosure/rules/require-registered-recipient-fields";
import { requireStatisticsOnlyDisclosure } from "../../src/features/disclosure/rules/require-statistics-only-disclosure";
import { statisticsOnly } from "../../src/features/statistics/rules/statistics-only";
import type { RecipientGrant } from "../../src/kernel/caller/recipient";
import { caller, decideWith, FIXTURE_SDL, refusedWith } from "../kernel/rules/fixture";

/** The features' gate rules, each alone, against a small schema (no database). */
const schema =
  buildSchema(`${FIXTURE_SDL.replace("type Query {", "type Query {\n    statistics: Stats @allowedFor(purposes: [USAGE_STATISTICS])")}
  type Stats @public { total: Int }
  enum DisclosureGround { CUSTOMER_CONSENT ANONYMOUS_STATISTICS LEGAL_REQUEST OTHER_SERVICE_OPERATION REQUIRED_BY_LAW }
  directive @disclosure(ground: DisclosureGround!, reference: String) on QUERY | MUTATION | SUBSCRIPTION
`);
const ID = "6f1c0e8a-0000-4000-8000-000000000001";

const thirdParty: RecipientGrant = {
  id: "r1",
  name: "partner",
  kind: "THIRD_PARTY",
  contractRef: "DSA-1",
  grounds: ["CUSTOMER_CONSENT", "LEGAL_REQUEST", "ANONYMOUS_STATISTICS"] as RecipientGrant["grounds"],
  purposes: [],
  fields: ["Query.person", "Person.id", "Person.name"],
};
const processor: RecipientGrant = {
  ...thirdParty,
  name: "shipper",
  kind: "PROCESSOR",
  grounds: [],
  purposes: ["SERVICE_PROVISION"] as RecipientGrant["purposes"],
};
const as = (recipient: RecipientGrant | null, purposes = ["SERVICE_PROVISION", "USAGE_STATISTICS", "INDIVIDUAL_AGREEMENT"]) => ({
  schema,
  caller: caller(purposes, { recipient }),
});

describe("disclosure (agreement Section 3)", () => {
  it("requireDisclosureGround: a third party declares a ground; nobody else may", () => {
    expect(
      refusedWith(decideWith([requireDisclosureGround], `query Q @purpose(name: SERVICE_PROVISION) { shop { name } }`, as(thirdParty))),
    ).toEqual(["DISCLOSURE_GROUND_REQUIRED"]);
    expect(
      refusedWith(
        decideWith(
          [requireDisclosureGround],
          `query Q @purpose(name: SERVICE_PROVISION) @disclosure(ground: CUSTOMER_CONSENT) { shop { name } }`,
          as(null),
        ),
      ),
    ).toEqual(["DISCLOSURE_NOT_THIRD_PARTY"]);
  });
  it("requireGrantedGround: only the recipient's registered grounds", () => {
    const source = (ground: string) =>
      `query Q @purpose(name: SERVICE_PROVISION) @disclosure(ground: ${ground}, reference: "x") { shop { name } }`;
    expect(refusedWith(decideWith([requireGrantedGround], source("OTHER_SERVICE_OPERATION"), as(thirdParty)))).toEqual([
      "DISCLOSURE_GROUND_NOT_GRANTED",
    ]);
    expect(refusedWith(decideWith([requireGrantedGround], source("LEGAL_REQUEST"), as(thirdParty)))).toEqual([]);
  });
  it("requireDisclosureReference: legal grounds name their instrument", () => {
    expect(
      refusedWith(
        decideWith(
          [requireDisclosureReference],
          `query Q @purpose(name: SERVICE_PROVISION) @disclosure(ground: LEGAL_REQUEST) { shop { name } }`,
          as(thirdParty),
        ),
      ),
    ).toEqual(["DISCLOSURE_REFERENCE_REQUIRED"]);
  });
  it("requireRegisteredRecipientFields: only the recipient's registered fields", () => {
    const source = `query Q @purpose(name: SERVICE_PROVISION) @disclosure(ground: CUSTOMER_CONSENT) { person(id: "${ID}") { id name orders { amount } } }`;
    expect(refusedWith(decideWith([requireRegisteredRecipientFields], source, as(thirdParty)))).toEqual([
      "RECIPIENT_FIELD_NOT_REGISTERED",
      "RECIPIENT_FIELD_NOT_REGISTERED",
    ]); // Person.orders, Order.amount
  });
  it("requireStatisticsOnlyDisclosure: on ANONYMOUS_STATISTICS, the statistics API alone", () => {
    const source = `query Q @purpose(name: USAGE_STATISTICS) @disclosure(ground: ANONYMOUS_STATISTICS) { statistics { total } shop { name } }`;
    expect(refusedWith(decideWith([requireStatisticsOnlyDisclosure], source, as(thirdParty)))).toEqual(["DISCLOSURE_STATISTICS_ONLY"]);
  });
});

describe("processors (agreement Section 4)", () => {
  it("requireContractedProcessorPurpose: only the contract's purposes", () => {
    expect(
      refusedWith(
        decideWith([requireContractedProcessorPurpose], `query Q @purpose(name: USAGE_STATISTICS) { shop { name } }`, as(processor)),
      ),
    ).toEqual(["PROCESSOR_PURPOSE_NOT_CONTRACTED"]);
  });
  it("requireContractedProcessorFields: only the contract's fields", () => {
    const source = `query Q @purpose(name: SERVICE_PROVISION) { person(id: "${ID}") { name orders { id } } }`;
    expect(refusedWith(decideWith([requireContractedProcessorFields], source, as(processor)))).toEqual([
      "PROCESSOR_FIELD_NOT_CONTRACTED",
      "PROCESSOR_FIELD_NOT_CONTRACTED",
    ]);
  });
});

describe("consent (agreement 1.7)", () => {
  it("requireAgreement: INDIVIDUAL_AGREEMENT names a well-formed agreement, and only it does", () => {
    expect(refusedWith(decideWith([requireAgreement], `query Q @purpose(name: INDIVIDUAL_AGREEMENT) { shop { name } }`, as(null)))).toEqual(
      ["AGREEMENT_REQUIRED"],
    );
    expect(
      refusedWith(decideWith([requireAgreement], `query Q @purpose(name: SERVICE_PROVISION, agreement: "x") { shop { name } }`, as(null))),
    ).toEqual(["AGREEMENT_NOT_APPLICABLE"]);
    expect(
      refusedWith(
        decideWith([requireAgreement], `query Q @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "Bad Key!") { shop { name } }`, as(null)),
      ),
    ).toEqual(["AGREEMENT_UNKNOWN"]);
    expect(
      refusedWith(
        decideWith(
          [requireAgreement],
          `query Q @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "survey-2026") { shop { name } }`,
          as(null),
        ),
      ),
    ).toEqual([]);
  });
});

describe("statistics (agreement 1.6)", () => {
  it("statisticsOnly: USAGE_STATISTICS reaches statistics and nothing beside them", () => {
    expect(
      refusedWith(decideWith([statisticsOnly], `query Q @purpose(name: USAGE_STATISTICS) { statistics { total } }`, as(null))),
    ).toEqual([]);
    expect(
      refusedWith(
        decideWith([statisticsOnly], `query Q @purpose(name: USAGE_STATISTICS) { statistics { total } shop { name } }`, as(null)),
      ),
    ).toEqual(["PURPOSE_NOT_PERMITTED", "PURPOSE_NOT_PERMITTED"]);
  });
});
