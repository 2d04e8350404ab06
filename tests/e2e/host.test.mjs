// The widget never hurts the store page: no layout shift, no main-thread task over 50 ms
// of its making while the page loads (attributed with long-animation-frame script
// timing), none over 100 ms when the shopper opens it (the search module's start),
// no globals but `shopdesk`, no DOM changes outside its own element.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, openWidget } from "./harness.mjs";

const demo = demoSite();

/** Runs in the page before its scripts: records what the page looked like and every
 * change made to it afterwards. Its own bookkeeping lives in `window.hostWatch`. */
function watchHost() {
  const watch = { globals: Object.getOwnPropertyNames(window), mutations: [], shifts: 0, longTasks: [], ours: [] };
  window.hostWatch = watch;
  // Long animation frames say which scripts ran in them: the store page's own first
  // layout can be a long task on a cold 2-core machine, with or without the widget.
  new PerformanceObserver((list) => {
    for (const frame of list.getEntries()) {
      if (frame.duration <= 50) continue;
      const ours = frame.scripts.filter((s) => /\/shopdesk[-.]/.test(s.sourceURL)).reduce((t, s) => t + s.duration, 0);
      watch.ours.push(Math.round(ours));
    }
  }).observe({ type: "long-animation-frame", buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) watch.shifts += e.value;
  }).observe({ type: "layout-shift", buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) watch.longTasks.push(Math.round(e.duration));
  }).observe({ type: "longtask", buffered: true });
  document.addEventListener("DOMContentLoaded", () => {
    const host = () => document.querySelector("shopdesk-widget");
    new MutationObserver((records) => {
      for (const r of records) {
        const inside = host() && (r.target === host() || host().contains(r.target));
        const addsHost = r.type === "childList" && [...r.addedNodes].every((n) => n === host());
        if (!inside && !addsHost) watch.mutations.push(`${r.type} on ${r.target.nodeName}`);
      }
    }).observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

test("no layout shift, no long tasks, no new globals and no DOM changes outside the widget", async () => {
  const context = await demo.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.addInitScript(watchHost);
  await page.goto(demo.server.url);
  await page.waitForSelector('shopdesk-widget >> [data-testid="sd-launcher"]');
  await page.waitForTimeout(500);
  const atLoad = await page.evaluate(() => window.hostWatch.ours.slice());
  await openWidget(page);
  await page.keyboard.type("retrun polcy");
  await page.locator('shopdesk-widget >> [data-testid="sd-result"]').first().waitFor();
  await page.keyboard.press("Enter");
  await page.locator('shopdesk-widget >> [data-testid="sd-article"]').waitFor();
  await page.keyboard.press("Escape");
  const watch = await page.evaluate(() => {
    const w = window.hostWatch;
    const before = new Set(w.globals);
    const added = Object.getOwnPropertyNames(window).filter((n) => !before.has(n) && n !== "hostWatch");
    return { added, mutations: w.mutations, shifts: w.shifts, longTasks: w.longTasks, ours: w.ours };
  });
  assert.deepEqual(watch.added, ["shopdesk"]);
  assert.deepEqual(watch.mutations, []);
  assert.equal(watch.shifts, 0);
  // No task over 50 ms is the widget's doing while the page loads: its scripts' share of
  // every long frame. Opening it starts the search module (instantiating ~1.6 MB of
  // WebAssembly, mounting the panel), which on this 2-core machine takes 10–50 ms of one
  // frame: bounded at 100 ms, so a regression there still fails.
  const detail = `long tasks: ${watch.longTasks}; widget script time in long frames: ${watch.ours} (at load: ${atLoad})`;
  assert.deepEqual(atLoad.filter((ms) => ms > 50), [], detail);
  assert.deepEqual(watch.ours.filter((ms) => ms > 100), [], detail);
  assert.deepEqual(problems, []);
  await context.close();
});
