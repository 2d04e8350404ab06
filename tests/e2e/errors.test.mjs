// Failures stay inside the widget: each one is one console message and one `error`
// event, never an uncaught exception, and the store page keeps working.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, openWidget, rateArticle } from "./harness.mjs";

const demo = demoSite();

/** A fresh page that records the API's `error` events in `window.__errors`. */
async function newPage(settings = {}) {
  const context = await demo.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.addInitScript((settings) => {
    window.shopdeskSettings = settings;
    window.__errors = [];
    window.shopdesk = window.shopdesk || [];
    window.shopdesk.push(["on", "error", (e) => window.__errors.push(e.message)]);
  }, settings);
  return { context, page, problems };
}

const shadow = (page, selector) => page.locator(`shopdesk-widget >> ${selector}`);

/** One console error of ours, matching `pattern`, the same message as one `error`
 * event, and nothing uncaught. */
async function reportedOnce(page, problems, pattern) {
  await page.waitForFunction(() => window.__errors.length > 0);
  await page.waitForTimeout(300);
  const events = await page.evaluate(() => window.__errors);
  assert.equal(events.length, 1, events.join("\n"));
  assert.match(events[0], pattern);
  const ours = problems.filter((p) => p.startsWith("error: [shopdesk]"));
  assert.deepEqual(ours, [`error: [shopdesk] ${events[0]}`]);
  const uncaught = problems.filter((p) => p.startsWith("uncaught"));
  assert.deepEqual(uncaught, []);
  // The store still works.
  assert.ok(await page.locator("button.add-to-cart").isEnabled());
}

for (const [name, corrupt] of [
  ["truncated", (b) => b.subarray(0, Math.floor(b.length / 2))],
  ["bytes overwritten", (b) => Buffer.concat([b.subarray(0, 64), Buffer.alloc(b.length - 64, 0xa5)])],
]) {
  test(`a corrupt index bundle (${name}) is reported once and the panel says so`, async () => {
    const { context, page, problems } = await newPage();
    await page.route("**/faq/faq-*.bin", async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: corrupt(await response.body()) });
    });
    await page.goto(demo.server.url);
    await shadow(page, '[data-testid="sd-launcher"]').click();
    await shadow(page, '[data-testid="sd-panel"][data-engine="failed"]').waitFor();
    await reportedOnce(page, problems, /help articles could not be loaded/);
    assert.match(await shadow(page, '[data-testid="sd-status"]').textContent(), /could not be loaded/);
    await context.close();
  });
}

test("a well-formed bundle under another name than its hash (swapped on the way) is refused", async () => {
  const { context, page, problems } = await newPage();
  // The manifest names a bundle whose hash is not that of the bytes it gets: a real,
  // well-formed bundle (it would open and answer), only not the one named.
  const named = "faq-en-0123456789abcdef.bin";
  const manifest = await (await fetch(`${demo.server.url}faq/faq-manifest.json`)).json();
  const real = Buffer.from(await (await fetch(`${demo.server.url}faq/${manifest.locales.en.file}`)).arrayBuffer());
  manifest.locales.en.file = named;
  await page.route("**/faq/faq-manifest.json", (route) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(manifest) }));
  await page.route(`**/faq/${named}`, (route) => route.fulfill({ status: 200, contentType: "application/octet-stream", body: real }));
  await page.goto(demo.server.url);
  await shadow(page, '[data-testid="sd-launcher"]').click();
  await shadow(page, '[data-testid="sd-panel"][data-engine="failed"]').waitFor();
  await reportedOnce(page, problems, /faq-en-0123456789abcdef\.bin does not match the hash in its name/);
  await context.close();
});

test("a manifest that is not JSON is reported once", async () => {
  const { context, page, problems } = await newPage();
  await page.route("**/faq/faq-manifest.json", (route) => route.fulfill({ status: 200, contentType: "application/json", body: "<html>oops</html>" }));
  await page.goto(demo.server.url);
  await shadow(page, '[data-testid="sd-launcher"]').click();
  await shadow(page, '[data-testid="sd-panel"][data-engine="failed"]').waitFor();
  await reportedOnce(page, problems, /faq-manifest\.json is not an FAQ manifest/);
  await context.close();
});

test("a response the feedback endpoint refuses (400) is reported once and not retried", async () => {
  const { context, page, problems } = await newPage({ feedbackEndpoint: "/v1/feedback" });
  let posts = 0;
  await page.route("**/v1/feedback", (route) => {
    posts++;
    return route.fulfill({ status: 400, contentType: "application/json", body: '{"error":"`score` is wrong","field":"score"}' });
  });
  await page.goto(demo.server.url);
  await openWidget(page);
  await rateArticle(page, "refund");
  await reportedOnce(page, problems.filter((p) => !p.includes("Failed to load resource")), /was refused by \/v1\/feedback \(HTTP 400\); it is dropped, not retried/);
  await page.waitForTimeout(1500);
  assert.equal(posts, 1);
  assert.equal(await page.evaluate(() => localStorage.getItem("shopdesk:outbox")), null);
  await context.close();
});

test("with storage blocked by the browser the widget still works, without errors", async () => {
  const { context, page, problems } = await newPage({ feedbackEndpoint: "/v1/feedback" });
  await page.addInitScript(() => {
    Object.defineProperty(window, "localStorage", {
      get() {
        throw new DOMException("The operation is insecure.", "SecurityError");
      },
    });
  });
  const posted = [];
  await page.route("**/v1/feedback", async (route) => {
    posted.push(route.request().postDataJSON());
    await route.fulfill({ status: 202, body: "" });
  });
  await page.goto(demo.server.url);
  await openWidget(page);
  await rateArticle(page, "refund");
  assert.equal(posted.length, 1);
  assert.equal(posted[0].visitor_id ?? null, null);
  await page.evaluate(() => window.shopdesk.shutdown());
  assert.equal(await page.locator("shopdesk-widget").count(), 0);
  assert.deepEqual(await page.evaluate(() => window.__errors), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a merchant's event listener that throws is reported on the console and breaks nothing", async () => {
  const { context, page, problems } = await newPage();
  await page.addInitScript(() => {
    window.shopdesk.push(["on", "open", () => {
      throw new Error("merchant bug");
    }]);
  });
  await page.goto(demo.server.url);
  await openWidget(page);
  await page.keyboard.type("refund");
  await shadow(page, '[data-testid="sd-result"]').first().waitFor();
  assert.ok(problems.some((p) => p.includes("[shopdesk] a listener for `open` threw")), problems.join("\n"));
  assert.deepEqual(problems.filter((p) => p.startsWith("uncaught")), []);
  await context.close();
});
