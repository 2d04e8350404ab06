// Isolation both ways, by screenshots: a hostile store stylesheet leaves the widget
// looking exactly the same, and the store page looks the same with and without the
// widget except where the launcher sits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, openWidget, compareImages } from "./harness.mjs";

/** Global resets and !important on everything, a tiny root font size, and a
 * high-z-index overlay, as careless themes and third-party scripts ship them. */
const HOSTILE = `
  * { all: unset !important; color: red !important; font: 30px/3 serif !important; box-sizing: content-box !important; }
  html { font-size: 10px !important; }
  button, input, div, p, ul, li, span, header, h2, h3 { display: block !important; border: 6px solid lime !important;
    background: yellow !important; padding: 25px !important; margin: 9px !important; text-transform: uppercase !important; }
  shopdesk-widget { display: none !important; position: static !important; z-index: 1 !important; opacity: .2 !important; }
  body::after { content: ""; position: fixed; inset: 0; z-index: 99999; pointer-events: none; background: transparent; }
`;

const demo = demoSite();

/** The open panel with results, as pixels; `hostile` adds the stylesheet first. */
async function panelShot(hostile) {
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(demo.server.url);
  if (hostile) await page.addStyleTag({ content: HOSTILE });
  await openWidget(page);
  await page.keyboard.type("retrun polcy");
  await page.locator('shopdesk-widget >> [data-testid="sd-result"]').first().waitFor();
  // No caret blink or animation in the picture.
  await page.locator('shopdesk-widget >> [data-testid="sd-input"]').evaluate((e) => e.blur());
  await page.waitForTimeout(300);
  const box = (selector) =>
    page.locator(`shopdesk-widget >> ${selector}`).evaluate((e) => {
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    });
  const host = await page.locator("shopdesk-widget").evaluate((h) => {
    const r = h.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  });
  // Opaque parts only: rounded corners and shadows let the page show through, and the
  // page is meant to look different.
  const inset = (r, dx, dy) => ({ x: r.x + dx, y: r.y + dy, width: r.width - 2 * dx, height: r.height - 2 * dy });
  const panel = await box(".sd-panel");
  const launcher = await box('[data-testid="sd-launcher"]');
  const shot = Buffer.concat([
    await page.screenshot({ clip: inset(panel, 16, 16), animations: "disabled", caret: "hide" }),
    await page.screenshot({ clip: inset(launcher, 24, 2), animations: "disabled", caret: "hide" }),
  ]);
  await context.close();
  return { shot, host, problems };
}

test("a hostile store stylesheet leaves the widget looking exactly the same", async () => {
  const plain = await panelShot(false);
  const hostile = await panelShot(true);
  assert.deepEqual(hostile.host, plain.host, "the widget moved or changed size");
  assert.ok(plain.shot.equals(hostile.shot), "the widget's pixels differ under the hostile stylesheet");
  assert.deepEqual(plain.problems, []);
  assert.deepEqual(hostile.problems, []);
});

test("the store page looks the same with and without the widget, apart from the launcher", async () => {
  const shoot = async (withWidget) => {
    const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    if (!withWidget) {
      await page.route("**/shopdesk.js", (route) => route.fulfill({ status: 200, contentType: "text/javascript", body: "" }));
    }
    await page.goto(demo.server.url, { waitUntil: "networkidle" });
    let launcher = null;
    if (withWidget) {
      await page.waitForSelector('shopdesk-widget >> [data-testid="sd-launcher"]');
      launcher = await page.locator("shopdesk-widget").boundingBox();
    }
    // The page above the launcher's corner: everything a shopper sees of the store.
    const clip = { x: 0, y: 0, width: 1280, height: 900 - 100 };
    const shot = await page.screenshot({ clip, animations: "disabled", caret: "hide" });
    await context.close();
    return { shot, launcher };
  };
  const without = await shoot(false);
  const withWidget = await shoot(true);
  assert.ok(withWidget.launcher.y >= 800, `launcher at y=${withWidget.launcher.y} overlaps the compared area`);
  // Chromium's software rasterizer occasionally anti-aliases a few edge pixels of the
  // header's SVG icons differently between two page loads (seen with and without the
  // widget in separate runs). Anything the widget could change on the page (a layout
  // shift, a font, a colour) moves thousands of pixels; a few dozen faint ones are
  // rasterization noise.
  const diff = await compareImages(demo.browser, without.shot, withWidget.shot);
  assert.ok(!diff.sizeDiffers, "the screenshots differ in size");
  assert.ok(diff.differing <= 64, `the store page renders differently with the widget: ${diff.differing} pixels differ (up to ${diff.maxDelta}/255)`);
});
