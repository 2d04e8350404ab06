// A response given is a response kept: the widget's outbox against the real server and
// its SQLite store, with the endpoint down, rate limiting, and flapping.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole, openWidget, rateArticle } from "./harness.mjs";

const TOKEN = "outbox-test-admin-token";
const demo = demoSite(["--admin-token", TOKEN, "--rate-limit", "0"]);

async function newPage() {
  const context = await demo.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.addInitScript(() => {
    window.shopdeskSettings = { feedbackEndpoint: "/v1/feedback" };
  });
  return { context, page, problems };
}

const shadow = (page, selector) => page.locator(`shopdesk-widget >> ${selector}`);

/** Every response the server stored, by id (from its CSV export). */
async function storedIds() {
  const response = await fetch(`${demo.server.url}v1/reports/feedback?format=csv`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(response.status, 200);
  const [, ...rows] = (await response.text()).trim().split("\n");
  return rows.map((r) => r.split(",")[0]);
}

async function waitFor(check, what, ms = 30_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The feedback responses waiting in the outbox (search sessions, which leaving a page
 * also puts there, are analytics.test.mjs's). */
const outbox = (page) =>
  page.evaluate(() => JSON.parse(localStorage.getItem("shopdesk:outbox") || "[]").filter((i) => i.endpoint.endsWith("/v1/feedback")));

test("endpoint down, answer, reload, endpoint back: the response is stored exactly once", async () => {
  const before = (await storedIds()).length;
  const { context, page, problems } = await newPage();
  await page.route("**/v1/feedback", (route) => route.abort("connectionrefused"));
  await page.goto(demo.server.url);
  await openWidget(page);
  await rateArticle(page, "refund");
  const waiting = await outbox(page);
  assert.equal(waiting.length, 1);
  const id = waiting[0].event.id;

  // The shopper moves on while the endpoint is still down.
  const requested = [];
  page.on("request", (r) => requested.push(new URL(r.url()).pathname));
  await page.reload();
  await page.waitForFunction(() => window.performance.getEntriesByName("shopdesk:interactive").length === 1);
  assert.equal((await outbox(page)).length, 1);
  // The endpoint comes back; the outbox module (loaded when the browser is idle, without
  // the search module) delivers.
  await page.unroute("**/v1/feedback");
  await waitFor(async () => requested.includes("/shopdesk-outbox_bg.wasm"), `the outbox module to load (requested: ${requested.join(" ")}; console: ${problems.join(" | ")})`);
  await page.waitForTimeout(200);
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await waitFor(async () => (await outbox(page)).length === 0, "the outbox to empty");
  assert.deepEqual(requested.filter((p) => /shopdesk-widget|\/faq\//.test(p)), [], "delivering loaded the search module");
  const ids = await storedIds();
  assert.equal(ids.length, before + 1);
  assert.equal(ids.filter((i) => i === id).length, 1);
  const ours = problems.filter((p) => p.includes("[shopdesk]"));
  assert.deepEqual(ours, []);
  await context.close();
});

test("429 with Retry-After is honoured before the next attempt", async () => {
  const { context, page } = await newPage();
  const attempts = [];
  await page.route("**/v1/feedback", (route) => {
    attempts.push(Date.now());
    if (attempts.length === 1) {
      return route.fulfill({ status: 429, headers: { "Retry-After": "3" }, contentType: "application/json", body: '{"error":"slow down"}' });
    }
    return route.continue();
  });
  await page.goto(demo.server.url);
  await openWidget(page);
  await rateArticle(page, "shipping");
  await waitFor(async () => (await outbox(page)).length === 0, "delivery after Retry-After", 20_000);
  assert.equal(attempts.length, 2);
  const waited = attempts[1] - attempts[0];
  assert.ok(waited >= 2_900, `retried after ${waited} ms`);
  await context.close();
});

test("50 responses given while the endpoint flaps are all stored exactly once", async () => {
  const before = new Set(await storedIds());
  const { context, page, problems } = await newPage();
  let n = 0;
  // Every other request fails: a refused connection, then a 503, in turn.
  await page.route("**/v1/feedback", (route) => {
    n++;
    if (n % 4 === 1) return route.abort("connectionrefused");
    if (n % 4 === 3) return route.fulfill({ status: 503, contentType: "application/json", body: '{"error":"down"}' });
    return route.continue();
  });
  await page.goto(demo.server.url);
  await openWidget(page);
  const queries = ["refund", "shipping", "payment", "return", "delivery"];
  for (let i = 0; i < 50; i++) await rateArticle(page, queries[i % queries.length], i % 3 !== 0);
  await waitFor(async () => (await outbox(page)).length === 0, "all 50 to be delivered", 120_000);
  const added = (await storedIds()).filter((id) => !before.has(id));
  assert.equal(added.length, 50);
  assert.equal(new Set(added).size, 50);
  assert.ok(n > 50, `only ${n} requests: the flapping never happened`);
  assert.deepEqual(problems.filter((p) => p.includes("[shopdesk]")), []);
  await context.close();
});

test("the outbox is bounded: past 100 unsent responses the oldest is dropped, with a warning", async () => {
  const { context, page, problems } = await newPage();
  // 100 responses from earlier page views, waiting for a retry far in the future.
  await page.addInitScript(() => {
    if (localStorage.getItem("shopdesk:outbox")) return;
    const items = Array.from({ length: 100 }, (_, i) => ({
      endpoint: "/v1/feedback",
      event: { id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, kind: "nps", score: 5, created_at: "2026-11-20T12:00:00Z" },
      attempts: 3,
      not_before: Date.now() + 3_600_000,
    }));
    localStorage.setItem("shopdesk:outbox", JSON.stringify(items));
  });
  await page.route("**/v1/feedback", (route) => route.abort("connectionrefused"));
  await page.goto(demo.server.url);
  await openWidget(page);
  await rateArticle(page, "refund");
  const items = await outbox(page);
  assert.equal(items.length, 100);
  assert.equal(items[0].event.id, "00000000-0000-4000-8000-000000000001", "the oldest was not the one dropped");
  assert.equal(items[99].event.kind, "article");
  const warnings = problems.filter((p) => p.includes("[shopdesk] the feedback outbox holds at most 100"));
  assert.equal(warnings.length, 1, problems.join("\n"));
  await context.close();
});

test("shutdown stops the outbox: nothing more is sent or stored", async () => {
  const { context, page } = await newPage();
  let posts = 0;
  await page.route("**/v1/feedback", (route) => {
    posts++;
    return route.fulfill({ status: 503, headers: { "Retry-After": "1" }, contentType: "application/json", body: '{"error":"down"}' });
  });
  await page.goto(demo.server.url);
  await openWidget(page);
  await rateArticle(page, "refund");
  assert.equal((await outbox(page)).length, 1);
  await page.evaluate(() => window.shopdesk.shutdown());
  const after = posts;
  await page.waitForTimeout(2500);
  assert.equal(posts, after, "the outbox kept sending after shutdown");
  const ours = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("shopdesk:")));
  assert.deepEqual(ours, []);
  await context.close();
});
