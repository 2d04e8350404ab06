// The widget on a store with a strict Content-Security-Policy: no inline scripts or
// styles, no eval, nothing from other hosts. The policy is the one README documents.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, openWidget, signIn } from "./harness.mjs";

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

const ANA = { name: "Ana Lima", email: "ana@shop.example", password: "correct horse battery", role: "agent" };
const desk = demoSite(["--agent-token", "csp-test-agent-token-0001", "--rate-limit", "0"], [ANA]);

test("the agent page runs under its own strict policy, with zero violations, and may not be framed", async () => {
  const context = await desk.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  // A conversation waiting, so the desk renders a handoff and its FAQ suggestions
  // (fetched from /faq/, WebAssembly search) under the policy.
  const started = await fetch(`${desk.server.url}v1/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ page_url: desk.server.url, searched: ["return label"] }),
  });
  assert.equal(started.status, 201);
  const { id, token } = await started.json();
  const asked = await fetch(`${desk.server.url}v1/chat/${id}/messages`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ id: crypto.randomUUID(), body: "How do I return my jacket?" }),
  });
  assert.equal(asked.status, 201);
  const response = await page.goto(`${desk.server.url}agent/`);
  const policy = response.headers()["content-security-policy"];
  assert.match(policy, /default-src 'none'/);
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  assert.match(policy, /frame-ancestors 'none'/);
  assert.doesNotMatch(policy, /unsafe-inline/);
  assert.equal(response.headers()["x-frame-options"], "DENY");
  await signIn(page, ANA.email, ANA.password);
  await page.locator('[data-testid="agent-status"][data-state="connected"]').waitFor();
  await page.locator('[data-testid="agent-conversation"]').first().click();
  await page.locator('[data-testid="agent-handoff"]').waitFor();
  await page.locator('[data-testid="agent-faq"]').waitFor();
  await page.waitForTimeout(300);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(problems, []);

  // Framed by another page, the browser refuses to show it.
  const framer = await context.newPage();
  const framed = watchConsole(framer);
  await framer.setContent(`<iframe src="${desk.server.url}agent/"></iframe>`);
  await framer.waitForTimeout(500);
  const inside = await framer.frames()[1]?.evaluate(() => document.body?.innerHTML ?? "").catch(() => "");
  assert.ok(!inside?.includes("agent"), "the agent page rendered inside a frame");
  assert.ok(framed.some((p) => /frame-ancestors|X-Frame-Options|refused/i.test(p)), framed.join("\n"));
  await context.close();
});
