#!/usr/bin/env node
// What the widget costs the store page: the demo product page loaded with and without
// its script tag, in headless Chromium, cold cache each time. Prints a Markdown table:
// bytes transferred by page load (before any interaction, until the network is idle),
// main-thread long tasks (> 50 ms) and cumulative layout shift, median over --loads.
// The search module and the index, fetched once the shopper hovers the launcher, are
// reported on their own row.
//
//   node tests/bench/host.mjs [--loads 5]
import { parseArgs } from "node:util";
import path from "node:path";
import { launchBrowser, copySite } from "../e2e/harness.mjs";
import { buildReleaseBinaries, startServer } from "./site.mjs";
import { cpSync, rmSync } from "node:fs";
import { ROOT } from "../e2e/harness.mjs";

const { values: opts } = parseArgs({ options: { loads: { type: "string", default: "5" } } });
const LOADS = Number(opts.loads);

function observe() {
  const w = { shifts: 0, longTasks: [] };
  window.hostBench = w;
  new PerformanceObserver((l) => l.getEntries().forEach((e) => { if (!e.hadRecentInput) w.shifts += e.value; })).observe({ type: "layout-shift", buffered: true });
  new PerformanceObserver((l) => l.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: "longtask", buffered: true });
}

async function load(browser, url, { widget, intent }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(observe);
  const bytes = { page: 0, widget: 0 };
  const seen = [];
  page.on("requestfinished", async (request) => {
    const sizes = await request.sizes().catch(() => null);
    if (!sizes) return;
    const n = sizes.responseBodySize + sizes.responseHeadersSize;
    const name = new URL(request.url()).pathname;
    seen.push(name);
    if (/shopdesk-widget|\/faq\//.test(name)) bytes.widget += n;
    else bytes.page += n;
  });
  if (!widget) {
    await page.route("**/", async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace(/<script src="\/shopdesk\.js"[^>]*><\/script>/, "");
      await route.fulfill({ response, body: html });
    });
  }
  await page.goto(url, { waitUntil: "networkidle" });
  if (widget && intent) {
    await page.hover('shopdesk-widget >> [data-testid="sd-launcher"]');
    await page.waitForSelector('shopdesk-widget >> [data-testid="sd-panel"][data-engine="ready"]', { state: "attached", timeout: 30_000 });
  }
  await page.waitForTimeout(300);
  const w = await page.evaluate(() => window.hostBench);
  await context.close();
  return { bytes, shifts: w.shifts, longTasks: w.longTasks.filter((d) => d > 50).length, longest: Math.max(0, ...w.longTasks) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  buildReleaseBinaries();
  const site = copySite((out) => cpSync(path.join(ROOT, "dist/faq"), out, { recursive: true }));
  const server = await startServer(site);
  const browser = await launchBrowser();
  const rows = [];
  try {
    for (const [label, options] of [
      ["without the widget", { widget: false, intent: false }],
      ["with the widget, before any interaction", { widget: true, intent: false }],
      ["with the widget, after the pointer went over the launcher", { widget: true, intent: true }],
    ]) {
      const runs = [];
      for (let i = 0; i <= LOADS; i++) {
        const r = await load(browser, server.url, options);
        if (i > 0) runs.push(r); // the first load warms the server and the OS caches
      }
      rows.push({
        label,
        page: median(runs.map((r) => r.bytes.page)),
        widget: median(runs.map((r) => r.bytes.widget)),
        longTasks: Math.max(...runs.map((r) => r.longTasks)),
        longest: median(runs.map((r) => r.longest)),
        cls: Math.max(...runs.map((r) => r.shifts)),
      });
    }
  } finally {
    await browser.close();
    server.stop();
    rmSync(site, { recursive: true, force: true });
  }
  const kb = (n) => (n / 1024).toFixed(1);
  console.log("| demo product page | transferred, page + launcher KB | search module + index KB | long tasks > 50 ms (max of runs) | longest task ms (median) | CLS (max of runs) |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const r of rows) console.log(`| ${r.label} | ${kb(r.page)} | ${kb(r.widget)} | ${r.longTasks} | ${r.longest.toFixed(0)} | ${r.cls.toFixed(3)} |`);
  console.log(`\n- ${LOADS} cold loads each (after one warm-up), headless Chromium, 127.0.0.1, release shopdesk-server (precompressed files); bytes are response bodies + headers as transferred.`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
