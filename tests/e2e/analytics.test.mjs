// Search analytics on the real demo page with the real server: one record per search
// session with the right fields and nothing else, personal-looking queries dropped in
// the browser, nothing recorded with `analytics: false` or before consent, escalation
// ending a session, and sessions surviving an outage through the outbox.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, openWidget } from "./harness.mjs";

const ADMIN = "analytics-test-admin-token";
const AGENT = "analytics-test-agent-token";
const demo = demoSite(["--admin-token", ADMIN, "--agent-token", AGENT, "--rate-limit", "0"]);
const SETTINGS = { feedbackEndpoint: "/v1/feedback", chatEndpoint: "/v1/chat" };
/** Longer than the widget's pause before a search counts (700 ms). */
const PAUSE_MS = 1000;

const w = (page, testid) => page.locator(`shopdesk-widget >> [data-testid="${testid}"]`);

async function shopperPage(settings = SETTINGS) {
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchConsole(page);
  const posted = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/v1/searches" && r.method() === "POST") posted.push(JSON.parse(r.postData()));
  });
  await page.addInitScript((settings) => {
    window.shopdeskSettings = settings;
  }, settings);
  await page.goto(demo.server.url);
  await openWidget(page);
  return { context, page, problems, posted };
}

/** Types `query` and pauses, so the search counts. */
async function search(page, query) {
  await w(page, "sd-input").fill(query);
  await page.waitForTimeout(PAUSE_MS);
}

/** The page is hidden, as when the shopper switches away or leaves. */
async function hide(page) {
  await page.evaluate(() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    document.dispatchEvent(new Event("visibilitychange"));
    delete document.hidden;
  });
}

async function waitFor(check, what, ms = 15_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const found = await check();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every stored search as CSV rows (day, locale, session, position, query, results,
 * opened, helpful, escalated). */
async function storedSearches() {
  const response = await fetch(`${demo.server.url}v1/reports/searches?format=csv`, {
    headers: { Authorization: `Bearer ${ADMIN}` },
  });
  assert.equal(response.status, 200);
  const [, ...rows] = (await response.text()).trim().split("\n");
  return rows.filter(Boolean).map((r) => r.split(","));
}

const outbox = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("shopdesk:outbox") || "[]"));

