// The snooze link of an alert in headless Chromium, against the real local runtime on dynalite:
// opening the link (a GET, as a chat app's preview would) shows a button and changes nothing; pressing
// the button (a POST) snoozes the pulse, which the dashboard then shows with until when.
// Run by tests/browser/run.sh (which builds target/debug/heartbeat-local first).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, pulseId, seedStale, startServer, stopServer } from "./support.mjs";

const SECRET = "browser-quiet-secret-51d2";
const STALE = { host: "delta.example", category: "backup", type: "weekly", name: "archive-sync", threshold: "24", daysAgo: 30 };

let server;
let browser;

async function dashboardRow(page) {
  await page.goto(`${server.base}/heartbeat/dashboard?secret=${SECRET}`);
  const row = page.locator("tr.pulse").filter({ has: page.locator("td.name", { hasText: STALE.name }) });
  return { status: await row.locator("td.status").textContent(), due: await row.locator("td.due").textContent() };
}

describe("the snooze link in headless Chromium", { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer({ secret: SECRET });
    await seedStale(server, STALE);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  }, { timeout: 150_000 });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await stopServer(server);
    }
  });

  it("a GET shows a button and changes nothing; the POST snoozes", { timeout: 90_000 }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = [];
    page.on("console", (msg) => msg.type() === "error" && problems.push(msg.text()));
    page.on("pageerror", (error) => problems.push(error.message));
    assert.equal((await dashboardRow(page)).status.trim(), "late");

    // The link as the alert carries it, opened twice (a preview, then the person).
    const link = `${server.base}/heartbeat/quiet?secret=${SECRET}&id=${pulseId(STALE)}&action=snooze&for=1h`;
    for (let i = 0; i < 2; i++) {
      const res = await page.goto(link);
      assert.equal(res.status(), 200);
      assert.equal((await page.locator("#confirm").textContent()).trim(), "Snooze for 1 h");
      assert.equal(await page.locator("#quiet-now").count(), 0, "not snoozed by opening the link");
    }
    assert.equal((await dashboardRow(page)).status.trim(), "late", "the GETs changed nothing");

    await page.goto(link);
    await Promise.all([page.waitForURL(/\/heartbeat\/pulses\/[0-9a-f]{64}\?/), page.locator("#confirm").click()]);
    assert.equal((await page.locator("#status").textContent()).trim(), "snoozed");
    const row = await dashboardRow(page);
    assert.equal(row.status.trim(), "snoozed");
    // In the page's one zone, as a person says it: 14:05 today, "tomorrow 00:30" past midnight.
    assert.match(row.due.trim(), /^snoozed until (tomorrow )?\d{2}:\d{2}$/);

    await page.goto(link);
    assert.match(await page.locator("#quiet-now").textContent(), /Now snoozed until/);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
