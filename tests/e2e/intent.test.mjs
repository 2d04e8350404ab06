// Nothing heavy without intent: a visitor who never touches the widget downloads the
// loader and the launcher only; the search module and the index load on a sign of
// intent (hover, focus, a finger on the launcher, opening it), or when the page has work
// for them; `saveData` shoppers get them only when they open the panel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, holdRequests } from "./harness.mjs";

const demo = demoSite();
const PANEL_READY = 'shopdesk-widget >> [data-testid="sd-panel"][data-engine="ready"]';
const LAUNCHER = 'shopdesk-widget >> [data-testid="sd-launcher"]';

/** A page that records which widget files it requests. */
async function watched(contextOptions = {}, init = null) {
  const context = await demo.browser.newContext(contextOptions);
  const page = await context.newPage();
  const problems = watchConsole(page);
  if (init) await page.addInitScript(init);
  const requested = [];
  page.on("request", (r) => requested.push(new URL(r.url()).pathname));
  const heavy = () => requested.filter((p) => /shopdesk-widget|shopdesk-chat|\/faq\//.test(p));
  return { context, page, problems, requested, heavy };
}

test("a visitor who does not interact downloads only the loader and the launcher", async () => {
  const { context, page, problems, requested, heavy } = await watched();
  await page.goto(demo.server.url);
  await page.waitForSelector(LAUNCHER);
  // Longer than the old idle preload's 4 s timeout.
  await page.waitForTimeout(6000);
  const ours = requested.filter((p) => /shopdesk|snippets|\/faq\//.test(p));
  assert.deepEqual(heavy(), [], "a widget module or the index was fetched without intent");
  assert.ok(ours.includes("/shopdesk.js") && ours.includes("/shopdesk-launcher_bg.wasm"), ours.join("\n"));
  assert.equal(await page.locator('shopdesk-widget >> [data-testid="sd-panel"]').getAttribute("data-engine"), "idle");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the launcher downloads only after the store page has loaded, or 3 s after a slow image held it up", async () => {
  const { context, page, problems, requested } = await watched();
  const release = await holdRequests(page, "**/img/jacket-front.svg");
  const launcherFetched = () => requested.some((p) => p.startsWith("/shopdesk-launcher"));
  const started = Date.now();
  await page.goto(demo.server.url, { waitUntil: "domcontentloaded" });
  await page.waitForTimeout(1000);
  assert.ok(requested.includes("/shopdesk.js"), "the loader runs at once");
  assert.ok(!launcherFetched(), "the launcher was fetched while the page was still loading");
  // The image never arrives in time: the launcher comes anyway, after about 3 s.
  await page.waitForSelector(LAUNCHER, { timeout: 10_000 });
  const waited = Date.now() - started;
  assert.ok(waited >= 2500, `the launcher came after ${waited} ms, before the 3 s limit`);
  release();
  assert.deepEqual(problems, []);
  await context.close();

  // Once the page has loaded, the launcher follows without that wait.
  const other = await watched();
  const hold = await holdRequests(other.page, "**/img/jacket-front.svg");
  await other.page.goto(demo.server.url, { waitUntil: "domcontentloaded" });
  await other.page.waitForTimeout(500);
  assert.ok(!other.requested.some((p) => p.startsWith("/shopdesk-launcher")));
  const released = Date.now();
  hold();
  await other.page.waitForSelector(LAUNCHER);
  assert.ok(Date.now() - released < 2500, "the launcher waited for its time limit although the page had loaded");
  assert.deepEqual(other.problems, []);
  await other.context.close();
});

for (const [sign, act] of [
  ["the pointer over the launcher", (page) => page.hover(LAUNCHER)],
  ["keyboard focus on the launcher", (page) => page.focus(LAUNCHER)],
]) {
  test(`${sign} loads search before the panel opens`, async () => {
    const { context, page, problems, heavy } = await watched();
    await page.goto(demo.server.url);
    await page.waitForSelector(LAUNCHER);
    await page.waitForTimeout(300);
    assert.deepEqual(heavy(), []);
    await act(page);
    await page.waitForSelector(PANEL_READY, { state: "attached" });
    assert.ok(await page.locator('shopdesk-widget >> [data-testid="sd-panel"]').getAttribute("hidden") !== null, "the panel opened by itself");
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test("a finger on the launcher of a phone loads search and opens the panel", async () => {
  const { context, page, problems, heavy } = await watched({ hasTouch: true, isMobile: true, viewport: { width: 390, height: 844 } });
  await page.goto(demo.server.url);
  await page.waitForSelector(LAUNCHER);
  await page.waitForTimeout(300);
  assert.deepEqual(heavy(), []);
  await page.tap(LAUNCHER);
  await page.waitForSelector(PANEL_READY);
  await page.keyboard.type("refund");
  await page.locator('shopdesk-widget >> [data-testid="sd-result"]').first().waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test("with saveData, hovering and focusing fetch nothing; opening the panel does", async () => {
  const saveData = () => {
    Object.defineProperty(Navigator.prototype, "connection", {
      configurable: true,
      get: () => ({ saveData: true, effectiveType: "3g" }),
    });
  };
  const { context, page, problems, heavy } = await watched({}, saveData);
  await page.goto(demo.server.url);
  await page.waitForSelector(LAUNCHER);
  await page.hover(LAUNCHER);
  await page.focus(LAUNCHER);
  await page.waitForTimeout(1500);
  assert.deepEqual(heavy(), [], "saveData: a module was fetched on hover or focus");
  await page.click(LAUNCHER);
  await page.waitForSelector(PANEL_READY);
  assert.ok(heavy().length >= 3, heavy().join("\n"));
  assert.deepEqual(problems, []);
  await context.close();
});

test("an API call that needs the panel loads search", async () => {
  const { context, page, problems, heavy } = await watched();
  await page.goto(demo.server.url);
  await page.waitForSelector(LAUNCHER);
  await page.evaluate(() => window.shopdesk.search("paypal"));
  const first = page.locator('shopdesk-widget >> [data-testid="sd-result"]').first();
  await first.waitFor();
  assert.equal(await first.getAttribute("data-id"), "payment-methods");
  assert.ok(heavy().length > 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the index downloads beside the search module, not after it", async () => {
  const { context, page, problems, requested } = await watched();
  // Hold the search module's .wasm until the index has been asked for: only a prefetch
  // can ask for it meanwhile (the module itself fetches it once it runs).
  let release;
  const held = new Promise((r) => (release = r));
  await page.route("**/shopdesk-widget_bg.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(demo.server.url);
  await page.waitForSelector(LAUNCHER);
  await page.hover(LAUNCHER);
  await page.waitForRequest((r) => /\/faq\/faq-[a-z]+-[0-9a-f]+\.bin$/.test(r.url()), { timeout: 10000 });
  release();
  await page.click(LAUNCHER);
  await page.waitForSelector(PANEL_READY);
  await page.locator('shopdesk-widget >> [data-testid="sd-input"]').fill("paypal");
  const first = page.locator('shopdesk-widget >> [data-testid="sd-result"]').first();
  assert.equal(await first.getAttribute("data-id"), "payment-methods");
  // Once each: the engine used what the loader fetched.
  assert.equal(requested.filter((p) => p.endsWith("/faq-manifest.json")).length, 1, requested.join("\n"));
  assert.equal(requested.filter((p) => p.endsWith(".bin")).length, 1, requested.join("\n"));
  assert.deepEqual(problems, []);
  await context.close();
});

test("a failed early index download is tried again by the engine", async () => {
  const { context, page, problems, requested } = await watched();
  let manifests = 0;
  await page.route("**/faq/faq-manifest.json", (route) => (++manifests === 1 ? route.abort() : route.continue()));
  await page.goto(demo.server.url);
  await page.waitForSelector(LAUNCHER);
  await page.click(LAUNCHER);
  await page.waitForSelector(PANEL_READY);
  await page.locator('shopdesk-widget >> [data-testid="sd-input"]').fill("paypal");
  const first = page.locator('shopdesk-widget >> [data-testid="sd-result"]').first();
  assert.equal(await first.getAttribute("data-id"), "payment-methods");
  assert.equal(manifests, 2, requested.join("\n"));
  // The aborted request is the browser's console line, not the widget's.
  assert.deepEqual(problems.filter((p) => p.includes("[shopdesk]")), []);
  await context.close();
});

test("identify and setContext on every page fetch nothing; the modules get them once they load", async () => {
  const { context, page, problems, heavy, requested } = await watched({}, () => {
    window.shopdeskSettings = { feedbackEndpoint: "/v1/feedback", surveys: [{ kind: "csat", id: "asked" }] };
    window.shopdesk = [["identify", { id: "c-7", email: "c7@example.com" }], ["setContext", { cart: 2 }]];
  });
  const posted = [];
  await page.route("**/v1/feedback", async (route) => {
    posted.push(route.request().postDataJSON());
    await route.fulfill({ status: 202, body: "" });
  });
  await page.goto(demo.server.url);
  await page.waitForSelector(LAUNCHER);
  await page.waitForTimeout(1500);
  assert.deepEqual(heavy(), [], "identify fetched the search module");
  assert.deepEqual(requested.filter((p) => p.includes("shopdesk-surveys")), []);
  // A survey asked for by the merchant: its module loads and its answer says who.
  await page.evaluate(() => window.shopdesk.showSurvey("asked"));
  const card = page.locator('shopdesk-widget >> [data-testid="sd-survey"]');
  await card.waitFor();
  await card.locator('[data-testid="sd-score"][data-score="4"]').click();
  for (let i = 0; i < 100 && posted.length === 0; i++) await page.waitForTimeout(20);
  assert.equal(posted.length, 1);
  assert.deepEqual(posted[0].context, { customer: { id: "c-7", email: "c7@example.com" }, merchant: { cart: 2 } });
  assert.deepEqual(heavy(), [], "a survey fetched the search module");
  assert.deepEqual(problems, []);
  await context.close();
});
