// Live chat on the real demo page, with the real agent page on the other side: the
// handoff (what the shopper searched, read and where they were), messages both ways,
// the end of the chat with its CSAT survey stored against the conversation, a chat
// that follows the shopper to another page, messages that survive a flaky network,
// and a server without chat.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, startServer, watchConsole, openWidget, signIn } from "./harness.mjs";

const ADMIN = "chat-test-admin-token-0001";
// The automation token: this test's own calls to the agent API. People sign in.
const AGENT = "chat-test-agent-token-0001";
const ANA = { name: "Ana Lima", email: "ana@shop.example", password: "correct horse battery" };
const demo = demoSite(["--admin-token", ADMIN, "--agent-token", AGENT, "--rate-limit", "0"], [ANA]);

const SETTINGS = {
  feedbackEndpoint: "/v1/feedback",
  chatEndpoint: "/v1/chat",
  surveys: [{ kind: "csat", id: "after-chat", trigger: "afterChat" }],
};

async function shopperPage(settings = SETTINGS, url = demo.server.url) {
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.addInitScript((settings) => {
    window.shopdeskSettings = settings;
    window.__events = [];
    window.shopdesk = window.shopdesk || [];
    for (const name of ["escalate", "chat:message", "chat:ended", "survey:shown"]) {
      window.shopdesk.push(["on", name, (detail) => window.__events.push([name, detail])]);
    }
  }, settings);
  await page.goto(url);
  return { context, page, problems };
}

const w = (page, testid) => page.locator(`shopdesk-widget >> [data-testid="${testid}"]`);

