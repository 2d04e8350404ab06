// What the shopper is told and given before the first chat message: who reads the
// chat (with the shop's privacy page), everything the agent will receive with it, each
// item removable, and exactly the rest arriving; a verified shopper's earlier
// conversations on another device, and none for a forged identity.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHmac } from "node:crypto";
import { demoSite, watchConsole, openWidget } from "./harness.mjs";

const AGENT = "privacy-test-agent-token-01";
const SECRET = "privacy-test-identity-secret";
const secretFile = path.join(mkdtempSync(path.join(tmpdir(), "shopdesk-secret-")), "identity");
writeFileSync(secretFile, `${SECRET}\n`);
const demo = demoSite(["--agent-token", AGENT, "--rate-limit", "0", "--identity-secret-file", secretFile]);
const sign = (id) => createHmac("sha256", SECRET).update(id).digest("hex");
const SETTINGS = { chatEndpoint: "/v1/chat", chat: { privacyUrl: "https://shop.example/privacy" } };
const w = (page, testid) => page.locator(`shopdesk-widget >> [data-testid="${testid}"]`);

/** A store page whose shop identifies the shopper (and passes a context). */
async function shopperPage(identity, context = null) {
  const browserContext = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await browserContext.newPage();
  const problems = watchConsole(page);
  await page.addInitScript(
    ([settings, identity, context]) => {
      window.shopdeskSettings = settings;
      window.shopdesk = window.shopdesk || [];
      if (identity) window.shopdesk.push(["identify", identity]);
      if (context) window.shopdesk.push(["setContext", context]);
    },
    [SETTINGS, identity, context],
  );
  await page.goto(demo.server.url);
  return { browserContext, page, problems };
}

/** Keeps an agent connected (the automation token's stream counts), so the chat is live. */
async function agentOnline() {
  const abort = new AbortController();
  const response = await fetch(`${demo.server.url}v1/agent/events`, {
    headers: { authorization: `Bearer ${AGENT}` },
    signal: abort.signal,
  });
  assert.equal(response.status, 200);
  return () => abort.abort();
}

async function conversations() {
  const response = await fetch(`${demo.server.url}v1/agent/conversations`, { headers: { authorization: `Bearer ${AGENT}` } });
  return (await response.json()).conversations;
}

async function openChat(page) {
  await w(page, "sd-chat-offer").click();
  await w(page, "sd-chat").waitFor();
  await page.waitForFunction(
    () => document.querySelector("shopdesk-widget").shadowRoot.querySelector('[data-testid="sd-chat"]')?.dataset.reach === "live",
  );
}

test("before the first message the shopper sees what the agent will receive, takes items out, and exactly the rest arrives", async () => {
  const offline = await agentOnline();
  const identity = { id: "cus_42", email: "ana@mail.example", name: "Ana", signature: sign("cus_42") };
  const { browserContext, page, problems } = await shopperPage(identity, { order: "1234", cart: { items: 2 } });
  await openWidget(page);
  await w(page, "sd-input").fill("return policy");
  await w(page, "sd-result").first().click();
  await w(page, "sd-article").waitFor();
  const title = await w(page, "sd-article").locator("h2, h3").first().innerText();
  await openChat(page);

  // Who reads it, and the shop's privacy page.
  assert.match(await w(page, "sd-chat-readers").innerText(), /support team reads this chat/);
  assert.equal(await w(page, "sd-chat-privacy").getAttribute("href"), "https://shop.example/privacy");

  // The summary, collapsed until opened, lists every item (never the signature).
  const shared = w(page, "sd-chat-shared");
  assert.equal(await shared.evaluate((d) => d.open), false);
  await shared.locator("summary").click();
  const items = async () => w(page, "sd-chat-shared-item").allInnerTexts();
  const listed = (await items()).join("\n");
  for (const expected of ["return policy", title, "Page", "email: ana@mail.example", "id: cus_42", "name: Ana", "order: 1234", 'cart: {"items":2}']) {
    assert.ok(listed.includes(expected), `${expected} missing from\n${listed}`);
  }
  assert.doesNotMatch(listed, /signature|[0-9a-f]{64}/);

  // The shopper takes three things out.
  for (const text of ["return policy", "email: ana@mail.example", 'cart: {"items":2}']) {
    const labels = await page.locator("shopdesk-widget >> .sd-chat-shared-label").allInnerTexts();
    const at = labels.indexOf(text);
    assert.ok(at >= 0, `${text} not in ${labels.join(" | ")}`);
    const before = labels.length;
    await w(page, "sd-chat-unshare").nth(at).click();
    await page.waitForFunction(
      (n) => document.querySelector("shopdesk-widget").shadowRoot.querySelectorAll('[data-testid="sd-chat-shared-item"]').length === n,
      before - 1,
    );
  }
  const left = await items();
  await w(page, "sd-chat-input").fill("Hello, where is my refund?");
  await w(page, "sd-chat-input").press("Enter");
  await w(page, "sd-chat-line").first().waitFor();

  // The agent gets exactly what was left on the list.
  let handoff;
  for (let i = 0; i < 50 && !handoff; i++) {
    handoff = (await conversations()).find((c) => c.handoff.identity?.id === "cus_42")?.handoff;
    if (!handoff) await page.waitForTimeout(100);
  }
  assert.deepEqual(handoff.searched, []);
  assert.deepEqual(handoff.read.map((a) => a.title), [title]);
  assert.deepEqual(handoff.identity, { id: "cus_42", name: "Ana" });
  assert.equal(handoff.verified, true, "the id is still signed");
  assert.deepEqual(handoff.context, { order: "1234" });
  assert.ok(handoff.page_url.startsWith(demo.server.url.replace(/\/$/, "")));
  assert.equal(left.length, 1 + 1 + 2 + 1, `${left.join("\n")}`);
  assert.deepEqual(problems, []);
  await browserContext.close();
  offline();
});

test("a verified shopper sees their earlier conversations on another device; a forged identity sees none", async () => {
  const offline = await agentOnline();
  // An earlier conversation of customer cus_7, from "another device" (the API).
  const started = await fetch(`${demo.server.url}v1/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ identity: { id: "cus_7", signature: sign("cus_7") } }),
  });
  const { id, token } = await started.json();
  const said = await fetch(`${demo.server.url}v1/chat/${id}/messages`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ id: crypto.randomUUID(), body: "My parcel never arrived" }),
  });
  assert.equal(said.status, 201);

  const { browserContext, page, problems } = await shopperPage({ id: "cus_7", signature: sign("cus_7") });
  await openWidget(page);
  await openChat(page);
  const item = w(page, "sd-chat-earlier-item");
  await item.waitFor();
  assert.match(await item.innerText(), /My parcel never arrived/);
  assert.equal(await item.getAttribute("data-id"), id);
  await item.click();
  await w(page, "sd-chat-line").filter({ hasText: "My parcel never arrived" }).waitFor();
  assert.deepEqual(problems, []);
  await browserContext.close();

  // The same id without the shop's signature: nothing of theirs shows.
  const forged = await shopperPage({ id: "cus_7", signature: sign("cus_8") });
  await openWidget(forged.page);
  await openChat(forged.page);
  await forged.page.waitForTimeout(500);
  assert.equal(await w(forged.page, "sd-chat-earlier-item").count(), 0);
  assert.ok(forged.problems.some((p) => /earlier conversations are not available/.test(p)), forged.problems.join("\n"));
  await forged.browserContext.close();
  offline();
});
