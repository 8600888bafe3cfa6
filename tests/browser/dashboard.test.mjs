// The dashboard and edit pages in headless Chromium, against the real local runtime on dynalite:
// the late rows marked by their state, counts, sorting, filtering, editing a threshold, and delete with its confirm().
// Run by tests/browser/run.sh (which builds target/debug/heartbeat-local first).

import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, REPO_ROOT, pulse, pulseId, seedStale, startServer, stopServer } from "./support.mjs";

const SECRET = "browser-test-secret-8c1f";
const SHOTS = path.join(REPO_ROOT, "target/browser");
// Bounded but generous for a loaded 2-core CI machine: the suite (start, seed, launch, six tests) and each test.
const SUITE = { timeout: 240_000 };
const TEST = { timeout: 90_000 };

// Names start with different letters and sort differently from hosts, thresholds and the default order.
const FRESH = [
  // Two report their runs (duration and exit code, as the heartbeat client sends them).
  { host: "alpha.example", category: "backup", type: "nightly", name: "db-export", threshold: "100", shown: "4 d 4 h", duration: "5430", exit: "0", run: "1 h 30 min" },
  { host: "beta.example", category: "reports", type: "cron", name: "invoice-run", threshold: "12", shown: "12 h", duration: "42", exit: "0", run: "42 s" },
  { host: "gamma.example", category: "cleanup", type: "hourly", name: "tmp-sweep", threshold: "2", shown: "2 h" },
  // Markup in a name must come out as text.
  { host: "epsilon.example", category: "reports", type: "weekly", name: 'report <b>weekly</b> & "sum"', threshold: "6", shown: "6 h" },
];
// Written straight into dynalite with old stamps: exceeded whatever weekday today is.
const STALE = [
  { host: "delta.example", category: "backup", type: "weekly", name: "archive-sync", threshold: "24", daysAgo: 30 },
  { host: "zeta.example", category: "mail", type: "daily", name: "mail-digest", threshold: "48", daysAgo: 40 },
];
const ALL = [...FRESH, ...STALE];
// Most overdue first: delta = working hours since − threshold.
const DEFAULT_ORDER = ["mail-digest", "archive-sync", "tmp-sweep", FRESH[3].name, "invoice-run", "db-export"];
const byName = (a, b) => a.localeCompare(b, "en");

let server;
let browser;
let problems = []; // console errors, page errors, CSP violations, failed requests of the current test
let dashboardUrl;
const contexts = new Set(); // closed after each test, also when it failed half-way