async function agentPage() {
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${demo.server.url}agent/`);
  await signIn(page, ANA.email, ANA.password);
  await page.locator('[data-testid="agent-status"][data-state="connected"]').waitFor();
  return { page, problems };
}

/** The agent API, as the agent page uses it. */
async function agentApi(path, body) {
  const response = await fetch(`${demo.server.url}v1/agent/${path}`, {
    method: body ? "POST" : "GET",
    headers: { Authorization: `Bearer ${AGENT}`, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.status === 204 ? null : response.json();
}

async function messagesOf(conversation) {
  const { events } = await agentApi(`conversations/${conversation}`);
  return events.filter((e) => e.type === "message").map((e) => `${e.author}: ${e.body}`);
}

async function conversationOf(page) {
  for (let i = 0; i < 100; i++) {
    const started = (await page.evaluate(() => window.__events)).find((e) => e[0] === "escalate");
    if (started) return started[1].id;
    await page.waitForTimeout(50);
  }
  throw new Error("no escalate event");
}

/** Types a message in the widget's chat and sends it with Enter. */
async function say(page, text) {
  // Before the first message the chat asks whether anybody is there; with nobody
  // signed in it is "Leave a message", which needs an email address.
  if ((await w(page, "sd-chat-line").count()) === 0) {
    await page.waitForFunction(() => {
      const chat = document.querySelector("shopdesk-widget").shadowRoot.querySelector('[data-testid="sd-chat"]');
      return chat && chat.dataset.reach !== "unknown";
    });
    if ((await w(page, "sd-chat").getAttribute("data-reach")) === "away") await w(page, "sd-chat-email").fill("shopper@example.com");
  }
  await w(page, "sd-chat-input").fill(text);
  await w(page, "sd-chat-input").press("Enter");
}

test("an agent signs in with email and password, stays signed in across a reload, and signs out", async () => {
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${demo.server.url}agent/`);
  // A wrong password: the server's words, the form stays, nothing is kept in the field.
  await signIn(page, ANA.email, "not the password");
  const error = page.locator('[data-testid="agent-signin-error"]');
  await error.filter({ hasText: "Wrong email or password." }).waitFor();
  assert.equal(await page.locator('[data-testid="agent-password"]').inputValue(), "");
  assert.equal(await page.locator('[data-testid="agent-email"]').getAttribute("aria-invalid"), "true");
  // Empty fields are caught before anything is sent.
  await page.locator('[data-testid="agent-email"]').fill("");
  await page.locator('[data-testid="agent-signin"]').click();
  await error.filter({ hasText: "Enter your email address." }).waitFor();

  await signIn(page, ANA.email.toUpperCase(), ANA.password);
  await page.locator('[data-testid="agent-status"][data-state="connected"]').waitFor();
  assert.equal(await page.locator('[data-testid="agent-name"]').textContent(), ANA.name);
  // The session is the browser's (an HttpOnly cookie the page cannot read): a reload
  // goes straight back to the desk.
  assert.equal(await page.evaluate(() => document.cookie), "");
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "shopdesk_agent");
  assert.ok(session?.httpOnly && session.sameSite === "Strict", JSON.stringify(cookies));
  await page.reload();
  await page.locator('[data-testid="agent-status"][data-state="connected"]').waitFor();

  // Away: the page stays open, but a shopper starting a chat is not promised a person.
  const agentsOnline = async () => {
    const r = await fetch(`${demo.server.url}v1/chat`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: demo.server.url.replace(/\/$/, "") },
      body: "{}",
    });
    assert.equal(r.status, 201);
    return (await r.json()).agents_online;
  };
  assert.equal(await agentsOnline(), 1);
  const away = page.locator('[data-testid="agent-away"]');
  await away.click();
  await page.locator('[data-testid="agent-away"][aria-pressed="true"]').waitFor();
  for (let i = 0; i < 50 && (await agentsOnline()) !== 0; i++) await page.waitForTimeout(100);
  assert.equal(await agentsOnline(), 0);
  // Still away after a reload: it is the account's state, not the tab's.
  await page.reload();
  await page.locator('[data-testid="agent-away"][aria-pressed="true"]').waitFor();
  await away.click();
  await page.locator('[data-testid="agent-away"][aria-pressed="false"]').waitFor();
  for (let i = 0; i < 50 && (await agentsOnline()) !== 1; i++) await page.waitForTimeout(100);
  assert.equal(await agentsOnline(), 1);

  await page.locator('[data-testid="agent-signout"]').click();
  await page.locator('[data-testid="agent-email"]').waitFor();
  // Signed out on the server too: the old cookie opens nothing.
  const list = await fetch(`${demo.server.url}v1/agent/conversations`, {
    headers: { Cookie: `shopdesk_agent=${session.value}` },
  });
  assert.equal(list.status, 401);
  await page.reload();
  await page.locator('[data-testid="agent-email"]').waitFor();
  // The only console lines: the browser noting the refused sign-in.
  assert.deepEqual(problems.filter((p) => !p.includes("401")), []);
  await context.close();
});

