// The widget on a phone: full-screen panel, no zoom on focus, and the panel follows the
// visual viewport (which shrinks when the on-screen keyboard opens).
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, openWidget } from "./harness.mjs";

const demo = demoSite();

test("on a phone the panel is full screen, inputs do not zoom, and it follows the visual viewport", async () => {
  const context = await demo.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(demo.server.url);
  await openWidget(page);
  const panel = page.locator('shopdesk-widget >> [data-testid="sd-panel"]');
  // Measured where it comes to rest: the panel slides in (8 px), and the search may be
  // ready before that ends.
  await panel.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
  const box = await panel.boundingBox();
  assert.deepEqual([box.x, box.y, box.width, box.height].map(Math.round), [0, 0, 390, 844]);
  // The launcher would cover the last results; the panel has its own close button.
  assert.equal(await page.locator('shopdesk-widget >> [data-testid="sd-launcher"]').isVisible(), false);
  const fontSize = await page.locator('shopdesk-widget >> [data-testid="sd-input"]').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  assert.ok(fontSize >= 16, `search box font size ${fontSize}px zooms on focus`);

  // What the on-screen keyboard does to the visual viewport, here by resizing it.
  await page.setViewportSize({ width: 390, height: 500 });
  await page.waitForFunction(() => {
    const p = document.querySelector("shopdesk-widget").shadowRoot.querySelector(".sd-panel");
    // The panel is sized from the visual viewport itself (the keyboard shrinks only that).
    return (
      p.style.getPropertyValue("--sd-viewport-height") === `${visualViewport.height}px` &&
      Math.round(p.getBoundingClientRect().height) === Math.round(visualViewport.height)
    );
  });
  const input = await page.locator('shopdesk-widget >> [data-testid="sd-input"]').boundingBox();
  assert.ok(input.y + input.height <= 500, "the search box stays above the keyboard");
  await page.locator('shopdesk-widget >> [data-testid="sd-close"]').click();
  await panel.waitFor({ state: "hidden" });
  assert.equal(await page.locator('shopdesk-widget >> [data-testid="sd-launcher"]').isVisible(), true);
  assert.deepEqual(problems, []);
  await context.close();
});
