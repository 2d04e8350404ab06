// The merchant's look and the page-load settings, on the real demo page: corner, offset
// and stacking from data-* attributes, brand colour with readable text, colour scheme,
// icon, label and greeting, the frame in the shopper's language before the widget
// module arrives, and pages where the widget is hidden (following pushState).
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, holdRequests } from "./harness.mjs";

const demo = demoSite();

async function newPage(settings, scriptAttributes) {
  const context = await demo.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  if (settings) {
    await page.addInitScript((s) => {
      window.shopdeskSettings = s;
    }, settings);
  }
  if (scriptAttributes) {
    // The merchant's snippet with data-* attributes, as pasted into the page.
    await page.route(/\/(checkout\/)?$/, async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace('<script src="/shopdesk.js" async', `<script src="/shopdesk.js" async ${scriptAttributes}`);
      await route.fulfill({ response, body: html });
    });
  }
  return { context, page, problems };
}

const shadow = (page, selector) => page.locator(`shopdesk-widget >> ${selector}`);
const launcherReady = (page) => shadow(page, '[data-testid="sd-launcher"]').waitFor();

/** WCAG contrast of an element's text colour on its background colour. */
function contrastOf(locator) {
  return locator.evaluate((e) => {
    const rgb = (c) => c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
    const lum = (c) => {
      const [r, g, b] = rgb(c).map((v) => {
        v /= 255;
        return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const s = getComputedStyle(e);
    const [a, b] = [lum(s.color), lum(s.backgroundColor)];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  });
}

test("data-* attributes place the launcher bottom left, offset, at the given z-index", async () => {
  const { context, page, problems } = await newPage(null, 'data-position="bottom-left" data-offset="8 30" data-z-index="50"');
  await page.setViewportSize({ width: 1200, height: 800 });
  await page.goto(demo.server.url);
  await launcherReady(page);
  const box = await shadow(page, '[data-testid="sd-launcher"]').boundingBox();
  assert.equal(Math.round(box.x), 8);
  assert.equal(Math.round(800 - box.y - box.height), 30);
  assert.equal(await page.locator("shopdesk-widget").evaluate((e) => getComputedStyle(e).zIndex), "50");
  // The panel opens above the launcher, aligned to the same side.
  await shadow(page, '[data-testid="sd-launcher"]').click();
  const panel = await shadow(page, '[data-testid="sd-panel"]').boundingBox();
  assert.equal(Math.round(panel.x), 8);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a light brand colour gets dark text; any brand colour stays readable", async () => {
  for (const brandColor of ["#ffd700", "#0f5f59", "#777777", "rgb(233, 30, 99)"]) {
    const { context, page, problems } = await newPage({ brandColor });
    await page.goto(demo.server.url);
    await launcherReady(page);
    const launcher = shadow(page, '[data-testid="sd-launcher"]');
    const expected = brandColor.startsWith("#") ? brandColor : "#e91e63";
    const bg = await launcher.evaluate((e) => getComputedStyle(e).backgroundColor);
    const hex = "#" + bg.match(/\d+/g).slice(0, 3).map((n) => Number(n).toString(16).padStart(2, "0")).join("");
    assert.equal(hex, expected);
    const ratio = await contrastOf(launcher);
    assert.ok(ratio >= 4.5, `${brandColor}: launcher text contrast ${ratio.toFixed(2)}`);
    await launcher.click();
    assert.ok((await contrastOf(shadow(page, ".sd-header"))) >= 4.5, `${brandColor}: header`);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test("colour scheme: auto follows the system, light and dark are forced", async () => {
  const surface = async (settings, system) => {
    const { context, page, problems } = await newPage(settings);
    await page.emulateMedia({ colorScheme: system });
    await page.goto(demo.server.url);
    await shadow(page, '[data-testid="sd-launcher"]').click();
    const bg = await shadow(page, '[data-testid="sd-panel"]').evaluate((e) => getComputedStyle(e).backgroundColor);
    const text = await shadow(page, ".sd-status").evaluate((e) => getComputedStyle(e).color);
    assert.deepEqual(problems, []);
    await context.close();
    return { bg, text };
  };
  const WHITE = "rgb(255, 255, 255)";
  const DARK = "rgb(27, 34, 43)";
  assert.equal((await surface({}, "light")).bg, WHITE);
  assert.equal((await surface({}, "dark")).bg, DARK);
  assert.equal((await surface({ colorScheme: "light" }, "dark")).bg, WHITE);
  const dark = await surface({ colorScheme: "dark" }, "light");
  assert.equal(dark.bg, DARK);
  assert.notEqual(dark.text, "rgb(91, 102, 115)", "muted text must be light on the dark panel");
});

test("launcher icon, label and greeting come from the settings", async () => {
  let { context, page, problems } = await newPage({ launcherIcon: "none", launcherLabel: "Questions?", greeting: "Hi! Ask us anything." });
  await page.goto(demo.server.url);
  await launcherReady(page);
  assert.equal(await shadow(page, ".sd-icon").count(), 0);
  assert.equal(await shadow(page, ".sd-launcher-label").textContent(), "Questions?");
  await shadow(page, '[data-testid="sd-launcher"]').click();
  assert.equal(await shadow(page, ".sd-heading").textContent(), "Hi! Ask us anything.");
  assert.deepEqual(problems, []);
  await context.close();

  ({ context, page, problems } = await newPage({ launcherIcon: "question" }));
  await page.goto(demo.server.url);
  await launcherReady(page);
  assert.equal(await shadow(page, ".sd-icon").getAttribute("data-icon"), "question");
  assert.ok((await shadow(page, ".sd-icon path").getAttribute("d")).length > 20);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the launcher and panel frame speak the shopper's language before the widget module arrives", async () => {
  const { context, page, problems } = await newPage({ locale: "de" });
  const release = await holdRequests(page, "**/shopdesk-widget*");
  await page.goto(demo.server.url);
  await launcherReady(page);
  assert.equal(await shadow(page, ".sd-launcher-label").textContent(), "Hilfe");
  await shadow(page, '[data-testid="sd-launcher"]').click();
  assert.equal(await shadow(page, '[data-testid="sd-panel"]').getAttribute("data-engine"), "loading");
  assert.equal(await shadow(page, ".sd-heading").textContent(), "Wie können wir helfen?");
  assert.equal(await shadow(page, ".sd-close").getAttribute("aria-label"), "Hilfe schließen");
  assert.equal(await shadow(page, '[data-testid="sd-input"]').getAttribute("placeholder"), "Hilfeartikel durchsuchen");
  assert.equal(await shadow(page, ".sd-root").getAttribute("lang"), "de");
  await page.keyboard.type("x");
  assert.equal(await shadow(page, '[data-testid="sd-status"]').textContent(), "Antworten werden geladen …");
  release();
  await shadow(page, '[data-testid="sd-panel"][data-engine="ready"]').waitFor();
  assert.equal(await shadow(page, ".sd-launcher-label").textContent(), "Hilfe");
  assert.deepEqual(problems, []);
  await context.close();
});

test("hideOn hides the widget on matching pages, loads nothing there, and follows pushState", async () => {
  const { context, page, problems } = await newPage({ hideOn: ["/checkout*"] });
  const widgetRequests = [];
  page.on("request", (r) => r.url().includes("shopdesk-widget") && widgetRequests.push(r.url()));
  await page.goto(demo.server.url + "checkout/");
  await page.waitForFunction(() => window.performance.getEntriesByName("shopdesk:interactive").length === 1);
  const host = page.locator("shopdesk-widget");
  assert.equal(await host.evaluate((e) => getComputedStyle(e).display), "none");
  await page.evaluate(() => window.shopdesk.open());
  assert.ok(problems.some((p) => p.includes("shopdesk.open() does nothing on this page: the hideOn setting hides the widget here")), problems.join("\n"));
  // The idle preload (requestIdleCallback, 4 s timeout) must not fetch the widget here.
  await page.waitForTimeout(4500);
  assert.deepEqual(widgetRequests, []);

  // A single-page store moving on to a page without the pattern shows the launcher.
  await page.evaluate(() => history.pushState({}, "", "/"));
  await shadow(page, '[data-testid="sd-launcher"]').waitFor({ state: "visible" });
  await shadow(page, '[data-testid="sd-launcher"]').click();
  await shadow(page, '[data-testid="sd-panel"][data-engine="ready"]').waitFor();
  // And back onto a hidden page: the open panel goes away with the widget.
  await page.evaluate(() => history.pushState({}, "", "/checkout/success"));
  await page.waitForFunction(() => getComputedStyle(document.querySelector("shopdesk-widget")).display === "none");
  assert.equal(await shadow(page, '[data-testid="sd-panel"]').getAttribute("hidden"), "");
  assert.equal(problems.length, 1, problems.join("\n"));
  await context.close();
});
