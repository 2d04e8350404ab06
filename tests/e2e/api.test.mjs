// The merchant's side of the widget, end to end on the real demo page: the
// window.shopdesk API (queue, commands, events), settings, languages, suggested
// articles and article feedback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, openWidget } from "./harness.mjs";

const demo = demoSite();

/** A fresh page; `setup` runs in the page before any of its scripts (the merchant's
 * own code above the snippet). */
async function newPage(setup, arg) {
  const context = await demo.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  if (setup) await page.addInitScript(setup, arg);
  return { context, page, problems };
}

const shadow = (page, selector) => page.locator(`shopdesk-widget >> ${selector}`);

test("calls made before the script loads are replayed in order, and events fire", async () => {
  const { context, page, problems } = await newPage(() => {
    window.events = [];
    window.shopdesk = window.shopdesk || [];
    window.shopdesk.push(["on", "ready", () => window.events.push("ready")]);
    window.shopdesk.push(["on", "open", () => window.events.push("open")]);
    window.shopdesk.push(["on", "search", (d) => window.events.push(`search:${d.query}:${d.results > 0}`)]);
    window.shopdesk.push(["search", "retrun polcy"]);
  });
  await page.goto(demo.server.url);
  const first = shadow(page, '[data-testid="sd-result"]').first();
  await first.waitFor();
  assert.equal(await first.getAttribute("data-id"), "return-policy");
  assert.equal(await shadow(page, '[data-testid="sd-input"]').inputValue(), "retrun polcy");
  await page.waitForFunction(() => window.events.some((e) => e.startsWith("search:")));
  assert.deepEqual(await page.evaluate(() => window.events), ["ready", "open", "search:retrun polcy:true"]);
  assert.equal(typeof (await page.evaluate(() => window.shopdesk.version)), "string");
  assert.deepEqual(problems, []);
  await context.close();
});

test("openArticle opens the answer and fires article:view; close and toggle work", async () => {
  const { context, page, problems } = await newPage();
  await page.goto(demo.server.url);
  await page.waitForFunction(() => window.shopdesk && typeof window.shopdesk.openArticle === "function");
  await page.evaluate(() => {
    window.viewed = [];
    window.shopdesk.on("article:view", (d) => window.viewed.push(d.id));
    window.shopdesk.openArticle("shipping-costs");
  });
  await shadow(page, '[data-testid="sd-article"][data-id="shipping-costs"]').waitFor();
  assert.deepEqual(await page.evaluate(() => window.viewed), ["shipping-costs"]);
  await page.evaluate(() => window.shopdesk.close());
  await shadow(page, '[data-testid="sd-panel"]').waitFor({ state: "hidden" });
  await page.evaluate(() => window.shopdesk.toggle());
  await shadow(page, '[data-testid="sd-panel"]').waitFor({ state: "visible" });
  assert.deepEqual(problems, []);
  await context.close();
});

test("before typing, the panel suggests the articles of the page, else popular ones", async () => {
  const { context, page, problems } = await newPage();
  await page.goto(new URL("checkout/", demo.server.url).href);
  await openWidget(page);
  await shadow(page, '[data-testid="sd-suggested"]').waitFor();
  assert.equal(await shadow(page, '[data-testid="sd-suggested"]').textContent(), "Suggested for this page");
  const ids = await shadow(page, '[data-testid="sd-result"]').evaluateAll((rows) => rows.map((r) => r.dataset.id));
  assert.deepEqual(ids, ["shipping-costs"]);
  // Typing replaces the suggestions with results; clearing brings them back.
  await page.keyboard.type("refund");
  await shadow(page, '[data-testid="sd-suggested"]').waitFor({ state: "detached" });
  await shadow(page, '[data-testid="sd-input"]').fill("");
  await shadow(page, '[data-testid="sd-suggested"]').waitFor();

  await page.goto(demo.server.url);
  await openWidget(page);
  await shadow(page, '[data-testid="sd-suggested"]').waitFor();
  assert.equal(await shadow(page, '[data-testid="sd-suggested"]').textContent(), "Popular articles");
  assert.ok((await shadow(page, '[data-testid="sd-result"]').count()) >= 3);
  assert.deepEqual(problems, []);
  await context.close();
});

