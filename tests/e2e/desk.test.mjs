// Two agents in two browsers and shoppers on the real demo page: waiting conversations
// go to the agents in turn (one each here), the rest wait; "Take it"; handing a
// conversation to a colleague; a colleague's conversation is not answered by mistake;
// the shopper sees who took their question and who answers. Typing and "Seen" on both
// sides; a canned reply; the unread count in the title and a desktop notification while the agent's
// tab is hidden; a conversation the shopper left closes by itself, with the afterChat
// survey; a search finds an ended conversation by its words; an admin adds and
// disables an agent from the page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, openWidget, signIn } from "./harness.mjs";

// Ana is an admin: she may take over a colleague's conversation and manage the team.
const ANA = { name: "Ana Lima", email: "ana@shop.example", password: "correct horse battery", role: "admin" };
const BEN = { name: "Ben Ode", email: "ben@shop.example", password: "battery staple horse" };
// Conversations answered and then left close after a minute: the last test waits for it.
const demo = demoSite(["--rate-limit", "0", "--chats-per-agent", "1", "--idle-close-minutes", "1"], [ANA, BEN]);

const SETTINGS = {
  feedbackEndpoint: "/v1/feedback",
  chatEndpoint: "/v1/chat",
  surveys: [{ kind: "csat", id: "after-chat", trigger: "afterChat" }],
};
/** Kept open by the first test for the last: answered, then left. */
let answered = null;

const w = (page, testid) => page.locator(`shopdesk-widget >> [data-testid="${testid}"]`);

