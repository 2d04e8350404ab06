// FAQ search in the widget, end to end: fixture FAQ built by the CLI, the real demo
// store page, the real widget, headless Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, openWidget, holdRequests } from "./harness.mjs";

const demo = demoSite();

async function newPage(options = {}) {
  const context = await demo.browser.newContext(options);
  const page = await context.newPage();
  const problems = watchConsole(page);
  return { context, page, problems };
}

test("a misspelled query finds the right article, whose answer is shown sanitized", async () => {
  const { context, page, problems } = await newPage();
  await page.goto(demo.server.url);
  const title = await page.title();
  await openWidget(page);
  await page.keyboard.type("retrun polcy");
  const first = page.locator('[data-testid="sd-result"]').first();
  await first.waitFor();
  assert.equal(await first.getAttribute("data-id"), "return-policy");
  assert.match(await page.locator('[data-testid="sd-status"]').textContent(), /answer/);
  // The snippet marks the words that matched.
  assert.ok((await first.locator(".sd-snippet b").count()) > 0, "snippet has highlighted words");

  await first.click();
  const article = page.locator('[data-testid="sd-article"]');
  await article.waitFor();
  assert.match(await article.textContent(), /within 30 days of delivery/);
  const html = await article.locator(".sd-answer").innerHTML();
  for (const bad of ["<script", "onerror", "javascript:"]) {
    assert.ok(!html.includes(bad), `answer HTML must not contain ${bad}: ${html}`);
  }
  // Nothing in the answer ran: the fixture's script and onerror would rename the page.
  assert.equal(await page.title(), title);
  assert.deepEqual(problems, []);
  await context.close();
});