test("'Was this helpful? No' with a comment posts one article feedback event", async () => {
  const { context, page, problems } = await newPage(() => {
    window.shopdeskSettings = { feedbackEndpoint: "/v1/feedback" };
    window.shopdesk = [["identify", { id: "c-42" }], ["setContext", { orderId: "1042" }]];
  });
  const received = [];
  await page.route("**/v1/feedback", async (route) => {
    received.push({ method: route.request().method(), type: route.request().headers()["content-type"], body: route.request().postDataJSON() });
    await route.fulfill({ status: 202, body: "" });
  });
  await page.goto(demo.server.url);
  await openWidget(page);
  await page.keyboard.type("return policy");
  await page.keyboard.press("Enter");
  await shadow(page, '[data-testid="sd-article"]').waitFor();
  await shadow(page, '[data-testid="sd-helpful-no"]').click();
  await shadow(page, '[data-testid="sd-comment"]').fill("It does not say who pays for the label");
  await shadow(page, '[data-testid="sd-helpful-send"]').click();
  await shadow(page, '[data-testid="sd-thanks"]').waitFor();
  for (let i = 0; i < 50 && received.length === 0; i++) await page.waitForTimeout(20);
  assert.equal(received.length, 1);
  const { method, type, body } = received[0];
  assert.equal(method, "POST");
  assert.equal(type, "application/json");
  assert.equal(body.kind, "article");
  assert.equal(body.score, 0);
  assert.equal(body.article_id, "return-policy");
  assert.equal(body.comment, "It does not say who pays for the label");
  assert.equal(body.locale, "en");
  assert.match(body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(!Number.isNaN(Date.parse(body.created_at)));
  assert.equal(body.page_url, demo.server.url);
  assert.deepEqual(body.context, { customer: { id: "c-42" }, merchant: { orderId: "1042" } });
  assert.match(body.visitor_id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("bad settings give one warning per key and the widget still works", async () => {
  const { context, page, problems } = await newPage(() => {
    window.shopdeskSettings = { postion: "left", zIndex: "very high", locale: "en" };
  });
  await page.goto(demo.server.url);
  await openWidget(page);
  await page.keyboard.type("shiping");
  await shadow(page, '[data-testid="sd-result"]').first().waitFor();
  assert.equal(problems.length, 2, problems.join("\n"));
  assert.ok(problems.some((p) => p.includes("unknown setting `postion` in shopdeskSettings; did you mean `position`?")), problems.join("\n"));
  assert.ok(problems.some((p) => p.includes("`zIndex` must be a whole number from 0 to 2147483647; got \"very high\"")), problems.join("\n"));
  await context.close();
});

test("the shopper's language: German text with a note that the articles are in English", async () => {
  const { context, page, problems } = await newPage(() => {
    window.shopdeskSettings = { locale: "de-AT" };
  });
  await page.goto(demo.server.url);
  await openWidget(page);
  assert.equal(await shadow(page, ".sd-heading").textContent(), "Wie können wir helfen?");
  assert.equal(await shadow(page, ".sd-launcher-label").textContent(), "Hilfe");
  assert.equal(await shadow(page, '[data-testid="sd-input"]').getAttribute("placeholder"), "Hilfeartikel durchsuchen");
  assert.equal(await shadow(page, '[data-testid="sd-fallback"]').textContent(), "Diese Artikel sind auf Englisch.");
  await page.keyboard.type("refund");
  await shadow(page, '[data-testid="sd-result"]').first().waitFor();
  assert.match(await shadow(page, '[data-testid="sd-status"]').textContent(), /^\d+ Antwort(en)?$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("Arabic is laid out right to left", async () => {
  const { context, page, problems } = await newPage(() => {
    window.shopdeskSettings = { locale: "ar" };
  });
  await page.goto(demo.server.url);
  await openWidget(page);
  const root = shadow(page, ".sd-root");
  assert.equal(await root.getAttribute("dir"), "rtl");
  assert.equal(await shadow(page, ".sd-heading").textContent(), "كيف يمكننا مساعدتك؟");
  const direction = await shadow(page, '[data-testid="sd-input"]').evaluate((e) => getComputedStyle(e).direction);
  assert.equal(direction, "rtl");
  // The close button sits on the left of the header in a right-to-left panel.
  const header = await shadow(page, ".sd-header").boundingBox();
  const close = await shadow(page, ".sd-close").boundingBox();
  assert.ok(close.x < header.x + header.width / 2, `close at ${close.x}, header ${header.x}+${header.width}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("focus stays inside the open panel and returns to the launcher on close", async () => {
  const { context, page, problems } = await newPage();
  await page.goto(demo.server.url);
  await openWidget(page);
  const inPanel = () =>
    page.evaluate(() => {
      const root = document.querySelector("shopdesk-widget").shadowRoot;
      return document.activeElement?.tagName === "SHOPDESK-WIDGET" && root.querySelector(".sd-panel").contains(root.activeElement);
    });
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press(i % 2 ? "Shift+Tab" : "Tab");
    assert.ok(await inPanel(), `focus left the panel after ${i + 1} presses`);
  }
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  assert.ok(await inPanel());
  await page.keyboard.press("Escape");
  assert.equal(await page.evaluate(() => document.querySelector("shopdesk-widget").shadowRoot.activeElement?.dataset.testid), "sd-launcher");
  assert.deepEqual(problems, []);
  await context.close();
});

test("shutdown removes the widget and its storage; later calls only warn", async () => {
  const { context, page, problems } = await newPage();
  await page.goto(demo.server.url);
  await openWidget(page);
  await page.evaluate(() => {
    localStorage.setItem("shopdesk:visitor", "x");
    localStorage.setItem("store:cart", "kept");
    window.shopdesk.shutdown();
  });
  assert.equal(await page.locator("shopdesk-widget").count(), 0);
  assert.equal(await page.evaluate(() => localStorage.getItem("shopdesk:visitor")), null);
  assert.equal(await page.evaluate(() => localStorage.getItem("store:cart")), "kept");
  await page.evaluate(() => window.shopdesk.open());
  assert.equal(await page.locator("shopdesk-widget").count(), 0);
  assert.deepEqual(problems, ["warning: [shopdesk] shopdesk.open() was called after shutdown(); it does nothing."]);
  await context.close();
});

test("an index that arrives after shutdown is dropped: no late work, no errors", async () => {
  const { context, page, problems } = await newPage();
  let release;
  const held = new Promise((resolve) => (release = resolve));
  let asked = 0;
  await page.route("**/faq/faq-*.bin", async (route) => {
    asked += 1;
    await held;
    await route.continue();
  });
  await page.goto(demo.server.url);
  await page.click('[data-testid="sd-launcher"]');
  await page.waitForSelector('[data-testid="sd-panel"][data-engine="loading"]');
  await page.waitForFunction(() => performance.getEntriesByName("shopdesk:search-ready").length === 0);
  // The bundle is asked for once the manifest has arrived, which on a busy machine
  // can be after the panel already says "loading" (CI saw it).
  for (let i = 0; i < 100 && asked === 0; i++) await page.waitForTimeout(50);
  assert.ok(asked > 0, "the bundle was not requested");
  await page.evaluate(() => window.shopdesk.shutdown());
  release();
  // Long enough for the bundle to arrive, open and warm up, had it been kept.
  await page.waitForTimeout(1500);
  assert.equal(await page.evaluate(() => performance.getEntriesByName("shopdesk:search-ready").length), 0, "the engine opened for a panel that is gone");
  assert.equal(await page.locator("shopdesk-widget").count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a second copy of the script does nothing but warn", async () => {
  const { context, page, problems } = await newPage();
  await page.goto(demo.server.url);
  await page.waitForSelector("shopdesk-widget >> [data-testid=sd-launcher]");
  await page.evaluate(async () => {
    const again = document.createElement("script");
    again.src = "/shopdesk.js";
    document.body.append(again);
    await new Promise((r) => (again.onload = r));
  });
  await page.waitForTimeout(300);
  assert.equal(await page.locator("shopdesk-widget").count(), 1);
  assert.deepEqual(problems, ["warning: [shopdesk] shopdesk.js is included more than once on this page; the extra copy does nothing."]);
  await context.close();
});

test("on a single-page store, suggestions follow history.pushState", async () => {
  const { context, page, problems } = await newPage();
  await page.goto(demo.server.url);
  await openWidget(page);
  const heading = shadow(page, '[data-testid="sd-suggested"]');
  await heading.waitFor();
  assert.equal(await heading.textContent(), "Popular articles");
  await page.evaluate(() => history.pushState({}, "", "/checkout/"));
  await page.waitForFunction(
    () => document.querySelector("shopdesk-widget").shadowRoot.querySelector('[data-testid="sd-suggested"]')?.textContent === "Suggested for this page",
  );
  const ids = await shadow(page, '[data-testid="sd-result"]').evaluateAll((rows) => rows.map((r) => r.dataset.id));
  assert.deepEqual(ids, ["shipping-costs"]);
  await page.goBack();
  await page.waitForFunction(
    () => document.querySelector("shopdesk-widget").shadowRoot.querySelector('[data-testid="sd-suggested"]')?.textContent === "Popular articles",
  );
  assert.deepEqual(problems, []);
  await context.close();
});
