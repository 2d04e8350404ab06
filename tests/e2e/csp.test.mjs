// The widget on a store with a strict Content-Security-Policy: no inline scripts or
// styles, no eval, nothing from other hosts. The policy is the one README documents.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, openWidget } from "./harness.mjs";

const POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'";

const demo = demoSite(["--content-security-policy", POLICY]);

test("search, answers and feedback work under a strict CSP with zero violations", async () => {
  const context = await demo.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    window.shopdeskSettings = { feedbackEndpoint: "/v1/feedback", locale: "de" };
  });
  // The merchant's endpoint, same origin (connect-src 'self'); CSP is checked before
  // the request reaches this route.
  let posted = 0;
  await page.route("**/v1/feedback", (route) => {
    posted++;
    return route.fulfill({ status: 202, body: "" });
  });
  const response = await page.goto(demo.server.url);
  assert.equal(response.headers()["content-security-policy"], POLICY);
  await openWidget(page);
  await page.keyboard.type("retrun polcy");
  await page.locator('shopdesk-widget >> [data-testid="sd-result"]').first().waitFor();
  await page.keyboard.press("Enter");
  await page.locator('shopdesk-widget >> [data-testid="sd-article"]').waitFor();
  await page.locator('shopdesk-widget >> [data-testid="sd-helpful-yes"]').click();
  await page.locator('shopdesk-widget >> [data-testid="sd-thanks"]').waitFor();
  await page.locator('shopdesk-widget >> [data-testid="sd-back"]').click();
  await page.waitForTimeout(200);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.equal(posted, 1);
  assert.deepEqual(problems, []);
  await context.close();
});