test("an agent whose tab is in the background gets a desktop notification, after allowing them from a button", async () => {
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
  // The browser's Notification API, recorded: permission starts unasked.
  await context.addInitScript(() => {
    window.__notes = [];
    window.__permission = "default";
    window.Notification = class {
      constructor(title, options) {
        window.__notes.push({ title, body: options?.body ?? "" });
      }
      static get permission() {
        return window.__permission;
      }
      static requestPermission() {
        window.__permission = "granted";
        return Promise.resolve("granted");
      }
    };
  });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${demo.server.url}agent/`);
  await signIn(page, ANA.email, ANA.password);
  await page.locator('[data-testid="agent-status"][data-state="connected"]').waitFor();
  // Asked from a button, never on load.
  assert.equal(await page.evaluate(() => window.__permission), "default");
  await page.locator('[data-testid="agent-notifications"]').click();
  await page.locator('[data-testid="agent-notifications"]').waitFor({ state: "detached" });
  // The tab goes to the background; a shopper asks for a person.
  await page.evaluate(() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  const origin = demo.server.url.replace(/\/$/, "");
  const started = await fetch(`${demo.server.url}v1/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: origin },
    body: JSON.stringify({ identity: { name: "Noor" } }),
  });
  assert.equal(started.status, 201);
  await page.waitForFunction(() => window.__notes.length > 0);
  const [note] = await page.evaluate(() => window.__notes);
  assert.equal(note.title, "Shopdesk");
  assert.match(note.body, /New conversation/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the agent sees what the shopper searched and read; they talk; the end brings the CSAT, stored with the chat", async () => {
  const agent = await agentPage();
  const { context, page, problems } = await shopperPage();
  const requested = [];
  page.on("request", (r) => requested.push(r.url()));
  agent.page.on("request", (r) => requested.push(r.url()));
  await openWidget(page);
  // No pause after typing: what the shopper searched is handed over all the same.
  await w(page, "sd-input").fill("return policy");
  await w(page, "sd-result").first().click();
  await w(page, "sd-article").waitFor();
  await w(page, "sd-chat-offer").click();
  await w(page, "sd-chat").waitFor();
  // The message box has focus: the shopper can type at once.
  assert.equal(await page.evaluate(() => document.querySelector("shopdesk-widget").shadowRoot.activeElement?.dataset.testid), "sd-chat-input");
  await say(page, "My parcel arrived damaged, can I return it?");
  const id = await conversationOf(page);
  const key = await page.evaluate(() => JSON.parse(sessionStorage.getItem("shopdesk:chat")).token);
  await page.locator(`shopdesk-widget >> [data-testid="sd-chat-line"][data-delivery="sent"]`).waitFor();

  // The agent page lists it with the handoff.
  const item = agent.page.locator(`[data-testid="agent-conversation"][data-id="${id}"]`);
  await item.waitFor();
  await item.click();
  const handoff = agent.page.locator('[data-testid="agent-handoff"]');
  await handoff.waitFor();
  const told = await handoff.innerText();
  assert.match(told, /return policy/, "the search");
  assert.match(told, /What is your return policy\?/, "the article read");
  assert.match(told, /Storm Shell Rain Jacket/, "the page's title");
  assert.equal(await handoff.locator('[data-testid="agent-page-link"]').getAttribute("href"), demo.server.url);
  await agent.page.locator('[data-testid="agent-message"][data-author="shopper"]', { hasText: "arrived damaged" }).waitFor();

  await agent.page.locator('[data-testid="agent-reply"]').fill("Sorry to hear that! Yes, I have sent you a free return label.");
  await agent.page.locator('[data-testid="agent-reply"]').press("Enter");
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-line"][data-author="agent"]', { hasText: "free return label" }).waitFor();
  // The shopper sees who answers: the agent's own name, from their account.
  assert.equal(await w(page, "sd-chat-name").first().textContent(), ANA.name);
  // Nothing shown twice on either side.
  assert.equal(await w(page, "sd-chat-line").count(), 2);
  await agent.page.locator('[data-testid="agent-message"][data-author="agent"]').waitFor();
  assert.equal(await agent.page.locator('[data-testid="agent-message"]').count(), 2);

  await agent.page.locator('[data-testid="agent-close"]').click();
  await w(page, "sd-chat-ended").waitFor();
  const card = page.locator('shopdesk-widget >> [data-testid="sd-chat"] [data-testid="sd-survey"]');
  await card.waitFor();
  assert.equal(await card.getAttribute("data-kind"), "csat");
  assert.match(await card.innerText(), /How satisfied are you with the help you received\?/);
  await card.locator('[data-testid="sd-score"][data-score="5"]').click();
  await w(page, "sd-survey-thanks").waitFor();

  const rows = await waitCsv((r) => r[4] === "after-chat");
  assert.deepEqual(rows.map((r) => [r[1], r[2], r[6]]), [["csat", "5", id]]);
  assert.deepEqual(await messagesOf(id), [
    "shopper: My parcel arrived damaged, can I return it?",
    "agent: Sorry to hear that! Yes, I have sent you a free return label.",
  ]);
  const names = (await page.evaluate(() => window.__events)).map((e) => e[0]);
  assert.deepEqual(names, ["escalate", "chat:message", "chat:ended", "survey:shown"]);
  // No credential ever rode in a URL: streams opened with single-use tickets (the
  // shopper's) or the session cookie (the agent's).
  const streams = requested.filter((u) => u.includes("/events"));
  assert.ok(streams.some((u) => u.includes(`/v1/chat/${id}/events?ticket=`)), streams.join("\n"));
  for (const u of requested) {
    assert.ok(!u.includes(key), `the conversation's key in ${u}`);
    assert.ok(!/[?&]token=/.test(u), u);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(agent.problems, []);
  await context.close();
  await agent.page.close();
});

