// The channels page in headless Chromium against the real local runtime on dynalite: from the
// dashboard's link, add a webhook channel pointing at a local recording server, see its secret
// masked, send a test message (the server receives it and the page says so), then remove it.
// Run by tests/browser/run.sh (which builds target/debug/heartbeat-local first).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, startServer, stopServer } from "./support.mjs";

const SECRET = "browser-channels-secret-7f3a";

let server;
let browser;
let hook;
const received = [];

describe("the channels page in headless Chromium", { timeout: 240_000 }, () => {
  before(async () => {
    // Loopback http is the one plain-http address a channel may have (for tests like this one).
    hook = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        received.push({ method: req.method, url: req.url, body });
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("ok");
      });
    });
    await new Promise((resolve) => hook.listen(0, "127.0.0.1", resolve));
    server = await startServer({ secret: SECRET });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  }, { timeout: 150_000 });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await stopServer(server);
      hook?.close();
    }
  });

  it("adds, masks, tests and removes a channel", { timeout: 90_000 }, async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.base}/heartbeat/dashboard?secret=${SECRET}`);
    await Promise.all([page.waitForURL(/\/heartbeat\/channels\?/), page.locator("#channels-link").click()]);
    assert.ok(await page.locator("#no-channels").isVisible());

    const url = `http://127.0.0.1:${hook.address().port}/hook?token=SECRETTOKEN`;
    await page.locator("#name").fill("ops-hook");
    await page.locator("#kind").selectOption("webhook");
    await page.locator("#url").fill(url);
    await page.locator("#secret").fill("hmac-key-1");
    await Promise.all([page.waitForLoadState("load"), page.locator("#channel-form button[type=submit]").click()]);
    const row = page.locator('tr[data-name="ops-hook"]');
    assert.equal(await row.count(), 1);
    const shown = await page.content();
    assert.ok(!shown.includes("SECRETTOKEN") && !shown.includes("hmac-key-1"), "secrets are never shown");
    assert.match(await row.textContent(), /••••••/);

    await Promise.all([page.waitForLoadState("load"), row.getByRole("button", { name: "Send a test message" }).click()]);
    assert.match(await page.locator("#notice").textContent(), /Test message to ops-hook: delivered/);
    assert.equal(received.length, 1);
    assert.equal(received[0].method, "POST");
    assert.equal(JSON.parse(received[0].body).occasion, "test");

    await Promise.all([page.waitForLoadState("load"), page.locator('tr[data-name="ops-hook"]').getByRole("button", { name: "Remove" }).click()]);
    assert.equal(await page.locator('tr[data-name="ops-hook"]').count(), 0);
    assert.ok(await page.locator("#no-channels").isVisible());
  });
});
