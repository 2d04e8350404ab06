#!/usr/bin/env node
// What the widget weighs on a phone network: the demo store page in headless Chromium
// with Lighthouse's "Slow 4G" (150 ms RTT, 1.6 Mbps down, 750 kbps up) and 4x CPU
// slowdown, on a phone-sized touch screen. Prints a Markdown table:
//
// - widget bytes a visitor downloads in 10 s without touching the widget (transfer
//   sizes as the network delivered them: headers + compressed bodies);
// - how long after the page's load event the launcher is on the page (it waits for
//   the page to load and paint first);
// - a tap on the launcher 300 ms after the load event → search usable
//   (`data-engine="ready"`), timed in the page from the tap's first pointer event;
// - both on a cold cache (first visit) and a warm one (second visit, same profile).
//
// Median of --runs (after one warm-up of the server), release shopdesk-server serving
// the assembled demo site (dist/) with its precompressed files.
//
//   node tests/bench/weight.mjs [--runs 5]
import { parseArgs } from "node:util";
import { cpSync, rmSync } from "node:fs";
import path from "node:path";
import { launchBrowser, copySite, ROOT } from "../e2e/harness.mjs";
import { buildReleaseBinaries, startServer } from "./site.mjs";

const { values: opts } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const RUNS = Number(opts.runs);

/** Lighthouse's mobile "Slow 4G" (its `mobileSlow4G` constants), applied with CDP. */
export const SLOW_4G = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1024 * 1024) / 8,
  uploadThroughput: (750 * 1024) / 8,
};
export const CPU_SLOWDOWN = 4;

/** A widget file: the loader, the modules and their snippets, the FAQ index. */
const isWidget = (url) => /\/(shopdesk[^/]*\.(js|wasm)|snippets\/.*|faq\/.*)$/.test(new URL(url).pathname);

/** A phone-sized touch page in `context` with throttling on, counting transfer sizes. */
async function throttledPage(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", SLOW_4G);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
  const urls = new Map();
  const transfers = [];
  cdp.on("Network.responseReceived", (e) => urls.set(e.requestId, e.response.url));
  cdp.on("Network.loadingFinished", (e) => {
    const url = urls.get(e.requestId);
    if (url) transfers.push({ url, bytes: e.encodedDataLength });
  });
  return { page, transfers };
}

const widgetBytes = (transfers) =>
  transfers.filter((t) => isWidget(t.url)).reduce((n, t) => n + t.bytes, 0);

/** Loads the page and waits 10 s without touching anything. */
async function untouched(page, transfers, url) {
  await page.goto(url, { waitUntil: "load" });
  await page.waitForTimeout(10_000);
  // The launcher waits for the page's load and first paint (loader/shopdesk.js).
  const launcherMs = await page.evaluate(() => {
    const shown = performance.getEntriesByName("shopdesk:interactive")[0];
    const nav = performance.getEntriesByType("navigation")[0];
    return shown && nav ? shown.startTime - nav.loadEventEnd : NaN;
  });
  const files = transfers.filter((t) => isWidget(t.url)).map((t) => new URL(t.url).pathname);
  return { bytes: widgetBytes(transfers), files, launcherMs };
}

/** Loads the page, taps the launcher 300 ms after `load`, and returns ms from the tap
 * to a usable search, with the widget bytes fetched by then. */