/** Feedback CSV rows (split on commas: the fields used here have none) matching `f`. */
async function waitCsv(f) {
  for (let i = 0; i < 100; i++) {
    const response = await fetch(`${demo.server.url}v1/reports/feedback?format=csv`, {
      headers: { Authorization: `Bearer ${ADMIN}` },
    });
    const [, ...rows] = (await response.text()).trim().split("\n");
    const found = rows.map((r) => r.split(",")).filter(f);
    if (found.length) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no matching feedback stored");
}

test("the chat module loads only when the shopper reaches for a person; search works without it", async () => {
  const { context, page, problems } = await shopperPage();
  const requested = [];
  page.on("request", (r) => requested.push(new URL(r.url()).pathname));
  const chatFiles = () => requested.filter((p) => p.startsWith("/shopdesk-chat"));
  await openWidget(page);
  await w(page, "sd-input").fill("return policy");
  await w(page, "sd-result").first().waitFor();
  await page.waitForTimeout(500);
  assert.deepEqual(chatFiles(), [], "searching fetched the chat module");
  // Reaching for the button is enough to start the download.
  const fetched = page.waitForResponse((r) => r.url().endsWith("/shopdesk-chat_bg.wasm"));
  await w(page, "sd-chat-offer").hover();
  await fetched;
  await w(page, "sd-chat-offer").click();
  await w(page, "sd-chat-input").waitFor();
  assert.deepEqual(chatFiles().sort(), ["/shopdesk-chat.js", "/shopdesk-chat_bg.wasm"], "fetched once");
  // Back to search and to the chat again: the same conversation place, no second copy.
  await w(page, "sd-chat-back").click();
  await w(page, "sd-input").waitFor();
  // Focus follows the shopper back to the search box (once the search view shows).
  await page.waitForFunction(() => document.querySelector("shopdesk-widget").shadowRoot.activeElement?.dataset.testid === "sd-input", null, { timeout: 2000 });
  await w(page, "sd-chat-offer").click();
  assert.equal(await w(page, "sd-chat").count(), 1);
  assert.equal(await page.evaluate(() => document.querySelector("shopdesk-widget").shadowRoot.activeElement?.dataset.testid), "sd-chat-input");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a chat module that cannot be fetched: the shopper is told, search still works, a later try succeeds", async () => {
  const { context, page, problems } = await shopperPage();
  let refuse = true;
  await page.route("**/shopdesk-chat.js", (route) => (refuse ? route.abort() : route.continue()));
  await openWidget(page);
  await w(page, "sd-chat-offer").click();
  await w(page, "sd-chat-unavailable").waitFor();
  const ours = problems.filter((p) => p.includes("[shopdesk]"));
  assert.equal(ours.length, 1, problems.join("\n"));
  assert.match(ours[0], /the chat could not be loaded/);
  refuse = false;
  await page.locator('shopdesk-widget >> .sd-chat-wait .sd-back').click();
  await w(page, "sd-input").fill("return policy");
  await w(page, "sd-result").first().waitFor();
  await w(page, "sd-chat-offer").click();
  await w(page, "sd-chat-input").waitFor();
  await context.close();
});

test("the chat follows the shopper to another page; a reply while the panel is closed marks the launcher", async () => {
  const { context, page, problems } = await shopperPage();
  await openWidget(page);
  await w(page, "sd-chat-offer").click();
  await say(page, "Do you ship to Norway?");
  const id = await conversationOf(page);
  await page.locator(`shopdesk-widget >> [data-testid="sd-chat-line"][data-delivery="sent"]`).waitFor();

  await page.goto(`${demo.server.url}checkout/`);
  // The widget module loads when the browser is idle and picks the chat up again.
  await page.waitForSelector('shopdesk-widget >> [data-testid="sd-panel"][data-engine="ready"]', { state: "attached" });
  await agentApi(`conversations/${id}/messages`, { id: crypto.randomUUID(), body: "Yes, in 3-5 days." });
  await page.waitForSelector('shopdesk-widget >> [data-testid="sd-launcher"][data-unread]');
  await page.click('[data-testid="sd-launcher"]');
  await w(page, "sd-chat").waitFor();
  const lines = await w(page, "sd-chat-line").allInnerTexts();
  assert.equal(lines.length, 2, lines.join(" | "));
  assert.match(lines[0], /Do you ship to Norway\?/);
  assert.match(lines[1], /Yes, in 3-5 days\./);
  assert.equal(await page.locator('shopdesk-widget >> [data-testid="sd-launcher"][data-unread]').count(), 0);
  // On the next page the log is rebuilt, but what was read is not news again.
  await page.goto(demo.server.url);
  await page.waitForSelector('shopdesk-widget >> [data-testid="sd-panel"][data-engine="ready"]', { state: "attached" });
  await page.click('[data-testid="sd-launcher"]');
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-line"]').nth(1).waitFor();
  assert.deepEqual(await page.evaluate(() => window.__events.map((e) => e[0])), []);
  await page.click('[data-testid="sd-launcher"]');
  await page.locator('shopdesk-widget >> [data-testid="sd-panel"]').waitFor({ state: "hidden" });
  await page.reload();
  await page.waitForSelector('shopdesk-widget >> [data-testid="sd-panel"][data-engine="ready"]', { state: "attached" });
  await page.waitForTimeout(500);
  assert.equal(await page.locator('shopdesk-widget >> [data-testid="sd-launcher"][data-unread]').count(), 0);
  await page.click('[data-testid="sd-launcher"]');

  // The shopper ends it; the tab forgets it, and the next page starts afresh.
  await w(page, "sd-chat-end").click();
  await w(page, "sd-chat-ended").waitFor();
  const { events } = await agentApi(`conversations/${id}`);
  assert.deepEqual(events.at(-1).type === "closed" && events.at(-1).by, "shopper");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("shopdesk:chat")), null);
  assert.deepEqual(problems, []);
  await context.close();
});

