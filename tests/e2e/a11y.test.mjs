// Accessibility: axe-core (WCAG 2.1 A and AA rules) against the widget's shadow tree in
// every state a shopper meets (closed, a survey card and its follow-up question, open,
// results, an answer, feedback, no results, a live chat waiting, talking and ended),
// in the default look and in the dark scheme with a light brand colour (its text and
// accents are computed for contrast).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { demoSite, watchConsole, openWidget, signIn } from "./harness.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const AGENT = "a11y-test-agent-token-0001";
const ANA = { name: "Ana Lima", email: "ana@shop.example", password: "correct horse battery", role: "admin" };
const demo = demoSite(["--agent-token", AGENT, "--rate-limit", "0"], [ANA]);

/** axe's violations on the whole agent page. */
async function pageViolations(page) {
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${JSON.stringify(n.target)} ${n.failureSummary}`));
  });
}

test("axe finds no WCAG 2.1 AA violations on the agent page: sign-in, a refused sign-in, the desk, the team, search gaps", async () => {
  // The agent page's own Content-Security-Policy refuses injected scripts, axe
  // included: the audit's context sets it aside (`csp.test.mjs` checks the page under it).
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  // A conversation waiting, so the desk has a list and an open conversation to check.
  const started = await fetch(`${demo.server.url}v1/chat`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: demo.server.url.replace(/\/$/, "") },
    body: JSON.stringify({ page_url: demo.server.url, searched: ["return label"] }),
  });
  assert.equal(started.status, 201);
  // A search session, so the admin's "Search gaps" has a report, charts and tables.
  const session = await fetch(`${demo.server.url}v1/searches`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: demo.server.url.replace(/\/$/, "") },
    body: JSON.stringify({
      id: "00000000-0000-4000-8000-00000000a11e", locale: "en", started_at: new Date().toISOString(), escalated: true,
      searches: [{ query: "xylophone", results: 0 }, { query: "returns", results: 2, opened: "return-policy", helpful: false }],
    }),
  });
  assert.equal(session.status, 201);
  await page.goto(`${demo.server.url}agent/`);
  await page.locator('[data-testid="agent-email"]').waitFor();
  await page.addScriptTag({ path: AXE });
  const found = {};
  found.signIn = await pageViolations(page);
  await signIn(page, ANA.email, "not the password");
  await page.locator('[data-testid="agent-signin-error"]', { hasText: "Wrong" }).waitFor();
  found.refused = await pageViolations(page);
  await page.locator('[data-testid="agent-password"]').fill(ANA.password);
  await page.locator('[data-testid="agent-signin"]').click();
  await page.locator('[data-testid="agent-status"][data-state="connected"]').waitFor();
  await page.locator('[data-testid="agent-conversation"]').first().click();
  await page.locator('[data-testid="agent-reply"]').waitFor();
  // Routed to Ana, the only agent: hers, with the hand-over controls.
  await page.locator('[data-testid="agent-handover"]').waitFor();
  found.desk = await pageViolations(page);
  // Put back in the queue (not routed straight back to Ana: "Take it"), with the
  // shopper typing.
  const { id, token } = await started.json();
  const back = await fetch(`${demo.server.url}v1/agent/conversations/${id}/assign`, {
    method: "POST",
    headers: { Authorization: `Bearer ${AGENT}`, "Content-Type": "application/json" },
    body: JSON.stringify({ to: null }),
  });
  assert.equal(back.status, 200);
  await page.locator('[data-testid="agent-take"]').waitFor();
  const typing = await fetch(`${demo.server.url}v1/chat/${id}/typing`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, Origin: demo.server.url.replace(/\/$/, "") },
  });
  assert.equal(typing.status, 204);
  await page.locator('[data-testid="agent-typing"]', { hasText: "is typing" }).waitFor();
  found.queueAndTyping = await pageViolations(page);
  // The canned replies panel with one reply, and the reply box offering it.
  await page.locator('[data-testid="agent-canned-toggle"]').click();
  await page.locator('[data-testid="agent-canned-shortcut"]').fill("thanks");
  await page.locator('[data-testid="agent-canned-body"]').fill("Thank you for waiting!");
  await page.locator('[data-testid="agent-canned-add"]').click();
  await page.locator('[data-testid="agent-canned-item"]').waitFor();
  await page.locator('[data-testid="agent-reply"]').fill("/tha");
  await page.locator('[data-testid="agent-canned-option"]').waitFor();
  found.canned = await pageViolations(page);
  // A search over every conversation, with its results.
  await page.locator('[data-testid="agent-search"]').fill("return label");
  await page.locator('[data-testid="agent-found-item"]').first().waitFor();
  found.search = await pageViolations(page);
  // An admin's view of the team.
  await page.locator('[data-testid="agent-team-toggle"]').click();
  await page.locator('[data-testid="team-account"]').first().waitFor();
  found.team = await pageViolations(page);
  // An admin's search gaps: summary, charts, tables.
  await page.locator('[data-testid="agent-gaps-toggle"]').click();
  await page.locator('[data-testid="gaps-no-results"]').waitFor();
  found.gaps = await pageViolations(page);
  for (const [state, list] of Object.entries(found)) assert.deepEqual(list, [], `agent page, ${state}`);
  await context.close();
});

/** axe's violations inside the widget, as "rule: target" lines. */
async function violations(page) {
  return page.evaluate(async () => {
    const result = await window.axe.run(document.querySelector("shopdesk-widget"), {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${JSON.stringify(n.target)} ${n.failureSummary}`));
  });
}

