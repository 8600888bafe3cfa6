// The status model in headless Chromium, against the real local runtime on dynalite: a failed job,
// a snoozed one, a late one and a healthy one. The failed and late rows come first and are marked
// in colour and in a word; the snoozed one is shown as snoozed, never red; the header counts each
// state; the edit page of the failed job says "failed", not "OK", and that it never succeeded.
// Run by tests/browser/run.sh (which builds target/debug/heartbeat-local first).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, pulse, pulseId, seedStale, startServer, stopServer } from "./support.mjs";

const SECRET = "browser-status-secret-7a3e";
const FAILED = { host: "alpha.example", category: "backup", type: "nightly", name: "db-export" };
const SNOOZED = { host: "beta.example", category: "mail", type: "daily", name: "mail-digest", threshold: "24", daysAgo: 30 };
const LATE = { host: "gamma.example", category: "backup", type: "weekly", name: "archive-sync", threshold: "24", daysAgo: 40 };
const OK = { host: "delta.example", category: "reports", type: "cron", name: "invoice-run", threshold: "100" };

let server;
let browser;

/** Sends a signal other than a plain pulse (`/heartbeat/pulse/fail`, …). */
async function signal(route, params, answer) {
  const query = Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  const res = await fetch(`${server.base}/heartbeat/pulse/${route}?${query}`, { signal: AbortSignal.timeout(15_000) });
  assert.equal(`${res.status} ${await res.text()}`, `200 ${answer}`);
}

describe("the status model in headless Chromium", { timeout: 240_000 }, () => {
  before(async () => {
    server = await startServer({ secret: SECRET });
    // A pulse created by a failure: it never succeeded.
    await signal("fail", { ...FAILED, exit: "3" }, "Failure recorded");
    await seedStale(server, SNOOZED);
    await seedStale(server, LATE);
    await pulse(server, OK);
    const snooze = await fetch(`${server.base}/heartbeat/quiet?secret=${SECRET}&id=${pulseId(SNOOZED)}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "action=snooze&for=1h",
      redirect: "manual",
      signal: AbortSignal.timeout(15_000),
    });
    assert.ok(snooze.status === 303 || snooze.status === 200, `snooze answered ${snooze.status}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  }, { timeout: 150_000 });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await stopServer(server);
    }
  });

  it("leads with what needs attention, in colour and in words, and shows the quiet as quiet", { timeout: 90_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = [];
    page.on("console", (msg) => msg.type() === "error" && problems.push(msg.text()));
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${server.base}/heartbeat/dashboard?secret=${SECRET}`);
    await page.locator("#tools").waitFor({ state: "visible" });

    const rows = await page.$$eval("#pulses tr.pulse", (trs) =>
      trs.map((tr) => {
        const status = tr.querySelector("td.status");
        return {
          name: tr.querySelector("td.name").textContent,
          state: tr.dataset.status,
          word: status.textContent.trim(),
          color: getComputedStyle(status).color,
          background: getComputedStyle(tr.cells[0]).backgroundColor,
          text: tr.textContent,
        };
      }));
    assert.deepEqual(rows.map((r) => [r.name, r.state]), [
      [FAILED.name, "failed"],
      [LATE.name, "late"],
      [SNOOZED.name, "snoozed"],
      [OK.name, "ok"],
    ]);
    const red = rows[0].color;
    for (const r of rows) {
      // The word is there whatever the colour says.
      assert.equal(r.word.toLowerCase(), r.state, `${r.name}: the status in words`);
      assert.doesNotMatch(r.text, /EXCEEDED/i, `${r.name}: no EXCEEDED`);
    }
    assert.equal(rows[1].color, red, "late is coloured as failed is");
    assert.notEqual(rows[2].color, red, "the snoozed row is not red");
    assert.notEqual(rows[3].color, red, "the healthy row is not red");
    assert.notEqual(rows[0].background, rows[3].background, "the failed row stands out from the healthy one");
    assert.equal(rows[2].background, rows[3].background, "the snoozed row is not painted as a problem");
    // A job that never succeeded does not show its failure's time as a last pulse.
    assert.match(rows[0].text, /no success yet/);

    assert.equal((await page.textContent("#counts")).replace(/\s+/g, " ").trim(), "4 pulses: 1 failed · 1 late · 1 snoozed · 1 ok");
    assert.equal(await page.title(), "(2) Dashboard · heartbeat");
    assert.match(await page.textContent(".foot"), /^Generated \w{3} \d{1,2} \w{3} \d{4} \d{2}:\d{2} \S+ · times in UTC/);

    // The edit page says what the dashboard says, and what is true about the last success.
    await page.goto(`${server.base}/heartbeat/edit?secret=${SECRET}&id=${pulseId(FAILED)}`);
    assert.equal((await page.textContent("#status")).trim(), "failed");
    assert.equal(await page.getByText("OK", { exact: true }).count(), 0);
    assert.match(await page.textContent("#last-pulse"), /^no successful run yet; last signal: failed (just now|\d+ min ago)/);
    // And the detail page.
    await page.goto(`${server.base}/heartbeat/pulses/${pulseId(FAILED)}?secret=${SECRET}`);
    assert.equal((await page.textContent("#status")).trim(), "failed");
    assert.deepEqual(problems, []);
    await context.close();
  });
});
