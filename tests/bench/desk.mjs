#!/usr/bin/env node
// The agent page with a busy queue: the release server with N open conversations
// (each with a shopper message, spread over the shop's agents by routing), and the
// real agent page in headless Chromium. Measures, per load in a fresh browser context:
//
//   (i)  sign-in → list shown: from clicking "Sign in" to every open conversation's row
//        in the DOM;
//   (ii) reload → list shown: a signed-in agent coming back (session cookie), from
//        navigation start to every row in the DOM.
//
// Prints a Markdown table to stdout (progress to stderr). Loopback only.
//
//   node tests/bench/desk.mjs [--conversations 500] [--agents 20] [--loads 5]
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { copySite, launchBrowser, watchConsole } from "../e2e/harness.mjs";
import { buildReleaseBinaries } from "./site.mjs";
import { startServer } from "../e2e/harness.mjs";
import { formatMs, summarize } from "./stats.mjs";

const { values: opts } = parseArgs({
  options: {
    conversations: { type: "string", default: "500" },
    agents: { type: "string", default: "20" },
    loads: { type: "string", default: "5" },
  },
});
const conversations = Number(opts.conversations);
const agentCount = Number(opts.agents);
const loads = Number(opts.loads);

buildReleaseBinaries();
const agents = Array.from({ length: agentCount }, (_, n) => ({
  name: `Agent ${n}`,
  email: `agent${n}@shop.example`,
  password: "bench-password-not-secret",
}));
const cap = String(Math.ceil(conversations / agentCount));
const site = copySite(() => {});
const server = await startServer(site, "release", ["--rate-limit", "0", "--chats-per-agent", cap, "--idle-close-minutes", "0"], agents);
const origin = server.url.replace(/\/$/, "");
process.stderr.write(`starting ${conversations} conversations…\n`);
for (let i = 0; i < conversations; i++) {
  const started = await fetch(`${server.url}v1/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: origin },
    body: JSON.stringify({ page_url: `${origin}/products/${i}`, searched: ["rain jacket sizes"], identity: { name: `Shopper ${i}` } }),
  });
  const { id, token } = await started.json();
  const said = await fetch(`${server.url}v1/chat/${id}/messages`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: origin, Authorization: `Bearer ${token}` },
    body: JSON.stringify({ id: crypto.randomUUID(), body: `Does the jacket come in size ${i % 5}?` }),
  });
  if (said.status !== 201) throw new Error(`message ${i}: HTTP ${said.status}`);
}

const browser = await launchBrowser();
const signIn = [];
const reload = [];
try {
  for (let load = 0; load <= loads; load++) {
    const agent = agents[load % agents.length];
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${server.url}agent/`);
    await page.locator('[data-testid="agent-email"]').fill(agent.email);
    await page.locator('[data-testid="agent-password"]').fill(agent.password);
    const rows = (n) => page.waitForFunction((n) => document.querySelectorAll('[data-testid="agent-conversation"][data-state="open"]').length >= n, n, { timeout: 60_000, polling: "raf" });
    const t0 = Date.now();
    await page.locator('[data-testid="agent-signin"]').click();
    await rows(conversations);
    const signedIn = Date.now() - t0;
    await page.reload();
    await rows(conversations);
    const back = await page.evaluate(() => performance.now());
    if (problems.length) throw new Error(`console: ${problems.join("; ")}`);
    await context.close();
    // The first load warms the server's caches and the browser's code cache: not recorded.
    if (load > 0) {
      signIn.push(signedIn);
      reload.push(back);
    }
    process.stderr.write(`load ${load}: sign-in → list ${signedIn} ms, reload → list ${back.toFixed(0)} ms\n`);
  }
} finally {
  await browser.close();
  server.stop();
  rmSync(site, { recursive: true, force: true });
}

const row = (label, values) => {
  const s = summarize(values);
  return `| ${label} | ${conversations} | ${agentCount} | ${s.n} | ${formatMs(s.p50)} | ${formatMs(s.p95)} | ${formatMs(s.max)} |`;
};
console.log("| agent page | open conversations | agents | loads | p50 ms | p95 ms | max ms |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
console.log(row("sign-in → every row shown", signIn));
console.log(row("reload (signed in) → every row shown", reload));
console.log();
console.log(`- Release server on 127.0.0.1 (SQLite), ${conversations} open conversations each with a shopper message, routed over ${agentCount} agents; headless Chromium, fresh context per load, no throttling (agents work on desktops).`);
