import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it when missing). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface TestBrowser {
  browser: Browser;
  /** a new page whose requests to any origin but the gateway's loopback address are blocked and recorded */
  page(): Promise<{ page: Page; blocked: string[]; consoleErrors: string[] }>;
  close(): Promise<void>;
}

/**
 * Headless Chromium for page tests: a fresh profile, no network of its own (no background
 * updates, no QUIC), and every request off loopback refused, so a page that needs the
 * internet (a CDN) fails its test here as it would on a machine without one.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), "pgw-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    async page() {
      const page = await browser.newPage();
      const blocked: string[] = [];
      const consoleErrors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") consoleErrors.push(message.text());
      });
      page.on("pageerror", (error) => consoleErrors.push(String(error)));
      await page.setRequestInterception(true);
      page.on("request", (request) => {
        const url = new URL(request.url());
        const local = url.protocol === "data:" || url.protocol === "blob:" || url.hostname === "127.0.0.1" || url.hostname === "localhost";
        if (local) return void request.continue();
        blocked.push(request.url());
        void request.abort("blockedbyclient");
      });
      return { page, blocked, consoleErrors };
    },
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