test("keyboard: arrows and Enter open a result, Back keeps the query, Escape closes", async () => {
  const { context, page, problems } = await newPage();
  await page.goto(demo.server.url);
  await page.focus('[data-testid="sd-launcher"]');
  await page.keyboard.press("Enter");
  await page.waitForSelector('[data-testid="sd-panel"][data-engine="ready"]');
  // Focus moved into the search box.
  assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.dataset.testid), "sd-input");
  await page.keyboard.type("shipping");
  await page.locator('[data-testid="sd-result"]').first().waitFor();
  await page.keyboard.press("ArrowDown");
  const activeId = await page.locator('[data-testid="sd-input"]').getAttribute("aria-activedescendant");
  assert.equal(activeId, "sd-opt-0");
  const expected = await page.locator("#sd-opt-0").getAttribute("data-id");
  await page.keyboard.press("Enter");
  const article = page.locator('[data-testid="sd-article"]');
  await article.waitFor();
  assert.equal(await article.getAttribute("data-id"), expected);

  await page.click('[data-testid="sd-back"]');
  assert.equal(await page.locator('[data-testid="sd-input"]').inputValue(), "shipping");
  await page.locator('[data-testid="sd-result"]').first().waitFor();
  // Back puts the shopper in the search box again.
  await page.waitForFunction(() => document.activeElement?.shadowRoot?.activeElement?.dataset.testid === "sd-input");

  await page.keyboard.press("Escape");
  await page.locator('[data-testid="sd-panel"]').waitFor({ state: "hidden" });
  assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.dataset.testid), "sd-launcher");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a query with no answer says so plainly", async () => {
  const { context, page, problems } = await newPage();
  await page.goto(demo.server.url);
  await openWidget(page);
  await page.keyboard.type("xylophone");
  await page.waitForFunction(() =>
    document.querySelector("shopdesk-widget").shadowRoot.querySelector('[data-testid="sd-status"]').textContent.includes("No answers"),
  );
  assert.equal(await page.locator('[data-testid="sd-result"]').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("host CSS does not reach the widget and widget CSS does not reach the host", async () => {
  const probe = () => {
    const pick = (el) => {
      const s = getComputedStyle(el);
      return [s.fontFamily, s.fontSize, s.color, s.backgroundColor, s.textTransform, s.letterSpacing, s.borderRadius, s.margin, s.padding].join("|");
    };
    const host = {};
    for (const sel of ["body", "h1", "button", "input", "a", "p", "label", "ul", "table"]) {
      const el = document.querySelector(sel);
      if (el) host[sel] = pick(el);
    }
    return { host, children: [...document.body.children].map((c) => c.tagName.toLowerCase()) };
  };

  // The page without the widget: its script is blocked.
  const plain = await newPage();
  await plain.page.route("**/shopdesk.js", (route) => route.abort());
  await plain.page.goto(demo.server.url);
  const without = await plain.page.evaluate(probe);
  await plain.context.close();

  const { context, page, problems } = await newPage();
  await page.goto(demo.server.url);
  await openWidget(page);
  const withWidget = await page.evaluate(probe);
  assert.deepEqual(withWidget.host, without.host, "host element styles unchanged");
  assert.deepEqual(withWidget.children, [...without.children, "shopdesk-widget"], "only the host element is added");

  // The store styles every button uppercase on #111 with square corners; the widget's stay its own.
  const launcher = await page.locator('[data-testid="sd-launcher"]').evaluate((el) => {
    const s = getComputedStyle(el);
    return { transform: s.textTransform, spacing: s.letterSpacing, radius: s.borderRadius, font: s.fontFamily, bg: s.backgroundColor };
  });
  assert.equal(launcher.transform, "none");
  assert.equal(launcher.spacing, "normal");
  assert.equal(launcher.radius, "24px");
  assert.match(launcher.font, /system-ui/);
  assert.notEqual(launcher.bg, "rgb(17, 17, 17)");
  const input = await page.locator('[data-testid="sd-input"]').evaluate((el) => getComputedStyle(el).borderRadius);
  assert.equal(input, "10px");
  assert.deepEqual(problems, []);
  await context.close();
});

test("page load fetches only the small UI; the engine and index load on first interaction", async () => {
  const { context, page, problems } = await newPage();
  const requested = [];
  page.on("request", (r) => requested.push(new URL(r.url()).pathname));
  await page.goto(demo.server.url);
  await page.waitForSelector('shopdesk-widget >> [data-testid="sd-launcher"]');
  await page.waitForTimeout(500);
  assert.ok(requested.includes("/shopdesk-launcher_bg.wasm"), "launcher loaded");
  const heavy = requested.filter((p) => p.includes("shopdesk-widget") || p.startsWith("/faq/"));
  assert.deepEqual(heavy, [], "nothing heavy before interaction");

  await page.hover('[data-testid="sd-launcher"]');
  await page.waitForSelector('[data-testid="sd-panel"][data-engine="ready"]', { state: "attached" });
  assert.ok(requested.includes("/shopdesk-widget_bg.wasm"));
  assert.ok(requested.includes("/faq/faq-manifest.json"));
  assert.deepEqual(problems, []);
  await context.close();
});

test("typing before the engine is ready keeps the text, shows loading, then answers", async () => {
  const { context, page, problems } = await newPage();
  const release = await holdRequests(page, "**/faq/faq-en-*.bin");
  await page.goto(demo.server.url);
  await page.click('[data-testid="sd-launcher"]');
  await page.keyboard.type("paypal");
  const status = page.locator('[data-testid="sd-status"]');
  assert.match(await status.textContent(), /Loading/);
  assert.equal(await page.locator('[data-testid="sd-input"]').inputValue(), "paypal");
  release();
  const first = page.locator('[data-testid="sd-result"]').first();
  await first.waitFor();
  assert.equal(await first.getAttribute("data-id"), "payment-methods");
  assert.deepEqual(problems, []);
  await context.close();
});

test("an unreachable index is said plainly in the panel, once on the console, and the page is unaffected", async () => {
  const { context, page, problems } = await newPage();
  await page.route("**/faq/faq-manifest.json", (route) => route.fulfill({ status: 404, body: "not found" }));
  await page.goto(demo.server.url);
  await page.click('[data-testid="sd-launcher"]');
  await page.waitForSelector('[data-testid="sd-panel"][data-engine="failed"]');
  assert.match(await page.locator('[data-testid="sd-status"]').textContent(), /could not be loaded/);
  const ours = problems.filter((p) => p.includes("[shopdesk]"));
  assert.equal(ours.length, 1, problems.join("\n"));
  assert.match(ours[0], /faq-manifest\.json.*404/);
  const others = problems.filter((p) => !p.includes("[shopdesk]") && !p.includes("404"));
  assert.deepEqual(others, []);
  // The store still works: its own button is clickable and the page is intact.
  assert.equal(await page.locator("h1").count(), 1);
  assert.ok(await page.locator("button.add-to-cart").isEnabled());
  await context.close();
});

test("typing while the widget module is still downloading is kept across the hand-off", async () => {
  const { context, page, problems } = await newPage();
  const release = await holdRequests(page, "**/shopdesk-widget_bg.wasm");
  await page.goto(demo.server.url);
  await page.click('[data-testid="sd-launcher"]');
  await page.keyboard.type("pay");
  assert.match(await page.locator('[data-testid="sd-status"]').textContent(), /Loading/);
  release();
  await page.waitForSelector('[data-testid="sd-panel"]:is([data-engine="ready"])');
  await page.keyboard.type("pal");
  assert.equal(await page.locator('[data-testid="sd-input"]').inputValue(), "paypal");
  const first = page.locator('[data-testid="sd-result"]').first();
  await first.waitFor();
  assert.equal(await first.getAttribute("data-id"), "payment-methods");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a widget module that cannot be fetched is reported once and leaves the page working", async () => {
  const { context, page, problems } = await newPage();
  await page.route("**/shopdesk-widget_bg.wasm", (route) => route.abort());
  await page.goto(demo.server.url);
  await page.click('[data-testid="sd-launcher"]');
  await page.waitForSelector('[data-testid="sd-panel"][data-engine="failed"]');
  assert.match(await page.locator('[data-testid="sd-status"]').textContent(), /could not be loaded/);
  const ours = problems.filter((p) => p.includes("[shopdesk]"));
  assert.equal(ours.length, 1, problems.join("\n"));
  // Escape still closes the panel and the store's own controls still work.
  await page.keyboard.press("Escape");
  await page.locator('[data-testid="sd-panel"]').waitFor({ state: "hidden" });
  assert.ok(await page.locator("button.add-to-cart").isEnabled());
  await context.close();
});
