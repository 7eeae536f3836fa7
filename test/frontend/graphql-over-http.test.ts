import { serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/**
 * graphql-http's audit of the GraphQL-over-HTTP specification against the running gateway:
 * no error and no warning (notices are the specification's MAYs).
 */
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t?.stop());

describe("GraphQL over HTTP (graphql-http serverAudits)", () => {
  it("passes every MUST and SHOULD", async () => {
    const results = [];
    for (const audit of serverAudits({ url: t.url })) {
      const result = await audit.fn();
      results.push({ name: audit.name, status: result.status, reason: "reason" in result ? result.reason : "" });
    }
    const problems = results.filter((r) => r.status === "error" || r.status === "warn").map((r) => `${r.status}: ${r.name}: ${r.reason}`);
    expect(problems).toEqual([]);
    // the audit ran in full (61 audits in graphql-http 1.23): most are MUSTs and SHOULDs met
    expect(results.length).toBeGreaterThan(55);
    expect(results.filter((r) => r.status === "ok").length).toBeGreaterThan(50);
  });
});