test("a search session is one record: each search once, what was read, the vote, and nothing about the shopper", async () => {
  const { context, page, problems, posted } = await shopperPage();
  // Typed in steps with pauses between: one search, with the final words.
  await search(page, "retur");
  await search(page, "return");
  await w(page, "sd-result").first().click();
  await w(page, "sd-helpful-yes").click();
  await w(page, "sd-back").click();
  await search(page, "Xylophone repair?");
  assert.deepEqual(posted, [], "nothing is sent while the shopper searches");
  await hide(page);
  const [session] = await waitFor(() => posted.length && posted, "the session to be posted");
  assert.deepEqual(Object.keys(session).sort(), ["escalated", "id", "locale", "searches", "started_at"]);
  assert.match(session.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(session.locale, "en");
  assert.equal(session.escalated, false);
  assert.ok(Math.abs(Date.parse(session.started_at) - Date.now()) < 60_000, session.started_at);
  assert.deepEqual(session.searches, [
    { query: "return", results: session.searches[0].results, opened: "return-policy", helpful: true },
    { query: "xylophone repair", results: 0 },
  ]);
  assert.ok(session.searches[0].results > 0);

  const rows = await waitFor(async () => {
    const ours = (await storedSearches()).filter((r) => r[2] === session.id);
    return ours.length === 2 && ours;
  }, "the server to store it");
  assert.deepEqual(rows.map((r) => [r[4], r[6], r[7], r[8]]), [
    ["return", "return-policy", "yes", "false"],
    ["xylophone repair", "", "", "false"],
  ]);
  // Hidden again with nothing new: nothing more is sent.
  await hide(page);
  await page.waitForTimeout(500);
  assert.equal(posted.length, 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a search typed just before leaving counts, without waiting for the pause", async () => {
  const { context, page, problems, posted } = await shopperPage();
  await search(page, "shipping");
  // Typed, then the page is hidden at once: well inside the widget's pause.
  await w(page, "sd-input").fill("returns");
  await w(page, "sd-result").first().waitFor();
  await hide(page);
  const [session] = await waitFor(() => posted.length && posted, "the session to be posted");
  assert.deepEqual(session.searches.map((s) => s.query), ["shipping", "returns"]);
  assert.ok(session.searches[1].results > 0);
  // The pause that was due does not count it a second time.
  await page.waitForTimeout(PAUSE_MS);
  await hide(page);
  await page.waitForTimeout(500);
  assert.equal(posted.length, 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test("queries that look like an email, a phone or an order number never leave the browser", async () => {
  const { context, page, problems, posted } = await shopperPage();
  await search(page, "ana.lopez@mail.example");
  await search(page, "+49 30 1234567");
  await search(page, "where is order #10423");
  await hide(page);
  await page.waitForTimeout(1500);
  assert.deepEqual(posted, [], "a session of personal-looking queries only is not sent");
  await search(page, "shipping");
  await search(page, "call me 0176 1234567");
  await w(page, "sd-input").press("Enter").catch(() => {});
  await hide(page);
  const [session] = await waitFor(() => posted.length && posted, "the session to be posted");
  assert.deepEqual(session.searches.map((s) => s.query), ["shipping"]);
  const body = JSON.stringify(posted);
  for (const personal of ["@", "1234567", "10423"]) assert.ok(!body.includes(personal), `${personal} left the browser`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("with analytics: false nothing is recorded or sent", async () => {
  const { context, page, problems, posted } = await shopperPage({ ...SETTINGS, analytics: false });
  await search(page, "size");
  await w(page, "sd-result").first().click();
  await hide(page);
  await page.waitForTimeout(1500);
  assert.deepEqual(posted, []);
  assert.deepEqual((await outbox(page)).filter((i) => i.endpoint.includes("searches")), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test("with consentRequired nothing is recorded before shopdesk.consent(true), and consent(false) drops what was", async () => {
  const { context, page, problems, posted } = await shopperPage({ ...SETTINGS, consentRequired: true });
  await search(page, "password");
  await hide(page);
  await page.waitForTimeout(1500);
  assert.deepEqual(posted, [], "before consent");

  await page.evaluate(() => window.shopdesk.consent(true));
  await search(page, "size");
  await page.evaluate(() => window.shopdesk.consent(false));
  await hide(page);
  await page.waitForTimeout(1500);
  assert.deepEqual(posted, [], "consent withdrawn: the session is dropped");

  await page.evaluate(() => window.shopdesk.consent(true));
  await search(page, "track my order");
  await hide(page);
  const [session] = await waitFor(() => posted.length && posted, "the session to be posted");
  assert.deepEqual(session.searches.map((s) => s.query), ["track my order"]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("asking a person ends the session as escalated, with what was searched", async () => {
  const { context, page, posted } = await shopperPage();
  await search(page, "gift wrapping");
  await w(page, "sd-chat-offer").click();
  await page.waitForFunction(() => {
    const chat = document.querySelector("shopdesk-widget").shadowRoot.querySelector('[data-testid="sd-chat"]');
    return chat && chat.dataset.reach !== "unknown";
  });
  if ((await w(page, "sd-chat").getAttribute("data-reach")) === "away") await w(page, "sd-chat-email").fill("shopper@example.com");
  await w(page, "sd-chat-input").fill("Can you gift wrap my order?");
  await w(page, "sd-chat-input").press("Enter");
  const [session] = await waitFor(() => posted.length && posted, "the escalated session to be posted", 20_000);
  assert.equal(session.escalated, true);
  assert.deepEqual(session.searches.map((s) => s.query), ["gift wrapping"]);
  const report = await waitFor(async () => {
    const r = await fetch(`${demo.server.url}v1/reports/searches`, { headers: { Authorization: `Bearer ${ADMIN}` } });
    const json = await r.json();
    return json.escalated_searches.some((q) => q.query === "gift wrapping") && json;
  }, "the report to list it");
  assert.ok(report.totals.escalated >= 1);
  await context.close();
});

test("a session recorded while the endpoint is down is delivered on the next page", async () => {
  const { context, page, problems, posted } = await shopperPage();
  await page.route("**/v1/searches", (route) => route.abort("connectionrefused"));
  await search(page, "loyalty points");
  await hide(page);
  const waiting = await waitFor(async () => {
    const items = (await outbox(page)).filter((i) => i.endpoint.endsWith("/v1/searches"));
    return items.length && items;
  }, "the session to wait in the outbox");
  const id = waiting[0].event.id;
  await page.unroute("**/v1/searches");
  await page.reload();
  await waitFor(async () => (await outbox(page)).length === 0, "the outbox to empty");
  const rows = (await storedSearches()).filter((r) => r[2] === id);
  assert.deepEqual(rows.map((r) => r[4]), ["loyalty points"]);
  assert.ok(posted.length >= 1);
  // The refused attempts are the outbox's to retry, not the shopper's problem.
  assert.deepEqual(problems.filter((p) => p.includes("[shopdesk]")), []);
  await context.close();
});
