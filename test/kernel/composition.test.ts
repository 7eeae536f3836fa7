import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compose, FEATURES } from "../../src/app/compose";
import { verifyPluginOrder, type ArrangedPlugin } from "../../src/server/plugin-order";

/** The composition root: features in order, one catalogue, the plugin order checked. */
describe("composing the features", () => {
  it("refuses a feature composed before one it needs, or twice", () => {
    const [customers, policy, consent] = FEATURES;
    expect(() => compose([customers, consent, policy])).toThrow(/consent needs policy composed before it/);
    expect(() => compose([customers, customers])).toThrow(/composed twice/);
  });

  it("refuses an error code two features define", () => {
    const clash = { name: "clash", codes: { PURPOSE_REQUIRED: { status: 400, safe: true, meaning: "again" } } };
    expect(() => compose([...FEATURES, clash])).toThrow(/PURPOSE_REQUIRED is defined by both kernel and clash/);
  });

  it("documents every code of the catalogue in the README", () => {
    const readme = readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");
    const missing = compose()
      .catalogue.entries()
      .map((e) => e.code)
      .filter((code) => !readme.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });
});

describe("the plugin order, checked at start-up", () => {
  const plugin = (role: ArrangedPlugin["role"], name = role ?? "other"): ArrangedPlugin => ({ role, name, plugin: {} });
  it("accepts governance first and once, and the audit trail once", () => {
    expect(() => verifyPluginOrder([plugin("governance"), plugin(null), plugin("audit")])).not.toThrow();
  });
  it.each([
    ["no governance", [plugin(null), plugin("audit")], /governance plugin exactly once \(found 0\)/],
    ["governance twice", [plugin("governance"), plugin("governance"), plugin("audit")], /exactly once \(found 2\)/],
    ["governance not first", [plugin(null, "armor"), plugin("governance"), plugin("audit")], /must run first \(first is armor\)/],
    ["no audit trail", [plugin("governance"), plugin(null)], /audit plugin exactly once \(found 0\)/],
  ])("refuses %s", (_name, plugins, message) => {
    expect(() => verifyPluginOrder(plugins)).toThrow(message);
  });
});