test("messages typed while the network fails are delivered once it is back, each exactly once", async () => {
  const { context, page, problems } = await shopperPage();
  await openWidget(page);
  await w(page, "sd-chat-offer").click();
  await say(page, "first");
  const id = await conversationOf(page);
  await page.locator(`shopdesk-widget >> [data-testid="sd-chat-line"][data-delivery="sent"]`).waitFor();
  // The connection drops: messages fail at the network level.
  let failed = 0;
  await page.route("**/v1/chat/*/messages", (route) => {
    failed++;
    return route.abort("internetdisconnected");
  });
  await say(page, "second");
  await say(page, "third");
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-line"][data-delivery="retrying"]').first().waitFor();
  assert.ok(failed >= 1);
  await page.unroute("**/v1/chat/*/messages");
  await page.waitForFunction(() => {
    const root = document.querySelector("shopdesk-widget").shadowRoot;
    const lines = [...root.querySelectorAll('[data-testid="sd-chat-line"]')];
    return lines.length === 3 && lines.every((l) => l.dataset.delivery === "sent");
  }, null, { timeout: 20_000 });
  assert.deepEqual(await messagesOf(id), ["shopper: first", "shopper: second", "shopper: third"]);
  // Only the network's failures reached the console, none of ours.
  assert.deepEqual(problems.filter((p) => !p.includes("ERR_INTERNET_DISCONNECTED")), []);

  // Leaving the page while a message is being retried: the next page sends it.
  await page.route("**/v1/chat/*/messages", (route) => route.abort("internetdisconnected"));
  await say(page, "sent from the next page");
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-line"][data-delivery="retrying"]').waitFor();
  await page.unroute("**/v1/chat/*/messages");
  await page.goto(`${demo.server.url}checkout/`);
  for (let i = 0; i < 100 && (await messagesOf(id)).length < 4; i++) await page.waitForTimeout(100);
  assert.deepEqual(await messagesOf(id), ["shopper: first", "shopper: second", "shopper: third", "shopper: sent from the next page"]);
  await page.click('[data-testid="sd-launcher"]');
  await page.waitForFunction(() => {
    const lines = [...document.querySelector("shopdesk-widget").shadowRoot.querySelectorAll('[data-testid="sd-chat-line"]')];
    return lines.length === 4 && lines.every((l) => l.dataset.delivery === "sent");
  });
  assert.match(await w(page, "sd-chat-line").nth(3).innerText(), /sent from the next page/);

  // shutdown() while a message is being retried: nothing more is sent, nothing breaks.
  let after = 0;
  await page.route("**/v1/chat/*/messages", (route) => route.abort("internetdisconnected"));
  await say(page, "fourth");
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-line"][data-delivery="retrying"]').waitFor();
  await page.evaluate(() => window.shopdesk.shutdown());
  await page.unroute("**/v1/chat/*/messages");
  page.on("request", (r) => r.url().includes("/v1/chat") && after++);
  await page.waitForTimeout(4000);
  assert.equal(after, 0);
  assert.deepEqual(problems.filter((p) => !p.includes("ERR_INTERNET_DISCONNECTED")), []);
  await context.close();
});

