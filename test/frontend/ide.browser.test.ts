/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (the functions passed to page.evaluate run in the browser)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "puppeteer-core";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { launchBrowser, type TestBrowser } from "../support/browser";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/**
 * GraphiQL at GET /graphql, in a real headless Chromium with every request off loopback
 * blocked: it loads from the gateway alone, runs a demo query with the API key typed into
 * its field, shows the declared purpose, the permitted purposes in the docs, and a refusal.
 */
let t: TestGateway;
let browser: TestBrowser;
let shop: string;

beforeAll(async () => {
  t = await startTestGateway();
  shop = await t.client("ide-shop", [Purpose.SERVICE_PROVISION]);
  await insertCustomer(t.db, { fullName: "Ishikawa Mio" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function setQuery(page: Page, query: string) {
  await page.evaluate((q) => {
    const editor = document.querySelector(".graphiql-query-editor .CodeMirror") as unknown as { CodeMirror: { setValue(v: string): void } };
    editor.CodeMirror.setValue(q);
  }, query);
}

async function run(page: Page) {
  await page.click(".graphiql-execute-button");
}

const resultText = (page: Page) => page.$eval(".result-window", (el) => el.textContent ?? "");

describe("the IDE", () => {
  it("loads from the gateway alone, runs the demo query, then shows a refusal", async () => {
    const { page, blocked, consoleErrors } = await browser.page();
    const res = await page.goto(t.url, { waitUntil: "networkidle0" });
    expect(res?.status()).toBe(200);
    expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await page.waitForSelector(".graphiql-container .graphiql-query-editor .CodeMirror", { timeout: 20_000 });
    expect(await page.$eval("#pgw-purpose", (el) => el.textContent)).toBe("SERVICE_PROVISION");

    await page.type("#pgw-key", shop);
    await run(page);
    await page.waitForFunction(() => document.querySelector(".result-window")?.textContent?.includes("Ishikawa Mio"), { timeout: 20_000 });
    expect(await page.$eval("#pgw-receipt", (el) => el.textContent)).toMatch(
      /answered · purpose SERVICE_PROVISION · policy 2026\.1 · audit #\d+ · 1 customer\(s\)/,
    );

    await setQuery(page, `query Birthdays @purpose(name: PRODUCT_IMPROVEMENT) {\n  customers(first: 5) { birthDate }\n}`);
    // GraphiQL reports edits a moment later
    await page.waitForFunction(() => document.querySelector("#pgw-purpose")?.textContent === "PRODUCT_IMPROVEMENT", { timeout: 5_000 });
    await run(page);
    await page.waitForFunction(() => document.querySelector(".result-window")?.textContent?.includes("PURPOSE_NOT_GRANTED"), {
      timeout: 20_000,
    });
    await setQuery(page, `query Birthdays @purpose(name: SERVICE_PROVISION) {\n  customers(first: 5) { birthDate }\n}`);
    await run(page);
    await page.waitForFunction(() => document.querySelector(".result-window")?.textContent?.includes("PURPOSE_NOT_PERMITTED"), {
      timeout: 20_000,
    });
    const text = await resultText(page);
    expect(text).toContain("Customer.birthDate may not be read for SERVICE_PROVISION");
    expect(text).not.toContain("Ishikawa");
    expect(await page.$eval("#pgw-receipt", (el) => el.textContent)).toMatch(/^refused PURPOSE_NOT_PERMITTED/);
    if (process.env.PGW_SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.PGW_SCREENSHOT_DIR}/ide-refused.png` });

    expect(blocked).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it("shows each field's permitted purposes in the docs", async () => {
    const { page, blocked } = await browser.page();
    await page.goto(t.url, { waitUntil: "networkidle0" });
    await page.waitForSelector(".graphiql-container .graphiql-query-editor .CodeMirror", { timeout: 20_000 });
    await page.click('button[aria-label="Show Documentation Explorer"]');
    await page.waitForSelector(".graphiql-doc-explorer", { timeout: 20_000 });
    // Query → customer → Customer → birthDate
    for (const link of ["Query", "customer", "Customer", "birthDate"]) {
      await page.waitForFunction(
        (name) => [...document.querySelectorAll(".graphiql-doc-explorer a")].some((a) => a.textContent === name),
        { timeout: 20_000 },
        link,
      );
      await page.evaluate((name) => {
        const anchors = [...document.querySelectorAll(".graphiql-doc-explorer a")].filter((a) => a.textContent === name);
        (anchors[anchors.length - 1] as HTMLElement).click();
      }, link);
    }
    await page.waitForFunction(() => document.querySelector(".graphiql-doc-explorer")?.textContent?.includes("Permitted purposes"), {
      timeout: 20_000,
    });
    if (process.env.PGW_SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.PGW_SCREENSHOT_DIR}/ide-docs.png` });
    expect(await page.$eval(".graphiql-doc-explorer", (el) => el.textContent)).toContain(
      "Personal data. Permitted purposes: DATA_SUBJECT_REQUEST (1.5).",
    );
    expect(blocked).toEqual([]);
    await page.close();
  });

  it("leaves API clients alone: JSON is not the IDE", async () => {
    const res = await fetch(t.url, { headers: { accept: "text/html" } });
    expect(res.headers.get("content-type")).toContain("text/html");
    const api = await t.get({ query: "{ campaigns { name } }" });
    expect(api.status).toBe(200);
    const landing = await fetch(t.url.replace(/\/graphql$/, "/"));
    expect(await landing.text()).toContain('href="/graphql"');
  });
});
