import { readFileSync } from "node:fs";
import path from "node:path";
import { parse, print, Kind, type OperationDefinitionNode } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_PURPOSES } from "../../src/kernel/purposes/purpose";
import { cli } from "../support/cli";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/**
 * The build-time check (`npm run check-operations`), run as a frontend's CI would, on a
 * small app's operations (.graphql files, documents in .ts/.tsx), and compared with what the
 * running gateway answers the very same operations: same codes, same messages.
 */
const check = cli("check-operations");
const APP = path.resolve(__dirname, "fixtures/shop-app/src");
const SCHEMA = path.resolve(__dirname, "../../schema/schema.graphql");

let t: TestGateway;
let everything: string; // a client granted every purpose: only the document can be refused
beforeAll(async () => {
  t = await startTestGateway();
  everything = await t.client("all-purposes", [...ALL_PURPOSES]);
});
afterAll(() => t?.stop());

async function run(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await check(...args);
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

describe("check-operations", () => {
  it("reports every operation the gateway would refuse, with file:line and the gateway's codes, and exits 1", async () => {
    const { code, stdout } = await run("--schema", SCHEMA, "--json", `${APP}/**/*.{graphql,ts,tsx}`);
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.operations).toBe(8);
    const byOperation = (name: string) =>
      report.findings.filter((f: any) => f.operation === name).map((f: any) => [path.basename(f.file), f.line, f.code]);
    expect(byOperation("NoPurpose")).toEqual([["refused.graphql", 1, "PURPOSE_REQUIRED"]]);
    expect(byOperation("Birthdays")).toEqual(
      expect.arrayContaining([
        ["refused.graphql", 8, "PURPOSE_NOT_PERMITTED"],
        ["refused.graphql", 6, "PURPOSE_NOT_PERMITTED"],
      ]),
    );
    expect(byOperation("Marketing")).toEqual([["refused.graphql", 12, "BAD_USER_INPUT"]]);
    expect(byOperation("Survey")).toEqual([["Survey.tsx", 5, "AGREEMENT_REQUIRED"]]);
    expect(byOperation("Trends").map((f: any[]) => f[2])).toEqual(["PURPOSE_NOT_PERMITTED", "PURPOSE_NOT_PERMITTED"]);
    expect(byOperation("Shop")).toEqual([]);
    expect(byOperation("Card")).toEqual([]);
    expect(report.notes.map((n: any) => n.operation)).toEqual(["Chosen"]);
  });

  it("finds what the running gateway answers: the same codes and messages, operation by operation", async () => {
    const { stdout } = await run("--schema", SCHEMA, "--json", `${APP}/**/*.{graphql,ts,tsx}`);
    const findings = JSON.parse(stdout).findings;
    const fragment = readFileSync(path.join(APP, "graphql/customer-card.graphql"), "utf8");
    const documents = [readFileSync(path.join(APP, "graphql/refused.graphql"), "utf8")];
    for (const file of ["pages/Survey.tsx", "pages/trends.ts"]) {
      documents.push(...[...readFileSync(path.join(APP, file), "utf8").matchAll(/`(\s*query[\s\S]*?)`/g)].map((m) => m[1]));
    }
    let compared = 0;
    for (const text of documents) {
      for (const definition of parse(text).definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION || definition.name?.value === "Chosen") continue;
        const name = (definition as OperationDefinitionNode).name!.value;
        const query = print(definition) + (print(definition).includes("...CustomerCard") ? `\n${fragment}` : "");
        const res = await t.gql(query, {
          key: everything,
          variables: name === "Card" ? { id: "00000000-0000-0000-0000-000000000000" } : undefined,
        });
        const answered = (res.body.errors ?? []).map((e) => [e.extensions?.code, e.message]).sort();
        const found = findings
          .filter((f: any) => f.operation === name)
          .map((f: any) => [f.code, f.message])
          .sort();
        expect(found, name).toEqual(answered);
        compared++;
      }
    }
    expect(compared).toBe(6);
  });

  it("passes a clean app with exit 0, using the gateway's own schema by default", async () => {
    const { code, stdout } = await run(`${APP}/graphql/shop.graphql`, `${APP}/graphql/customer-card.graphql`);
    expect(code).toBe(0);
    expect(stdout).toContain("1 operation(s) in 2 file(s): none would be refused");
  });

  it("reads the schema the gateway serves at /schema.graphql", async () => {
    const served = await (await fetch(t.url.replace(/\/graphql$/, "/schema.graphql"))).text();
    expect(served).toBe(readFileSync(SCHEMA, "utf8"));
  });

  it("prints file:line:column for people", async () => {
    const { stdout } = await run("--schema", SCHEMA, `${APP}/pages/Survey.tsx`);
    expect(stdout).toMatch(/Survey\.tsx:5:3 {2}AGREEMENT_REQUIRED {2}INDIVIDUAL_AGREEMENT must name the individual agreement/);
    expect(stdout).toMatch(/Survey\.tsx:12:3 {2}note {2}@purpose is given through \$purpose/);
  });
});
