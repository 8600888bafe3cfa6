// The dashboard with many rows in headless Chromium, for heartbeat-bench: serves the page the bench
// rendered (with its Content-Security-Policy), opens it, types a filter and sorts by Name as a
// person would, and prints as JSON the milliseconds from the navigation's start until the page's
// script had run and the page was painted, and each step until the browser had painted it.
//
// The page marks its own first paint (an init script: the first frame after DOMContentLoaded, by
// which time the page's script has run). Playwright learns of the load event and runs the steps
// through round trips to the browser, which on a 2-core machine add 200-300 ms that are not the
// page's: `total` is the page's own time (painted + filter + sort), and `harnessTotal` the same
// run as the harness's clock saw it, round trips included.
//
// usage: node bench/browser/dashboard.mjs PAGE.html CSP RUNS

import { readFile } from "node:fs/promises";
import http from "node:http";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../../tests/browser/support.mjs";

const [file, csp, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 3);
const page = await readFile(file);
const server = http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": csp, "cache-control": "no-store" });
  res.end(page);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/heartbeat/dashboard`;

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
const results = [];
const problems = [];
try {
  for (let run = 0; run < runs; run += 1) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const tab = await context.newPage();
    await tab.addInitScript(() => {
      document.addEventListener("DOMContentLoaded", () =>
        requestAnimationFrame(() => setTimeout(() => { window.heartbeatBenchPainted = performance.now(); }, 0)));
    });
    tab.on("pageerror", (e) => problems.push(e.message));
    tab.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
    await tab.goto(url, { waitUntil: "load", timeout: 60_000 });
    await tab.locator("#tools").waitFor({ state: "visible", timeout: 60_000 });
    const timing = await tab.evaluate(async () => {
      const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      await painted();
      // Bounded: about ten seconds of frames, then the run fails rather than waits for ever.
      for (let frame = 0; window.heartbeatBenchPainted === undefined; frame += 1) {
        if (frame >= 600) throw new Error("the page never marked its first paint (600 frames)");
        await painted();
      }
      const pagePainted = window.heartbeatBenchPainted; // navigation start is 0
      const seen = performance.now(); // when the harness could start typing
      const filter = document.getElementById("filter");
      let t = performance.now();
      filter.value = "job-0001";
      filter.dispatchEvent(new Event("input"));
      await painted();
      const filterMs = performance.now() - t;
      const shown = document.getElementById("showing").textContent;
      const button = Array.from(document.querySelectorAll("#pulses thead th button")).find((b) => b.textContent === "Name");
      t = performance.now();
      button.click();
      await painted();
      const sortMs = performance.now() - t;
      // Every row the server sent; the script shows a window of them and builds links for those.
      const rows = document.querySelectorAll("#pulses tr[data-k]").length;
      const links = document.querySelectorAll("#pulses td.name a[href^='pulses/']").length;
      return { painted: pagePainted, seen, filterMs, sortMs, total: pagePainted + filterMs + sortMs, harnessTotal: performance.now(), shown, rows, links };
    });
    results.push(timing);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify({ bytes: page.length, runs: results, problems }));
