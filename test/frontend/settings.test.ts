import { describe, expect, it } from "vitest";
import { loadSettings, SettingsError } from "../../src/config/settings";
import { DEMO_CORS_ORIGINS, DEMO_SETTING_DEFAULTS } from "../../src/seed/demo-settings";

/** Issue 10's settings: the CORS allowlist, the IDE, tracing. */
describe("frontend settings", () => {
  it("allow no origin, serve the IDE and trace nothing by default", () => {
    expect(loadSettings({}).frontend).toEqual({ corsOrigins: [], ide: true, tracing: false });
  });

  it("read CORS_ORIGINS as exact origins", () => {
    expect(
      loadSettings({ CORS_ORIGINS: " https://shop.example.com , http://localhost:5173,https://shop.example.com" }).frontend.corsOrigins,
    ).toEqual(["https://shop.example.com", "http://localhost:5173"]);
  });

  it.each([["*"], ["https://shop.example.com/app"], ["shop.example.com"], ["ftp://files.example.com"], ["https://*.example.com"]])(
    "refuse %s as an origin",
    (value) => {
      expect(() => loadSettings({ CORS_ORIGINS: value })).toThrow(SettingsError);
      expect(() => loadSettings({ CORS_ORIGINS: value })).toThrow(/CORS_ORIGINS must be comma-separated origins/);
    },
  );

  it("let the demo's defaults apply only where the environment sets nothing", () => {
    expect(loadSettings({}, DEMO_SETTING_DEFAULTS).frontend.corsOrigins).toEqual(DEMO_CORS_ORIGINS);
    expect(DEMO_CORS_ORIGINS).toContain("http://localhost:5173");
    expect(loadSettings({ CORS_ORIGINS: "https://a.example" }, DEMO_SETTING_DEFAULTS).frontend.corsOrigins).toEqual(["https://a.example"]);
  });
});
