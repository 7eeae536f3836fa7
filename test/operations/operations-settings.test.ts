import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { QueryFailedError } from "typeorm";
import { describe, expect, it } from "vitest";
import { loadSettings, SettingsError } from "../../src/config/settings";
import { isStoreUnavailable } from "../../src/db/store-errors";
import { LogThrottle } from "../../src/observability/log-throttle";
import { safeError } from "../../src/observability/safe-error";
import { startTestGateway } from "../support/test-gateway";

/** The operations settings (issue 11), the log throttle, safe error logging and HOST. */
describe("operations settings", () => {
  it("has bounded defaults for every wait", () => {
    expect(loadSettings({}).operations).toEqual({
      shutdownGraceMs: 10_000,
      requestTimeoutMs: 15_000,
      database: { statementTimeoutMs: 10_000, connectTimeoutMs: 3_000, startupWaitMs: 30_000 },
      logThrottleMs: 10_000,
      statisticsDatabaseUrl: null,
      erasure: { signing: null, deliveryTimeoutMs: 5_000, leaseMs: 60_000 },
    });
  });

  it("refuses a lease that a delivery could outlast, a short secret, and an unreadable secret file", () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadSettings(env);
        return [];
      } catch (error) {
        return (error as SettingsError).problems;
      }
    };
    expect(problems({ ERASURE_DELIVERY_TIMEOUT_MS: "60000", ERASURE_LEASE_MS: "60000" })).toEqual([
      expect.stringContaining("ERASURE_LEASE_MS must be at least"),
    ]);
    expect(problems({ ERASURE_HMAC_SECRET: "short" })).toEqual([
      expect.stringContaining("ERASURE_HMAC_SECRET must be at least 32 characters"),
    ]);
    expect(problems({ ERASURE_HMAC_SECRET_FILE: "/nonexistent/secret" })).toEqual([
      expect.stringContaining("ERASURE_HMAC_SECRET_FILE must be a readable file"),
    ]);
    expect(problems({ STATS_DATABASE_URL: "mysql://x" })).toEqual([expect.stringContaining("STATS_DATABASE_URL")]);
    expect(problems({ REQUEST_TIMEOUT_MS: "0" })).toEqual([expect.stringContaining("REQUEST_TIMEOUT_MS")]);
  });

  it("reads the signing secret from a file", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pgw-secret-"));
    const file = path.join(dir, "secret");
    writeFileSync(file, "f".repeat(40) + "\n");
    try {
      expect(loadSettings({ ERASURE_HMAC_SECRET_FILE: file, ERASURE_HMAC_KEY_ID: "k2" }).operations.erasure.signing).toEqual({
        keyId: "k2",
        secret: "f".repeat(40),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("HOST", () => {
  it("is the address the gateway listens on", async () => {
    const t = await startTestGateway({ env: { HOST: "127.0.0.2" } });
    try {
      expect(t.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/graphql$/);
      expect((await fetch(t.url.replace("/graphql", "/healthz"))).status).toBe(200);
      expect((await fetch(t.url.replace("/graphql", "/readyz"))).status).toBe(200);
      await expect(fetch(t.url.replace("127.0.0.2", "127.0.0.1"))).rejects.toThrow(); // not on another address
    } finally {
      await t.stop();
    }
  });
});

describe("logs during an outage", () => {
  it("one line per kind per interval, then the count", () => {
    const throttle = new LogThrottle();
    throttle.intervalMs = 60_000;
    const err = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const admitted = Array.from({ length: 1000 }, () => throttle.admit(50, [{ err }, "request failed"])).filter(Boolean);
    expect(admitted).toHaveLength(1);
    expect(throttle.admit(50, [{ err: Object.assign(new Error("x"), { code: "57P01" }) }, "request failed"])).not.toBeNull(); // another kind
    expect(throttle.admit(30, ["info lines pass"])).not.toBeNull();
    expect(throttle.admit(60, [{ err }, "request failed"])).not.toBeNull(); // fatal always passes
  });

  it("logs a failed statement without its parameters or the rejected row", () => {
    const driver = Object.assign(new Error('duplicate key value violates unique constraint "customer_email_key"'), {
      code: "23505",
      constraint: "customer_email_key",
      detail: "Key (email)=(hanako@example.jp) already exists.",
    });
    const error = new QueryFailedError("INSERT INTO customer (email) VALUES ($1)", ["hanako@example.jp"], driver);
    const logged = JSON.stringify(safeError(error));
    expect(logged).not.toContain("hanako@example.jp");
    expect(logged).not.toContain("INSERT INTO");
    expect(JSON.parse(logged)).toMatchObject({ type: "QueryFailedError", code: "23505", constraint: "customer_email_key" });
  });

  it("tells a store failure from a bug", () => {
    expect(isStoreUnavailable(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(
      isStoreUnavailable(
        new QueryFailedError("SELECT 1", [], Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" })),
      ),
    ).toBe(true);
    expect(isStoreUnavailable(new Error("Query read timeout"))).toBe(true);
    expect(
      isStoreUnavailable(new QueryFailedError("SELECT x", [], Object.assign(new Error('column "x" does not exist'), { code: "42703" }))),
    ).toBe(false);
    expect(isStoreUnavailable(new TypeError("undefined is not a function"))).toBe(false);
  });
});
