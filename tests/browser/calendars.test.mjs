// The holiday calendars page in headless Chromium against the real local runtime on dynalite: from
// the dashboard's link, paste dates (a bad one is refused and shown again), upload an .ics file
// through the file input, see each calendar's size and next date, then delete one.
// Run by tests/browser/run.sh (which builds target/debug/heartbeat-local first).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, startServer, stopServer } from "./support.mjs";

const SECRET = "browser-calendars-secret-2c9d";

// New Year's Day every year from 2020 (all-day, yearly repeat): its next date is always 1 January.
const ICS = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//browser test//EN",
  "BEGIN:VEVENT",
  "UID:new-year@test",
  "DTSTAMP:20260101T000000Z",
  "DTSTART;VALUE=DATE:20200101",
  "DTEND;VALUE=DATE:20200102",
  "RRULE:FREQ=YEARLY",
  "SUMMARY:New Year",
  "END:VEVENT",
  "END:VCALENDAR",
  "",
].join("\r\n");

let server;
let browser;

describe("the holiday calendars page in headless Chromium", { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer({ secret: SECRET });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  }, { timeout: 150_000 });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await stopServer(server);
    }
  });

  it("pastes dates, refuses a bad one, uploads an .ics file and deletes a calendar", { timeout: 90_000 }, async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.base}/heartbeat/dashboard?secret=${SECRET}`);
    await Promise.all([page.waitForURL(/\/heartbeat\/calendars\?/), page.locator("#calendars-link").click()]);
    assert.ok(await page.locator("#no-calendars").isVisible());

    // A bad date: the error names it and the form keeps what was typed.
    await page.locator("#paste-name").fill("company");
    await page.locator("#dates").fill("2099-12-24\n2099-02-30");
    await Promise.all([page.waitForLoadState("load"), page.locator("#paste-form button[type=submit]").click()]);
    assert.match(await page.locator("#form-error").textContent(), /“2099-02-30” is not a date/);
    assert.equal(await page.locator("#dates").inputValue(), "2099-12-24\n2099-02-30");
    assert.ok(await page.locator("#no-calendars").isVisible(), "nothing was saved");

    await page.locator("#dates").fill("2099-12-24, 2099-12-25\n2099-12-31");
    await Promise.all([page.waitForLoadState("load"), page.locator("#paste-form button[type=submit]").click()]);
    const company = page.locator('tr[data-name="company"]');
    assert.equal(await company.locator(".count").textContent(), "3");
    assert.equal(await company.locator(".next").textContent(), "2099-12-24");

    await page.locator("#upload-name").fill("new-year");
    await page.locator("#file").setInputFiles({ name: "new-year.ics", mimeType: "text/calendar", buffer: Buffer.from(ICS) });
    await Promise.all([page.waitForLoadState("load"), page.locator("#upload-form button[type=submit]").click()]);
    const newYear = page.locator('tr[data-name="new-year"]');
    assert.equal(await newYear.count(), 1, await page.content());
    assert.match(await newYear.locator(".next").textContent(), /^\d{4}-01-01$/);

    await Promise.all([page.waitForLoadState("load"), company.getByRole("button", { name: "Delete" }).click()]);
    assert.equal(await page.locator('tr[data-name="company"]').count(), 0);
    assert.equal(await page.locator('tr[data-name="new-year"]').count(), 1);
  });
});
