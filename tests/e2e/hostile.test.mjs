// What shoppers and stores send is text, never markup: a handoff and messages full of
// HTML, script and bidirectional overrides show as the characters they are on the
// agent page and in the widget, and run nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, openWidget, signIn } from "./harness.mjs";

const AGENT = "hostile-test-agent-token-01";
const ANA = { name: "Ana Lima", email: "ana@shop.example", password: "correct horse battery" };
const demo = demoSite(["--agent-token", AGENT, "--rate-limit", "0"], [ANA]);

const IMG = `<img src=x onerror="window.__pwned='img'">`;
const SCRIPT = `<script>window.__pwned='script'</script>`;
const BIDI = "invoice\u202Egnp.exe";
const w = (page, testid) => page.locator(`shopdesk-widget >> [data-testid="${testid}"]`);

test("hostile handoffs and messages are shown as text on the agent page and in the widget", async () => {
  // The shopper's page: a store whose identify and context carry markup.
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.addInitScript(([img, script, bidi]) => {
    window.shopdeskSettings = { chatEndpoint: "/v1/chat" };
    window.shopdesk = window.shopdesk || [];
    window.shopdesk.push(["identify", { name: img, email: "ana@mail.example" }]);
    window.shopdesk.push(["setContext", { note: script, file: bidi }]);
  }, [IMG, SCRIPT, BIDI]);
  await page.goto(demo.server.url);

  // Ana signs in first, so the chat is live.
  const desk = await context.newPage();
  const deskProblems = watchConsole(desk);
  await desk.goto(`${demo.server.url}agent/`);
  await signIn(desk, ANA.email, ANA.password);
  await desk.locator('[data-testid="agent-status"][data-state="connected"]').waitFor();

  await openWidget(page);
  await w(page, "sd-input").fill(SCRIPT);
  await page.waitForTimeout(400);
  await w(page, "sd-chat-offer").click();
  await w(page, "sd-chat").waitFor();
  await page.waitForFunction(
    () => document.querySelector("shopdesk-widget").shadowRoot.querySelector('[data-testid="sd-chat"]')?.dataset.reach === "live",
  );
  // The summary before sending shows the markup as text too.
  await w(page, "sd-chat-shared").locator("summary").click();
  const shared = (await w(page, "sd-chat-shared-item").allInnerTexts()).join("\n");
  assert.ok(shared.includes(IMG) && shared.includes(SCRIPT), shared);
  await w(page, "sd-chat-input").fill(`${IMG} ${BIDI}`);
  await w(page, "sd-chat-input").press("Enter");

  // The agent page: every field and the message as typed, nothing rendered or run.
  const item = desk.locator('[data-testid="agent-conversation"]').first();
  await item.waitFor();
  await item.click();
  const handoff = desk.locator('[data-testid="agent-handoff"]');
  await handoff.waitFor();
  const message = desk.locator('[data-testid="agent-message"][data-author="shopper"]').first();
  await message.waitFor();
  const told = await handoff.innerText();
  assert.ok(told.includes(IMG), told);
  assert.ok(told.includes("window.__pwned='script'"), told);
  assert.ok(told.includes(BIDI), "the override is kept as a character, shown as text");
  assert.ok((await message.innerText()).includes(IMG));
  assert.equal(await handoff.locator("img, script").count(), 0);
  assert.equal(await desk.locator('[data-testid="agent-log"] img, [data-testid="agent-log"] script').count(), 0);

  // Ana answers with markup of her own: the shopper sees text.
  await desk.locator('[data-testid="agent-reply"]').fill(`${SCRIPT} ${IMG}`);
  await desk.locator('[data-testid="agent-reply"]').press("Enter");
  const reply = w(page, "sd-chat-line").filter({ hasText: "window.__pwned='script'" });
  await reply.waitFor();
  assert.ok((await reply.innerText()).includes(IMG));
  assert.equal(await page.locator("shopdesk-widget >> .sd-chat-lines img").count(), 0);

  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await desk.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(problems, []);
  assert.deepEqual(deskProblems, []);
  await context.close();
});