const LOOKS = {
  default: {},
  "dark, light brand colour": { colorScheme: "dark", brandColor: "#ffd700" },
};

for (const [name, look] of Object.entries(LOOKS)) test(`axe finds no WCAG 2.1 AA violations in any state of the widget (${name})`, async () => {
  const context = await demo.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.addInitScript((look) => {
    window.shopdeskSettings = { feedbackEndpoint: "/v1/feedback", chatEndpoint: "/v1/chat", ...look };
    window.shopdesk = window.shopdesk || [];
    window.shopdesk.push(["on", "escalate", ({ id }) => (window.__chat = id)]);
  }, look);
  await page.route("**/v1/feedback", (route) => route.fulfill({ status: 202, body: "" }));
  await page.goto(demo.server.url);
  await page.waitForSelector('shopdesk-widget >> [data-testid="sd-launcher"]');
  await page.addScriptTag({ path: AXE });
  const found = {};
  found.closed = await violations(page);
  // showSurvey fetches the widget module (nothing loads without a reason).
  await page.evaluate(() => window.shopdesk.showSurvey("nps"));
  await page.locator('shopdesk-widget >> [data-testid="sd-survey"]').waitFor();
  // Colours are checked once the card has finished sliding in (it fades in).
  await page.locator('shopdesk-widget >> [data-testid="sd-survey"]').evaluate((e) => Promise.all(e.getAnimations().map((a) => a.finished)));
  found.survey = await violations(page);
  await page.locator('shopdesk-widget >> [data-testid="sd-score"][data-score="3"]').click();
  found.surveyReason = await violations(page);
  await page.locator('shopdesk-widget >> [data-testid="sd-survey-dismiss"]').click();
  await openWidget(page);
  await page.locator('shopdesk-widget >> [data-testid="sd-panel"]').evaluate((e) => Promise.all(e.getAnimations().map((a) => a.finished)));
  found.open = await violations(page);
  await page.keyboard.type("retrun polcy");
  await page.locator('shopdesk-widget >> [data-testid="sd-result"]').first().waitFor();
  await page.keyboard.press("ArrowDown");
  found.results = await violations(page);
  await page.keyboard.press("Enter");
  await page.locator('shopdesk-widget >> [data-testid="sd-article"]').waitFor();
  found.article = await violations(page);
  await page.locator('shopdesk-widget >> [data-testid="sd-helpful-no"]').click();
  found.feedback = await violations(page);
  await page.locator('shopdesk-widget >> [data-testid="sd-back"]').click();
  await page.locator('shopdesk-widget >> [data-testid="sd-input"]').fill("xylophone");
  await page.locator('shopdesk-widget >> [data-testid="sd-status"]', { hasText: "No answers" }).waitFor();
  found.noResults = await violations(page);
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-offer"]').click();
  await page.locator('shopdesk-widget >> [data-testid="sd-chat"]').waitFor();
  // Nobody is signed in on the agent page: "Leave a message", with the email required.
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-email"]').waitFor();
  found.chat = await violations(page);
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-input"]').fill("Can I change my delivery address?");
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-suggestion"]').first().waitFor();
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-suggestion"] button').first().click();
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-send"]').click();
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-email-problem"]', { hasText: "email" }).waitFor();
  found.chatForm = await violations(page);
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-email"]').fill("ben@example.com");
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-send"]').click();
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-line"][data-delivery="sent"]').waitFor();
  const chat = await page.waitForFunction(() => window.__chat).then((h) => h.jsonValue());
  const agent = (path, body) =>
    fetch(`${demo.server.url}v1/agent/conversations/${chat}/${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${AGENT}`, "Content-Type": "application/json" },
      body: body && JSON.stringify(body),
    });
  await agent("messages", { id: crypto.randomUUID(), body: "Yes, until it ships." });
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-line"][data-author="agent"]').waitFor();
  found.chatTalking = await violations(page);
  await agent("close");
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-ended"]').waitFor();
  found.chatEnded = await violations(page);
  for (const [state, list] of Object.entries(found)) assert.deepEqual(list, [], `${state}:\n${list.join("\n")}`);
  assert.deepEqual(problems, []);
  await context.close();
});
