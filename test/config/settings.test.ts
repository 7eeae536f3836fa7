import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { loadSettings, SettingsError } from "../../src/config/settings";

const run = promisify(execFile);
const main = path.resolve(__dirname, "../../dist/src/main.js");
const cli = (name: string) => path.resolve(__dirname, `../../dist/src/cli/${name}.js`);

/** Runs a compiled entry point with extra environment; resolves with its exit code and output. */
async function start(script: string, args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], {
      env: { ...process.env, DATABASE_URL: inject("databaseUrl"), LOG_LEVEL: "silent", PORT: "0", ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("one settings object, validated at start-up", () => {
  it("has the documented defaults and is frozen", () => {
    const settings = loadSettings({});
    expect(settings.requests).toEqual({ deadlineDays: 14, erasure: { intervalMs: 10_000, retryBaseMs: 30_000, maxAttempts: 8 } });
    expect(settings.http).toMatchObject({ port: 4000, host: "127.0.0.1", introspection: true });
    expect(settings.store).toEqual({ databaseUrl: null, dataDir: ".data/pglite", poolSize: 10 });
    expect(Object.isFrozen(settings.requests.erasure)).toBe(true);
    expect(() => {
      (settings.requests as { deadlineDays: number }).deadlineDays = 1;
    }).toThrow(TypeError);
  });

  it("names every bad variable at once", () => {
    try {
      loadSettings({ DSR_DEADLINE_DAYS: "abc", ERASURE_OUTBOX_INTERVAL_MS: "abc", PORT: "-1", LOG_LEVEL: "loud" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SettingsError);
      const { problems } = error as SettingsError;
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^DSR_DEADLINE_DAYS must be an integer from 1 to 365, got "abc"$/),
          expect.stringMatching(/^ERASURE_OUTBOX_INTERVAL_MS must be an integer/),
          expect.stringMatching(/^PORT must be an integer from 0 to 65535/),
          expect.stringMatching(/^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/),
        ]),
      );
      expect(problems).toHaveLength(4);
    }
  });

  // Before: DSR_DEADLINE_DAYS=abc started fine and every request call then answered
  // INTERNAL_SERVER_ERROR; ERASURE_OUTBOX_INTERVAL_MS=abc became a 1 ms loop.
  it.each([
    ["DSR_DEADLINE_DAYS", "abc"],
    ["ERASURE_OUTBOX_INTERVAL_MS", "abc"],
    ["STATS_MIN_GROUP_SIZE", "4"],
    ["AUTH_CACHE_TTL_MS", "soon"],
  ])("the gateway refuses to start with %s=%s, saying why, without a stack trace", async (name, value) => {
    const result = await start(main, [], { [name]: value });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${name} must be`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe("");
  });

  it("every CLI refuses the same settings the same way", async () => {
    for (const name of ["clients", "recipients", "audit", "policy", "requests"]) {
      const result = await start(cli(name), ["--help"], { DSR_DEADLINE_DAYS: "abc" });
      expect(result.code, name).toBe(2);
      expect(result.stderr, name).toContain("DSR_DEADLINE_DAYS must be an integer from 1 to 365");
    }
  });
});
