/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (the functions passed to page.evaluate run in the browser)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertVersion, snapshotOfVersion } from "../consent/consent-support";
import { launchBrowser, type TestBrowser } from "../support/browser";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/** The public policy page (Section 5, "announced on the website"), in headless Chromium. */
let t: TestGateway;
let browser: TestBrowser;
let base: string;

beforeAll(async () => {
  t = await startTestGateway();
  base = t.url.replace(/\/graphql$/, "");
  const next = new Date(Date.now() + 30 * 86_400_000).toISOString();
  await insertVersion(t.db, "2027.1", next, await snapshotOfVersion(t.db, "2026.1"));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe("/policy", () => {
  it("shows the version in force with its purposes, grounds and text, the announced change and the change log", async () => {
    const { page, blocked, consoleErrors } = await browser.page();
    const res = await page.goto(`${base}/policy`, { waitUntil: "networkidle0" });
    expect(res?.status()).toBe(200);
    expect(await page.$eval("#version", (el) => el.textContent)).toBe("2026.1");
    expect(await page.$eval("[data-status]", (el) => el.getAttribute("data-status"))).toBe("IN_FORCE");
    const purposes = await page.$$eval("#purposes + table tr", (rows) => rows.map((r) => r.querySelector("code")?.textContent));
    expect(purposes).toEqual([
      "SERVICE_PROVISION",
      "PRIZE_DELIVERY",
      "PRODUCT_IMPROVEMENT",
      "NOTIFICATION",
      "DATA_SUBJECT_REQUEST",
      "USAGE_STATISTICS",
      "INDIVIDUAL_AGREEMENT",
    ]);
    expect(await page.$$eval("#grounds + table tr", (rows) => rows.length)).toBe(5);
    expect(await page.$eval("#announced", (el) => el.textContent)).toContain("Version 2027.1 takes effect on");
    const log = await page.$$eval("#changes + table tbody tr", (rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].slice(0, 3).map((td) => td.textContent)),
    );
    expect(log.map((row) => [row[0], row[2]])).toEqual([
      ["2027.1", "announced"],
      ["2026.1", "in force"],
    ]);
    expect(await page.$eval("pre", (el) => el.textContent)).toContain("Section 5: Change of Terms");
    if (process.env.PGW_SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.PGW_SCREENSHOT_DIR}/policy.png`, fullPage: true });

    // each version has its own link
    await Promise.all([page.waitForNavigation({ waitUntil: "networkidle0" }), page.click('#v-2027\\.1 a[href="/policy/2027.1"]')]);
    expect(new URL(page.url()).pathname).toBe("/policy/2027.1");
    expect(await page.$eval("#version", (el) => el.textContent)).toBe("2027.1");
    expect(await page.$eval("[data-status]", (el) => el.textContent)).toBe("announced");
    expect(blocked).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it("answers an unknown version with 404", async () => {
    expect((await fetch(`${base}/policy/1999.1`)).status).toBe(404);
    expect((await fetch(`${base}/policy/${encodeURIComponent("<script>")}`)).status).toBe(404);
  });
});
