// The dashboard with more rows than its script shows at once (dashboard.js's WINDOW, 50): the rest
// come on request, and filter and sort still cover every row. Without JavaScript every row shows.
// Run by tests/browser/run.sh (which builds target/debug/heartbeat-local first).

import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, pulse, pulseId, startServer, stopServer } from "./support.mjs";

const SECRET = "browser-window-secret-41d2";
const COUNT = 150;
const WINDOW = 50;
const PULSES = Array.from({ length: COUNT }, (_, i) => ({
  host: "window.example",
  category: "batch",
  type: "cron",
  name: "job-" + String(i).padStart(3, "0"),
  threshold: "24",
}));
const ROWS = "#pulses > tbody:first-of-type > tr.pulse";

let server;
let browser;
let dashboardUrl;
let problems = [];
const contexts = new Set();

async function newPage({ javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, javaScriptEnabled });
  contexts.add(context);
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console.error: ${msg.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return page;
}

const names = (page) => page.$$eval(ROWS, (rows) => rows.filter((r) => r.offsetParent !== null).map((r) => r.querySelector("td.name").textContent));

describe("dashboard with more rows than it shows at once", { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer({ secret: SECRET });
    dashboardUrl = `${server.base}/heartbeat/dashboard?secret=${SECRET}`;
    for (const p of PULSES) await pulse(server, p);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  }, { timeout: 180_000 });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await stopServer(server);
    }
  });

  afterEach(async () => {
    await Promise.allSettled([...contexts].map((c) => c.close()));
    contexts.clear();
    const seen = problems;
    problems = [];
    assert.deepEqual(seen, [], "no console or page errors");
  });

  it("shows the first rows, the rest on request, and filters and sorts all of them", { timeout: 90_000 }, async () => {
    const page = await newPage();
    await page.goto(dashboardUrl);
    await page.locator("#tools").waitFor({ state: "visible" });
    assert.equal((await names(page)).length, WINDOW);
    assert.equal((await page.textContent("#showing")).trim(), `Showing ${COUNT} of ${COUNT}`);
    // Rows outside the window are not laid out at all.
    assert.equal(await page.locator("#pulses tr[data-k]").count(), COUNT);
    assert.equal(await page.locator("#pulses tr[data-k]:visible").count(), WINDOW);

    const more = page.getByRole("button", { name: /^Show \d+ more/ });
    assert.equal((await more.textContent()).trim(), `Show ${WINDOW} more (${COUNT - WINDOW} not shown)`);
    await more.dispatchEvent("click"); // without scrolling to it
    assert.equal((await names(page)).length, 2 * WINDOW);
    assert.equal((await more.textContent()).trim(), `Show ${COUNT - 2 * WINDOW} more (${COUNT - 2 * WINDOW} not shown)`);
    // Scrolled near, the button shows the next rows by itself.
    await more.scrollIntoViewIfNeeded();
    await page.waitForFunction((count) => document.querySelectorAll("#shown-pulses > tr").length === count, COUNT);
    const all = await names(page);
    assert.deepEqual([...all].sort(), PULSES.map((p) => p.name), "every pulse once");
    assert.equal(await more.isVisible(), false, "nothing left to show");
    assert.equal(await page.locator("#pulses td.name a").count(), COUNT, "every shown row has its link");

    // Sorting covers the rows that were never shown before it.
    await page.reload();
    await page.locator("#tools").waitFor({ state: "visible" });
    await page.locator("#pulses thead th > button", { hasText: /^Name$/ }).click();
    await page.locator("#pulses thead th > button", { hasText: /^Name$/ }).click();
    const descending = await names(page);
    assert.equal(descending.length, WINDOW);
    assert.deepEqual(descending, PULSES.map((p) => p.name).reverse().slice(0, WINDOW));

    // So does the filter, and a row first shown by it gets its links.
    await page.reload();
    await page.locator("#tools").waitFor({ state: "visible" });
    await page.locator("#pulses thead th > button", { hasText: /^Delta$/ }).click(); // away from Name
    const target = PULSES[COUNT - 1];
    const shownBefore = await names(page);
    const hidden = PULSES.find((p) => !shownBefore.includes(p.name));
    assert.ok(hidden, "some pulse starts outside the window");
    await page.locator("#filter").fill(hidden.name);
    assert.deepEqual(await names(page), [hidden.name]);
    assert.equal((await page.textContent("#showing")).trim(), `Showing 1 of ${COUNT}`);
    assert.equal(await page.locator(`${ROWS} td.name a`).getAttribute("href"), `pulses/${pulseId(hidden)}?secret=${SECRET}`);
    assert.equal(await page.getByRole("link", { name: `Edit ${hidden.name}` }).getAttribute("href"), `edit?secret=${SECRET}&id=${pulseId(hidden)}`);
    await page.locator("#filter").fill(target.name.slice(0, 5)); // "job-1": job-1xx, 50 rows
    assert.equal((await names(page)).length, 50);
    assert.equal(await more.isVisible(), false);
    await page.locator("#filter").fill("");
    assert.equal((await names(page)).length, WINDOW);
  });

  it("shows every row without JavaScript", { timeout: 90_000 }, async () => {
    const page = await newPage({ javaScriptEnabled: false });
    await page.goto(dashboardUrl);
    assert.equal(await page.locator("#pulses tr[data-k]:visible").count(), COUNT);
  });
});
