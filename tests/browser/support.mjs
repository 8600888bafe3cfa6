// Helpers for the browser test: start the local runtime (and with it dynalite) on free ports,
// seed pulses, and stop everything again. No test lives here; `node --test` only runs *.test.mjs.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BINARY = path.join(REPO_ROOT, "target/debug/heartbeat-local");
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
/// The flags the machine notes ask for: without the background-networking ones, Chromium keeps
/// trying hosts that this closed network refuses. `headless: true` in the launch options adds
/// --headless, and Playwright's launch() always uses a fresh, temporary --user-data-dir.
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const START_TIMEOUT_MS = Number(process.env.BROWSER_TEST_START_TIMEOUT_MS || 45_000);
const STOP_TIMEOUT_MS = 10_000;

/** Free TCP ports on 127.0.0.1: listen on port 0, read the port, close. All held at once so they differ. */
export async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const server = net.createServer();
      await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", resolve);
      });
      servers.push(server);
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve()))));
  }
}

/**
 * Starts target/debug/heartbeat-local in its own process group (so that dynalite, its child, can be
 * killed with it even if it dies badly) and resolves once the banner is printed and the port answers.
 */
export async function startServer({ secret }) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "heartbeat-browser-"));
  const [port, dynalitePort] = await freePorts(2);
  const env = { ...process.env };
  // Nothing from the caller's environment may change what the pages show or where alerts go.
  for (const name of ["SLACK_WEBHOOK_URL", "PULSE_KEY", "HEARTBEAT_STORE", "BASE_URL", "TABLE_NAME", "DEFAULT_TIMEZONE", "DEFAULT_THRESHOLD_HOURS"]) {
    delete env[name];
  }
  Object.assign(env, {
    HEARTBEAT_HOST: "127.0.0.1",
    HEARTBEAT_PORT: String(port),
    DYNALITE_PORT: String(dynalitePort),
    HEARTBEAT_DATA: dataDir,
    HEARTBEAT_MONITOR_EVERY: "0",
    DASHBOARD_SECRET: secret,
    NO_COLOR: "1",
  });
  const child = spawn(BINARY, [], { cwd: REPO_ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const server = {
    child,
    dataDir,
    port,
    dynalitePort,
    base: `http://127.0.0.1:${port}`,
    dynalite: `http://127.0.0.1:${dynalitePort}`,
    output: "",
    exited: null,
  };
  // The last words if the test process itself ends without its after hook (e.g. an uncaught error).
  const killGroup = () => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  };
  process.once("exit", killGroup);
  server.forget = () => process.removeListener("exit", killGroup);
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (s) => { server.output += s; });
  child.stderr.on("data", (s) => { server.output += s; });
  server.exitedPromise = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      server.exited = { code, signal };
      resolve(server.exited);
    });
    child.once("error", (error) => {
      server.exited = { error };
      server.output += `\n[spawn error: ${error.message}]`;
      resolve(server.exited);
    });
  });

  const deadline = Date.now() + START_TIMEOUT_MS;
  const fail = async (why) => {
    await stopServer(server);
    throw new Error(`heartbeat-local ${why}. Its output:\n${server.output || "(nothing)"}`);
  };
  while (!/Dashboard:\s+http:\/\/\S+/.test(server.output)) {
    if (server.exited) return fail(`exited before it printed its banner (${JSON.stringify(server.exited)})`);
    if (Date.now() > deadline) return fail(`printed no banner within ${START_TIMEOUT_MS / 1000} s`);
    await Promise.race([server.exitedPromise, new Promise((r) => setTimeout(r, 100))]);
  }
  // The banner comes after the bind; still, ask the port once before any test relies on it.
  for (;;) {
    try {
      const res = await fetch(`${server.base}/heartbeat/pulse`, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      break;
    } catch (error) {
      if (server.exited) return fail(`exited after its banner (${JSON.stringify(server.exited)})`);
      if (Date.now() > deadline) return fail(`printed its banner but port ${port} does not answer: ${error.message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return server;
}

/** SIGTERM (the runtime then stops dynalite itself), then SIGKILL for the whole group; removes the data folder. */
export async function stopServer(server) {
  if (!server) return;
  const { child } = server;
  if (!server.exited && child.pid) {
    try {
      process.kill(child.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
    await Promise.race([server.exitedPromise, new Promise((r) => setTimeout(r, STOP_TIMEOUT_MS).unref())]);
  }
  if (child.pid) {
    // Whatever is left of the group (dynalite if the runtime died without stopping it).
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      /* the group is empty */
    }
  }
  if (!server.exited) await Promise.race([server.exitedPromise, new Promise((r) => setTimeout(r, STOP_TIMEOUT_MS).unref())]);
  child.stdout?.destroy();
  child.stderr?.destroy();
  server.forget?.();
  await rm(server.dataDir, { recursive: true, force: true, maxRetries: 3 });
}

/** A pulse as a cron job sends it: GET /heartbeat/pulse?… . */
export async function pulse(server, params) {
  // encodeURIComponent, not URLSearchParams: in this API's query strings `+` is a plus sign.
  const query = Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  const url = `${server.base}/heartbeat/pulse?${query}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const body = await res.text();
  if (res.status !== 200 || body !== "Successful Heartbeat Pulse") {
    throw new Error(`pulse ${url} answered ${res.status}: ${body}`);
  }
}

/** The original server's _id: SHA-256 hex of host+category+type+name, no separator. */
export function pulseId({ host, category, type, name }) {
  return createHash("sha256").update(host + category + type + name, "utf8").digest("hex");
}

/**
 * Writes an item straight into dynalite through DynamoDB's JSON API, with exactly the attributes
 * the original server wrote. dynalite wants an Authorization header but does not check the signature.
 */
export async function putItem(server, item) {
  const now = new Date();
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const res = await fetch(`${server.dynalite}/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.0",
      "X-Amz-Target": "DynamoDB_20120810.PutItem",
      "X-Amz-Date": amzDate,
      Authorization: `AWS4-HMAC-SHA256 Credential=local/${amzDate.slice(0, 8)}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000`,
    },
    body: JSON.stringify({ TableName: "Heartbeat", Item: item }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`dynalite PutItem answered ${res.status}: ${body}`);
}

/** A pulse whose last beat was `daysAgo` days ago, as the original server stored it. */
export async function seedStale(server, { host, category, type, name, threshold, daysAgo }) {
  const stamp = new Date(Date.now() - daysAgo * 24 * 3600 * 1000).toISOString();
  await putItem(server, {
    _id: { S: pulseId({ host, category, type, name }) },
    host: { S: host },
    category: { S: category },
    typeF: { S: type },
    nameF: { S: name },
    timestampF: { S: stamp },
    thresholdF: { S: String(threshold) },
    saturday: { S: "0" },
  });
}