const ROWS = "#pulses > tbody:first-of-type > tr.pulse";

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  contexts.add(context);
  context.on("close", () => contexts.delete(context));
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  // Reported to the console too, but this names the directive even if Chromium's wording changes.
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console.${msg.type()} on ${page.url()}: ${msg.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on("requestfailed", (req) => {
    // A navigation that replaces a page can abort its leftovers; anything else is a problem.
    if (req.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  return page;
}

/** Names of the rows in document order, optionally only the visible ones. */
async function rowNames(page, { visibleOnly = false } = {}) {
  return page.$$eval(
    ROWS,
    (rows, visibleOnly) => rows.filter((r) => !visibleOnly || (!r.hidden && r.offsetParent !== null)).map((r) => r.querySelector("td.name").textContent),
    visibleOnly,
  );
}

/** A row's numeric sort keys (data-k): last pulse, hours since, delta, threshold, due. */
const sortKeys = (dataK) => dataK.split(" ").map(Number);

async function ariaSorts(page) {
  return page.$$eval("#pulses thead th[data-type]", (ths) =>
    Object.fromEntries(ths.map((th) => [th.querySelector("button").textContent, th.getAttribute("aria-sort")])),
  );
}

/** A column's sort button, by its text (its accessible name also carries the CSS arrow, e.g. "Name↕"). */
function headerButton(page, label) {
  const exact = new RegExp("^" + label.replace(/[.*+?^$()|[\]\\/{}]/g, "\\$&") + "$");
  return page.locator("#pulses thead th > button", { hasText: exact });
}

function row(page, name) {
  return page.locator(ROWS).filter({ has: page.locator("td.name", { hasText: name }) });
}

async function openDashboard(page) {
  const res = await page.goto(dashboardUrl);
  assert.equal(res.status(), 200, `dashboard answered ${res.status()}`);
  await page.locator("#tools").waitFor({ state: "visible" }); // dashboard.js has run
  return res;
}

async function openEdit(page, name) {
  await openDashboard(page);
  await Promise.all([page.waitForURL(/\/heartbeat\/edit\?/), row(page, name).getByRole("link", { name: `Edit ${name}` }).click()]);
  await page.locator("#delete-form").waitFor();
}

describe("dashboard in headless Chromium", SUITE, () => {
  before(async () => {
    server = await startServer({ secret: SECRET });
    dashboardUrl = `${server.base}/heartbeat/dashboard?secret=${SECRET}`;
    for (const { host, category, type, name, threshold, duration, exit } of FRESH) {
      await pulse(server, { host, category, type, name, threshold, ...(duration ? { duration, exit } : {}) });
    }
    for (const p of STALE) await seedStale(server, p);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    await mkdir(SHOTS, { recursive: true });
  }, { timeout: 150_000 });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await stopServer(server);
    }
  });

  afterEach(async () => {
    await Promise.allSettled([...contexts].map((c) => c.close()));
    const seen = problems;
    problems = [];
    assert.deepEqual(seen, [], "no console errors, page errors, CSP violations or failed requests");
  });

  it("shows every pulse, marks only the stale ones late, and counts them", TEST, async () => {
    const page = await newPage();
    const res = await openDashboard(page);
    assert.match(res.headers()["content-security-policy"] ?? "", /default-src 'none'/);
    await page.screenshot({ path: path.join(SHOTS, "dashboard.png"), fullPage: true });

    assert.deepEqual((await rowNames(page)).sort(byName), ALL.map((p) => p.name).sort(byName));
    assert.deepEqual(await rowNames(page), DEFAULT_ORDER, "server order: those that need attention first, then most overdue");
    assert.equal((await ariaSorts(page))["Status"], "ascending");

    for (const p of STALE) {
      const r = row(page, p.name);
      await assert.doesNotReject(r.waitFor(), p.name);
      assert.equal(await r.getAttribute("data-status"), "late", `${p.name} data-status`);
      assert.equal((await r.locator("td.status").textContent()).trim(), "late");
      assert.equal(await r.locator(".badge").count(), 0, "no EXCEEDED badge: the state says it");
      assert.equal(await r.locator("td.host").textContent(), p.host);
      assert.ok(sortKeys(await r.getAttribute("data-k"))[2] > 0, `${p.name} has a positive delta`);
    }
    for (const p of FRESH) {
      const r = row(page, p.name);
      assert.equal(await r.getAttribute("data-status"), "ok", `${p.name} data-status`);
      assert.equal(await r.locator(".badge").count(), 0);
      assert.equal(await r.locator("td.host").textContent(), p.host);
      // In words; the exact hours are the sort key.
      assert.equal((await r.locator("td").nth(7).textContent()).trim(), p.shown);
      assert.equal(sortKeys(await r.getAttribute("data-k"))[3], Number(p.threshold));
    }
    // The script links every row to its pulse: the id it computes from the key is the server's.
    for (const p of ALL) {
      assert.equal(await row(page, p.name).locator("td.name a").getAttribute("href"), `pulses/${pulseId(p)}?secret=${SECRET}`, p.name);
      assert.equal(await row(page, p.name).getByRole("link", { name: `Edit ${p.name}` }).getAttribute("href"), `edit?secret=${SECRET}&id=${pulseId(p)}`);
    }
    // The markup in a name is text, not elements.
    assert.equal(await page.locator("#pulses tbody b").count(), 0, "no <b> element from a pulse name");

    assert.equal(await page.textContent("#count-total"), String(ALL.length));
    assert.equal(await page.textContent("#count-ok"), String(FRESH.length));
    assert.equal(await page.textContent("#count-late"), String(STALE.length));
    assert.equal(await page.title(), `(${STALE.length}) Dashboard · heartbeat`);
    assert.equal((await page.textContent("#showing")).trim(), `Showing ${ALL.length} of ${ALL.length}`);
    assert.equal(await page.locator("#no-match").isVisible(), false);
    await page.context().close();
  });

  it("shows every pulse's text in the server's order without JavaScript", TEST, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, javaScriptEnabled: false });
    contexts.add(context);
    const page = await context.newPage();
    const res = await page.goto(dashboardUrl);
    assert.equal(res.status(), 200);
    const rows = await page.$$eval("#pulses > tbody:first-of-type > tr[data-k]", (trs) => trs.map((tr) => Array.from(tr.cells, (td) => td.textContent)));
    assert.deepEqual(rows.map((cells) => cells[3]), DEFAULT_ORDER, "names, most overdue first");
    for (const cells of rows) {
      const p = ALL.find((x) => x.name === cells[3]);
      assert.deepEqual(cells.slice(0, 3), [p.host, p.category, p.type]);
      assert.equal(cells[8], STALE.includes(p) ? "late" : "ok", `${p.name}: status`);
      assert.match(cells[9], STALE.includes(p) ? /^late for \d/ : /^in \d/, `${p.name}: due in`);
      // The last run and exit code, left out of the rows that never reported a run.
      assert.deepEqual(cells.slice(10).map((text) => text.trim()), p.run ? [p.run, p.exit] : [], `${p.name}: last run`);
    }
    assert.equal(await page.locator("#pulses tr[data-status=late]").count(), STALE.length, "late rows marked");
    assert.equal(await page.locator("noscript").count(), 1);
    await context.close();
  });

  it("sorts by a column header, ascending then descending, and updates aria-sort", TEST, async () => {
    const page = await newPage();
    await openDashboard(page);
    const names = ALL.map((p) => p.name);
    const header = headerButton(page, "Name").locator("xpath=..");

    await headerButton(page, "Name").click();
    assert.deepEqual(await rowNames(page), [...names].sort(byName));
    assert.equal(await header.getAttribute("aria-sort"), "ascending");
    const sorts = await ariaSorts(page);
    assert.deepEqual(Object.entries(sorts).filter(([, v]) => v !== null), [["Name", "ascending"]], "only Name carries aria-sort");

    await headerButton(page, "Name").click();
    assert.equal(await header.getAttribute("aria-sort"), "descending");
    assert.deepEqual(await rowNames(page), [...names].sort(byName).reverse());

    // The sort survives the page's own reload (it refreshes every 2 minutes).
    await page.reload();
    await page.locator("#tools").waitFor({ state: "visible" });
    assert.equal(await header.getAttribute("aria-sort"), "descending");
    assert.deepEqual(await rowNames(page), [...names].sort(byName).reverse());

    // A number column starts descending and compares numbers, not text (100 > 48 > 24 > 12 > 6 > 2).
    await headerButton(page, "Threshold / Saturday").click();
    const byThreshold = [...ALL].sort((a, b) => Number(b.threshold) - Number(a.threshold)).map((p) => p.name);
    assert.deepEqual(await rowNames(page), byThreshold);
    const sortsNow = await ariaSorts(page);
    assert.equal(sortsNow["Threshold / Saturday"], "descending");
    assert.equal(sortsNow.Name, null, "Name lost its aria-sort");
    await headerButton(page, "Threshold / Saturday").click();
    assert.deepEqual(await rowNames(page), [...byThreshold].reverse());
    assert.equal((await ariaSorts(page))["Threshold / Saturday"], "ascending");
    await page.context().close();
  });

  it("shows the last run's length and exit code, and sorts by them", TEST, async () => {
    const page = await newPage();
    await openDashboard(page);
    const withRun = FRESH.filter((p) => p.run);
    for (const p of ALL) {
      const cells = row(page, p.name).locator("td");
      // Every row has every column once the script ran (the Edit link last).
      assert.equal(await cells.count(), 13, p.name);
      assert.equal((await cells.nth(10).textContent()).trim(), p.run ?? "", `${p.name}: last run`);
      assert.equal((await cells.nth(11).textContent()).trim(), p.exit ?? "", `${p.name}: exit code`);
    }
    // Longest run first; rows without a run keep the server's order after them.
    const rest = DEFAULT_ORDER.filter((name) => !withRun.some((p) => p.name === name));
    await headerButton(page, "Last run").click();
    assert.deepEqual(await rowNames(page), ["db-export", "invoice-run", ...rest]);
    assert.equal((await ariaSorts(page))["Last run"], "descending");
    await headerButton(page, "Last run").click();
    assert.deepEqual(await rowNames(page), [...rest, "invoice-run", "db-export"]);
    // Exit codes compare as numbers; the rows with one come first.
    await headerButton(page, "Exit").click();
    const withExit = DEFAULT_ORDER.filter((name) => withRun.some((p) => p.name === name));
    assert.deepEqual(await rowNames(page), [...withExit, ...rest]);
    await page.context().close();
  });

  it("filters rows by the text typed in #filter", TEST, async () => {
    const page = await newPage();
    await openDashboard(page);
    const filter = page.locator("#filter");

    await filter.fill("backup");
    const backups = ALL.filter((p) => p.category === "backup").map((p) => p.name).sort(byName);
    assert.deepEqual((await rowNames(page, { visibleOnly: true })).sort(byName), backups);
    assert.equal((await page.textContent("#showing")).trim(), `Showing ${backups.length} of ${ALL.length}`);
    for (const p of ALL) {
      assert.equal(await row(page, p.name).isVisible(), backups.includes(p.name), `${p.name} visible with filter “backup”`);
    }

    await filter.fill("ALPHA.example"); // case-insensitive, host column
    assert.deepEqual(await rowNames(page, { visibleOnly: true }), ["db-export"]);
    assert.equal((await page.textContent("#showing")).trim(), `Showing 1 of ${ALL.length}`);

    await filter.fill("no-such-pulse-anywhere");
    assert.deepEqual(await rowNames(page, { visibleOnly: true }), []);
    assert.equal((await page.textContent("#showing")).trim(), `Showing 0 of ${ALL.length}`);
    assert.equal(await page.locator("#no-match").isVisible(), true, "the no-match row shows");

    // Typed key by key, as a person would.
    await filter.fill("");
    await filter.pressSequentially("mail");
    assert.deepEqual(await rowNames(page, { visibleOnly: true }), ["mail-digest"]);

    await filter.fill("");
    assert.equal((await rowNames(page, { visibleOnly: true })).length, ALL.length);
    assert.equal((await page.textContent("#showing")).trim(), `Showing ${ALL.length} of ${ALL.length}`);
    assert.equal(await page.locator("#no-match").isVisible(), false);
    await page.context().close();
  });

  it("filters by status, shows status and due-in columns, and links each row to its detail page", TEST, async () => {
    const page = await newPage();
    await openDashboard(page);
    for (const p of STALE) {
      const r = row(page, p.name);
      assert.equal((await r.locator("td.status").textContent()).trim(), "late");
      assert.match((await r.locator("td.due").textContent()).trim(), /^late for \d/, `${p.name} due-in`);
    }
    for (const p of FRESH) {
      const r = row(page, p.name);
      assert.equal((await r.locator("td.status").textContent()).trim(), "ok");
      assert.match((await r.locator("td.due").textContent()).trim(), /^in \d/, `${p.name} due-in`);
    }
    const status = page.locator("#status-filter");
    await status.selectOption("late");
    assert.deepEqual((await rowNames(page, { visibleOnly: true })).sort(byName), STALE.map((p) => p.name).sort(byName));
    assert.equal((await page.textContent("#showing")).trim(), `Showing ${STALE.length} of ${ALL.length}`);
    // Both filters apply together.
    await page.locator("#filter").fill("mail");
    assert.deepEqual(await rowNames(page, { visibleOnly: true }), ["mail-digest"]);
    await page.locator("#filter").fill("");
    // The choice survives the page's own reload.
    await page.reload();
    await page.locator("#tools").waitFor({ state: "visible" });
    assert.equal(await status.inputValue(), "late");
    assert.equal((await rowNames(page, { visibleOnly: true })).length, STALE.length);
    await status.selectOption("ok");
    assert.deepEqual((await rowNames(page, { visibleOnly: true })).sort(byName), FRESH.map((p) => p.name).sort(byName));
    await status.selectOption("");
    assert.equal((await rowNames(page, { visibleOnly: true })).length, ALL.length);

    const target = STALE[0];
    await row(page, target.name).locator("td.name a").click();
    await page.waitForURL(/\/heartbeat\/pulses\/[0-9a-f]{64}\?secret=/);
    assert.equal(new URL(page.url()).pathname.split("/").pop(), pulseId(target));
    assert.equal((await page.textContent("#status")).trim(), "late");
    assert.match((await page.textContent("#due")).trim(), /^late for /);
    assert.equal(await page.locator("#durations-chart").isVisible(), true);
    await page.screenshot({ path: path.join(SHOTS, "detail.png"), fullPage: true });
    await page.getByRole("link", { name: "← Back to the dashboard" }).click();
    await page.locator("#tools").waitFor({ state: "visible" });
    await page.context().close();
  });

  it("edits a threshold and returns to the dashboard showing it", TEST, async () => {
    const page = await newPage();
    const target = FRESH[1]; // invoice-run, 12 h
    await openEdit(page, target.name);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get("id"), pulseId(target));
    assert.equal(url.searchParams.get("secret"), SECRET);
    assert.equal(await page.inputValue("#threshold"), target.threshold);
    // The heading names the pulse's state as the dashboard does.
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Edit pulse ok");
    assert.equal(await page.textContent("#status"), "ok");
    await page.screenshot({ path: path.join(SHOTS, "edit.png"), fullPage: true });

    await page.fill("#threshold", "36");
    await Promise.all([page.waitForURL(/\/heartbeat\/dashboard\?/), page.getByRole("button", { name: "Save" }).click()]);
    const back = new URL(page.url());
    assert.equal(back.pathname, "/heartbeat/dashboard");
    assert.equal(back.searchParams.get("secret"), SECRET);
    await page.locator("#tools").waitFor({ state: "visible" });
    const cell = row(page, target.name).locator("td").nth(7);
    assert.equal((await cell.textContent()).trim(), "1 d 12 h");
    assert.equal(sortKeys(await row(page, target.name).getAttribute("data-k"))[3], 36);
    assert.equal(await page.textContent("#count-total"), String(ALL.length));

    // And the edit form now offers 36.
    await openEdit(page, target.name);
    assert.equal(await page.inputValue("#threshold"), "36");
    await page.context().close();
  });

  it("keeps the pulse when the delete confirmation is dismissed", TEST, async () => {
    const page = await newPage();
    const target = FRESH[2]; // tmp-sweep
    await openEdit(page, target.name);
    const editUrl = page.url();
    const posts = [];
    page.on("request", (req) => {
      if (req.method() === "POST") posts.push(req.url());
    });
    const dialog = new Promise((resolve) => {
      page.once("dialog", async (d) => {
        const seen = { type: d.type(), message: d.message() };
        await d.dismiss();
        resolve(seen);
      });
    });
    await page.getByRole("button", { name: "Delete this pulse" }).click();
    const seen = await dialog;
    assert.equal(seen.type, "confirm");
    assert.equal(seen.message, `Delete the pulse “${target.name}” of ${target.host}? This cannot be undone.`);
    await page.evaluate(() => new Promise((r) => setTimeout(r, 0))); // let any submission start
    assert.equal(page.url(), editUrl, "still on the edit page");
    assert.deepEqual(posts, [], "no form was posted");

    await openDashboard(page);
    assert.equal(await row(page, target.name).count(), 1, `${target.name} is still listed`);
    assert.equal(await page.textContent("#count-total"), String(ALL.length));
    await page.context().close();
  });

  it("deletes the pulse when the confirmation is accepted", TEST, async () => {
    const page = await newPage();
    const target = FRESH[2]; // tmp-sweep
    await openEdit(page, target.name);
    const dialog = new Promise((resolve) => {
      page.once("dialog", async (d) => {
        const seen = { type: d.type(), message: d.message() };
        await d.accept();
        resolve(seen);
      });
    });
    await Promise.all([page.waitForURL(/\/heartbeat\/dashboard\?/), page.getByRole("button", { name: "Delete this pulse" }).click()]);
    const seen = await dialog;
    assert.equal(seen.type, "confirm");
    assert.match(seen.message, new RegExp(target.name));
    assert.equal(new URL(page.url()).pathname, "/heartbeat/dashboard");
    await page.locator("#tools").waitFor({ state: "visible" });
    assert.equal(await row(page, target.name).count(), 0, `${target.name} is gone`);
    assert.equal(await page.locator(ROWS).count(), ALL.length - 1);
    assert.equal(await page.textContent("#count-total"), String(ALL.length - 1));
    assert.equal(await page.textContent("#count-ok"), String(FRESH.length - 1));
    assert.equal(await page.textContent("#count-late"), String(STALE.length));
    await page.context().close();

    // Its edit page is gone too (asked outside the browser: a 404 is logged as a console error).
    const res = await fetch(`${server.base}/heartbeat/edit?secret=${SECRET}&id=${pulseId(target)}`);
    assert.equal(res.status, 404);
  });
});
