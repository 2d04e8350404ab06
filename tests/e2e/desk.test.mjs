// Two agents in two browsers and shoppers on the real demo page: waiting conversations
// go to the agents in turn (one each here), the rest wait; "Take it"; handing a
// conversation to a colleague; a colleague's conversation is not answered by mistake;
// the shopper sees who took their question and who answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, openWidget } from "./harness.mjs";

const ANA = { name: "Ana Lima", email: "ana@shop.example", password: "correct horse battery" };
const BEN = { name: "Ben Ode", email: "ben@shop.example", password: "battery staple horse" };
const demo = demoSite(["--rate-limit", "0", "--chats-per-agent", "1"], [ANA, BEN]);

const SETTINGS = { feedbackEndpoint: "/v1/feedback", chatEndpoint: "/v1/chat" };

const w = (page, testid) => page.locator(`shopdesk-widget >> [data-testid="${testid}"]`);

async function agentPage(who) {
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${demo.server.url}agent/`);
  await page.locator('[data-testid="agent-email"]').fill(who.email);
  await page.locator('[data-testid="agent-password"]').fill(who.password);
  await page.locator('[data-testid="agent-signin"]').click();
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
  return (await handler.innerText()).replace("Handled by: ", "").trim();
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
  await handledBy(ana, first.id, /^(You|Ben Ode)$/);
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

  for (const p of [ana, ben, first, second, third]) {
    assert.deepEqual(p.problems, []);
    await p.context.close();
  }
});