async function tapToReady(page, transfers, url) {
  await page.goto(url, { waitUntil: "load" });
  await page.evaluate(() => {
    window.__sdTap = null;
    // The tap's first event, at capture on the document (retargeted from the shadow
    // root to the host element).
    for (const type of ["pointerdown", "touchstart"]) {
      document.addEventListener(type, (e) => (window.__sdTap ??= e.timeStamp), { capture: true });
    }
  });
  await page.waitForTimeout(300);
  await page.tap("shopdesk-widget >> [data-testid=sd-launcher]");
  const ms = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const root = document.querySelector("shopdesk-widget").shadowRoot;
        const panel = () => root.querySelector('[data-testid="sd-panel"]');
        const check = () => {
          const state = panel()?.getAttribute("data-engine");
          if (state === "ready") resolve(performance.now() - window.__sdTap);
          else if (state === "failed") reject(new Error("the engine failed to load"));
          else return false;
          return true;
        };
        if (check()) return;
        const observer = new MutationObserver(() => check() && observer.disconnect());
        observer.observe(root, { subtree: true, attributes: true, attributeFilter: ["data-engine"] });
        setTimeout(() => reject(new Error("search not ready after 60 s")), 60_000);
      }),
  );
  return { ms, bytes: widgetBytes(transfers) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One visit after another in one browser profile: cold, then warm. */
async function visits(browser, url, measure) {
  const context = await browser.newContext({
    viewport: { width: 412, height: 823 },
    deviceScaleFactor: 1.75,
    isMobile: true,
    hasTouch: true,
  });
  try {
    const out = [];
    for (let visit = 0; visit < 2; visit++) {
      const { page, transfers } = await throttledPage(context);
      out.push(await measure(page, transfers, url));
      await page.close();
    }
    return out;
  } finally {
    await context.close();
  }
}

async function main() {
  buildReleaseBinaries();
  const site = copySite((out) => cpSync(path.join(ROOT, "dist/faq"), out, { recursive: true }));
  const server = await startServer(site);
  const browser = await launchBrowser();
  const rows = { untouched: [[], []], launcher: [[], []], tap: [[], []] };
  let files = [];
  try {
    // One unmeasured visit warms the server and the OS caches.
    await visits(browser, server.url, tapToReady);
    for (let i = 0; i < RUNS; i++) {
      const u = await visits(browser, server.url, untouched);
      const t = await visits(browser, server.url, tapToReady);
      for (const v of [0, 1]) {
        rows.untouched[v].push(u[v].bytes);
        rows.launcher[v].push(u[v].launcherMs);
        rows.tap[v].push(t[v]);
      }
      files = u[0].files;
      process.stderr.write(`run ${i + 1}/${RUNS}: ${(u[0].bytes / 1024).toFixed(1)} KB untouched, tap → ready ${t[0].ms.toFixed(0)} ms cold / ${t[1].ms.toFixed(0)} ms warm\n`);
    }
  } finally {
    await browser.close();
    server.stop();
    rmSync(site, { recursive: true, force: true });
  }
  const kb = (n) => (n / 1024).toFixed(1);
  console.log("| Slow 4G, 4x CPU, phone | cold cache (first visit) | warm cache (second visit) | target |");
  console.log("|---|---:|---:|---|");
  console.log(`| widget KB downloaded in 10 s without touching the widget | ${kb(median(rows.untouched[0]))} | ${kb(median(rows.untouched[1]))} | ≤ 40 |`);
  console.log(`| page's load event → launcher on the page, ms | ${median(rows.launcher[0]).toFixed(0)} | ${median(rows.launcher[1]).toFixed(0)} | |`);
  console.log(`| tap on the launcher 300 ms after load → search ready, ms | ${median(rows.tap[0].map((r) => r.ms)).toFixed(0)} | ${median(rows.tap[1].map((r) => r.ms)).toFixed(0)} | ≤ 2,500 (stretch ≤ 1,500) |`);
  console.log(`| widget KB downloaded by then (page load + search) | ${kb(median(rows.tap[0].map((r) => r.bytes)))} | ${kb(median(rows.tap[1].map((r) => r.bytes)))} | |`);
  console.log(`\n- Median of ${RUNS} runs; headless Chromium, CDP \`Network.emulateNetworkConditions\` (150 ms RTT, 1.6 Mbps down, 750 kbps up) and \`Emulation.setCPUThrottlingRate\` ${CPU_SLOWDOWN}, 412x823 touch screen, release shopdesk-server on 127.0.0.1 serving dist/ (precompressed files).`);
  console.log(`- Files fetched without touching the widget (cold): ${files.map((f) => "`" + f + "`").join(", ") || "none"}.`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