async function agentPage(who, { notifications = false } = {}) {
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (notifications) {
    // The browser's Notification API, recorded, with permission already granted.
    await context.addInitScript(() => {
      window.__notes = [];
      window.Notification = class {
        constructor(title, options) {
          window.__notes.push({ title, body: options?.body ?? "" });
        }
        static get permission() {
          return "granted";
        }
        static requestPermission() {
          return Promise.resolve("granted");
        }
      };
    });
  }
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${demo.server.url}agent/`);
  await signIn(page, who.email, who.password);
  await page.locator('[data-testid="agent-status"][data-state="connected"]').waitFor();
  return { context, page, problems };
}

/** A shopper who asks for a person with `text`; their page and conversation id. */
async function shopper(text) {
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.addInitScript((settings) => {
    window.shopdeskSettings = settings;
    window.__events = [];
    window.shopdesk = window.shopdesk || [];
    window.shopdesk.push(["on", "escalate", (detail) => window.__events.push(detail)]);
  }, SETTINGS);
  await page.goto(demo.server.url);
  await openWidget(page);
  await w(page, "sd-chat-offer").click();
  await w(page, "sd-chat-input").fill(text);
  await w(page, "sd-chat-input").press("Enter");
  await page.waitForFunction(() => window.__events.length > 0);
  const id = await page.evaluate(() => window.__events[0].id);
  return { context, page, problems, id };
}

const row = (agent, id) => agent.page.locator(`[data-testid="agent-conversation"][data-id="${id}"]`);
const handlerOf = async (agent, id) => {
  const handler = row(agent, id).locator('[data-testid="agent-row-handler"]');
  await handler.waitFor();
  return (await handler.innerText()).replace(/^Handled by:\s*/, "").trim();
};
/** Waits until `agent`'s list says `label` handles conversation `id`. */
async function handledBy(agent, id, label) {
  await row(agent, id).locator('[data-testid="agent-row-handler"]', { hasText: label }).waitFor();
}

test("conversations go to the agents in turn, the rest wait; Take it, hand-over, and names on both sides", async () => {
  const ana = await agentPage(ANA);
  const ben = await agentPage(BEN);

  // Two shoppers: one conversation each, whoever comes first.
  const first = await shopper("Where is my parcel?");
  await handledBy(ana, first.id, /(You|Ben Ode)$/);
  const firstTo = (await handlerOf(ana, first.id)) === "You" ? ANA : BEN;
  const other = firstTo === ANA ? BEN : ANA;
  const second = await shopper("Can I change my size?");
  await handledBy(ana, second.id, other === ANA ? "You" : BEN.name);
  await handledBy(ben, second.id, other === BEN ? "You" : ANA.name);
  // The shopper learns who took their question before anybody answered.
  await w(first.page, "sd-chat-waiting").filter({ hasText: `${firstTo.name} is looking at your question.` }).waitFor();

  // Both are at their cap: the third waits in the queue, and Ana takes it.
  const third = await shopper("Do you ship to Norway?");
  await handledBy(ana, third.id, "Waiting");
  await w(third.page, "sd-chat-waiting").filter({ hasText: "We are connecting you to a person." }).waitFor();
  await row(ana, third.id).click();
  await ana.page.locator('[data-testid="agent-take"]').click();
  await ana.page.locator('[data-testid="agent-handler"]', { hasText: "You handle this conversation" }).waitFor();
  await handledBy(ben, third.id, ANA.name);
  await w(third.page, "sd-chat-waiting").filter({ hasText: `${ANA.name} is looking at your question.` }).waitFor();

  // Ben opens it: not his to answer, and the page says whose it is.
  await row(ben, third.id).click();
  await ben.page.locator('[data-testid="agent-handler"]', { hasText: `${ANA.name} handles this conversation` }).waitFor();
  assert.equal(await ben.page.locator('[data-testid="agent-reply"]').isDisabled(), true);
  assert.equal(await ben.page.locator('[data-testid="agent-take"]').count(), 0, "only admins take over");

  // Ana hands it to Ben, who answers under his own name.
  const select = ana.page.locator('[data-testid="agent-handover"]');
  await select.focus();
  await select.locator("option", { hasText: BEN.name }).waitFor({ state: "attached" });
  const benId = await select.locator("option", { hasText: BEN.name }).getAttribute("value");
  await select.selectOption(benId);
  await ana.page.locator('[data-testid="agent-handover-go"]').click();
  await ana.page.locator('[data-testid="agent-handler"]', { hasText: `${BEN.name} handles this conversation` }).waitFor();
  await ben.page.locator('[data-testid="agent-handler"]', { hasText: "You handle this conversation" }).waitFor();
  const reply = ben.page.locator('[data-testid="agent-reply"]');
  await reply.fill("Yes, we ship to Norway in 3-5 days.");
  await reply.press("Enter");
  const line = third.page.locator('shopdesk-widget >> [data-testid="sd-chat-line"][data-author="agent"]', { hasText: "Norway" });
  await line.waitFor();
  assert.equal(await line.locator('[data-testid="sd-chat-name"]').textContent(), BEN.name);
  // Answered: the shopper's note about who is looking goes.
  await w(third.page, "sd-chat-waiting").waitFor({ state: "detached" });

  for (const p of [ana, ben, first, second]) {
    assert.deepEqual(p.problems, []);
    await p.context.close();
  }
  answered = third;
});

test("typing and Seen on both sides; the title counts unread and a notification comes while the tab is hidden", async () => {
  const ana = await agentPage(ANA, { notifications: true });
  // Both agents are at their cap: this one waits in the queue, Ana's business too.
  const shopper4 = await shopper("Is the blue jacket waterproof?");
  await handledBy(ana, shopper4.id, "Waiting");
  await row(ana, shopper4.id).click();
  await ana.page.locator('[data-testid="agent-message"][data-author="shopper"]', { hasText: "waterproof" }).waitFor();

  // Ana has it in front of her: the shopper sees "Seen" under their message.
  await w(shopper4.page, "sd-chat-seen").waitFor();
  // The shopper types: Ana sees it; it fades when the message arrives.
  await w(shopper4.page, "sd-chat-input").fill("And does it come in");
  const typing = ana.page.locator('[data-testid="agent-typing"]');
  await typing.filter({ hasText: "is typing…" }).waitFor();
  await w(shopper4.page, "sd-chat-input").fill("And does it come in XL?");
  await w(shopper4.page, "sd-chat-input").press("Enter");
  await ana.page.locator('[data-testid="agent-message"]', { hasText: "XL?" }).waitFor();
  assert.equal((await typing.innerText()).trim(), "");

  // Ana types: the shopper sees her name; her reply takes the conversation.
  const reply = ana.page.locator('[data-testid="agent-reply"]');
  await reply.fill("Yes, fully");
  await w(shopper4.page, "sd-chat-typing").filter({ hasText: `${ANA.name} is typing…` }).waitFor();
  // The answer is a canned reply: added once for the team, typed as /shortcut.
  await ana.page.locator('[data-testid="agent-canned-toggle"]').click();
  await ana.page.locator('[data-testid="agent-canned-shortcut"]').fill("waterproof");
  await ana.page.locator('[data-testid="agent-canned-body"]').fill("Yes, fully waterproof, and XL is in stock.");
  await ana.page.locator('[data-testid="agent-canned-add"]').click();
  await ana.page.locator('[data-testid="agent-canned-item"]', { hasText: "/waterproof" }).waitFor();
  await ana.page.locator('[data-testid="agent-canned-toggle"]').click();
  await reply.fill("/water");
  await ana.page.locator('[data-testid="agent-canned-option"]', { hasText: "/waterproof" }).waitFor();
  await reply.press("Enter");
  assert.equal(await reply.inputValue(), "Yes, fully waterproof, and XL is in stock.");
  await reply.press("Enter");
  await w(shopper4.page, "sd-chat-line").filter({ hasText: "XL is in stock" }).waitFor();
  assert.equal((await w(shopper4.page, "sd-chat-typing").innerText()).trim(), "");
  await ana.page.locator('[data-testid="agent-handler"]', { hasText: "You handle this conversation" }).waitFor();
  // The shopper's panel is open: Ana sees the reply was read.
  await ana.page.locator('[data-testid="agent-seen"]').waitFor();

  // Ana's tab goes to the background; the shopper writes: title count and notification.
  await ana.page.evaluate(() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  });
  // Counted: conversations with news for Ana (her own, and the queue's).
  const unread = () => ana.page.evaluate(() => Number(/^\((\d+)\)/.exec(document.title)?.[1] ?? 0));
  const before = await unread();
  await say(shopper4.page, "Great, thanks!");
  await ana.page.waitForFunction((n) => document.title === `(${n}) Shopdesk agent`, before + 1);
  await ana.page.waitForFunction(() => window.__notes.some((n) => n.body.includes("Great, thanks!")));
  await row(ana, shopper4.id).locator('[data-testid="agent-unread"]').waitFor();

  for (const p of [ana, shopper4]) {
    assert.deepEqual(p.problems, []);
    await p.context.close();
  }
});

test("a conversation the shopper left after an answer closes by itself, and the afterChat survey follows", async () => {
  assert.ok(answered, "the first test left an answered conversation open");
  const { page, problems, context } = answered;
  // Closed a minute after Ben's answer: the widget says why, and asks how it went.
  const ended = w(page, "sd-chat-ended");
  await ended.waitFor({ timeout: 90_000 });
  assert.match(await ended.innerText(), /closed after a while without messages/);
  const card = page.locator('shopdesk-widget >> [data-testid="sd-chat"] [data-testid="sd-survey"]');
  await card.waitFor();
  assert.equal(await card.getAttribute("data-kind"), "csat");
  assert.deepEqual(problems, []);
  await context.close();
});

async function say(page, text) {
  await w(page, "sd-chat-input").fill(text);
  await w(page, "sd-chat-input").press("Enter");
}

test("an agent finds an ended conversation by what was said in it and reads it again", async () => {
  const ana = await agentPage(ANA);
  const search = ana.page.locator('[data-testid="agent-search"]');
  await search.fill("norway");
  const found = ana.page.locator('[data-testid="agent-found-item"]');
  await found.first().waitFor();
  assert.equal(await found.count(), 1);
  await ana.page.locator('[data-testid="agent-search-summary"]', { hasText: "1 found" }).waitFor();
  await found.first().click();
  await ana.page.locator('[data-testid="agent-message"]', { hasText: "we ship to Norway" }).waitFor();
  await ana.page.locator('[data-testid="agent-ended"]').waitFor();
  // Nothing found says so; clearing the search brings the list back.
  await search.fill("no such words here");
  await ana.page.locator('[data-testid="agent-search-summary"]', { hasText: "Nothing found" }).waitFor();
  await search.fill("");
  await ana.page.locator('[data-testid="agent-conversations"]').waitFor();
  assert.deepEqual(ana.problems, []);
  await ana.context.close();
});

test("an admin adds an agent from the page, who signs in; disabled, their session ends", async () => {
  const ana = await agentPage(ANA);
  await ana.page.locator('[data-testid="agent-team-toggle"]').click();
  await ana.page.locator('[data-testid="team-account"]').first().waitFor();
  const DEE = { name: "Dee Park", email: "dee@shop.example", password: "a long enough passphrase" };
  // A weak password is refused before anything is sent.
  await ana.page.locator('[data-testid="team-name"]').fill(DEE.name);
  await ana.page.locator('[data-testid="team-email"]').fill(DEE.email);
  await ana.page.locator('[data-testid="team-password"]').fill("short");
  await ana.page.locator('[data-testid="team-add"]').click();
  await ana.page.locator('[data-testid="team-error"]', { hasText: "at least 10 characters" }).waitFor();
  assert.equal(await ana.page.locator(`[data-testid="team-account"][data-email="${DEE.email}"]`).count(), 0);
  await ana.page.locator('[data-testid="team-password"]').fill(DEE.password);
  await ana.page.locator('[data-testid="team-add"]').click();
  await ana.page.locator('[data-testid="team-notice"]', { hasText: `${DEE.email} can sign in now.` }).waitFor();
  const dee = await agentPage(DEE);
  assert.equal(await dee.page.locator('[data-testid="agent-name"]').textContent(), DEE.name);
  assert.equal(await dee.page.locator('[data-testid="agent-team-toggle"]').count(), 0, "agents do not manage the team");

  const row = ana.page.locator(`[data-testid="team-account"][data-email="${DEE.email}"]`);
  await row.locator('[data-testid="team-toggle"]').click();
  await row.locator('[data-testid="team-status"]', { hasText: "Disabled" }).waitFor();
  // Dee's session is over: back at the sign-in form, and her password is refused.
  await dee.page.reload();
  await dee.page.locator('[data-testid="agent-email"]').waitFor();
  await signIn(dee.page, DEE.email, DEE.password);
  await dee.page.locator('[data-testid="agent-signin-error"]', { hasText: "disabled" }).waitFor();
  assert.deepEqual(ana.problems, []);
  await ana.context.close();
  await dee.context.close();
});