test("a chat that cannot start keeps the message, says so, and sends it on 'Try again'", async () => {
  const { context, page, problems } = await shopperPage();
  await openWidget(page);
  await w(page, "sd-chat-offer").click();
  let refused = 0;
  await page.route("**/v1/chat", (route) => {
    refused++;
    return route.abort("internetdisconnected");
  });
  await say(page, "Is this jacket waterproof?");
  // A few quiet attempts first, then the shopper is told.
  await w(page, "sd-chat-unavailable").waitFor({ timeout: 20_000 });
  assert.equal(refused, 4);
  const line = page.locator('shopdesk-widget >> [data-testid="sd-chat-line"][data-delivery="failed"]');
  assert.match(await line.innerText(), /Not sent/);
  await page.unroute("**/v1/chat");
  await w(page, "sd-chat-retry").click();
  const id = await conversationOf(page);
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-line"][data-delivery="sent"]').waitFor();
  assert.deepEqual(await messagesOf(id), ["shopper: Is this jacket waterproof?"]);
  assert.equal(await w(page, "sd-chat-retry").count(), 0);
  const ours = problems.filter((p) => p.includes("[shopdesk]"));
  assert.equal(ours.length, 1, problems.join("\n"));
  assert.match(ours[0], /unreachable/);
  await context.close();
});

test("a server without chat: the shopper is told, one error for the merchant, the page unharmed", async () => {
  const server = await startServer(demo.site);
  try {
    const { context, page, problems } = await shopperPage(SETTINGS, server.url);
    await openWidget(page);
    await w(page, "sd-chat-offer").click();
    await say(page, "hello?");
    await w(page, "sd-chat-unavailable").waitFor();
    assert.equal(await page.locator('shopdesk-widget >> [data-testid="sd-chat-line"][data-delivery="failed"]').count(), 1);
    // The browser's own line about the 503 aside, one error: ours.
    const errors = problems.filter((p) => p.startsWith("error:") && !p.includes("Failed to load resource"));
    assert.equal(errors.length, 1, problems.join("\n"));
    assert.match(errors[0], /\[shopdesk\] the chat could not start \(HTTP 503\): live chat is off/);
    // Help still works.
    await w(page, "sd-chat-back").click();
    await w(page, "sd-input").fill("shipping");
    await w(page, "sd-result").first().waitFor();
    await context.close();
  } finally {
    server.stop();
  }
});
