// "Search gaps" on the agent page, for admins, against the real server: the report of
// what shoppers could not find with its charts, shoppers' words shown as text, the CSV
// download, and nothing of it for agents who are not admins.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { demoSite, watchConsole, signIn } from "./harness.mjs";

const ADMIN = { name: "Ana Lima", email: "ana@shop.example", password: "correct horse battery", role: "admin" };
const AGENT = { name: "Ben Ode", email: "ben@shop.example", password: "correct horse battery", role: "agent" };
const demo = demoSite(["--rate-limit", "0"], [ADMIN, AGENT]);

/** Posts as the store page would (its origin is the server's own here). */
async function post(path, body) {
  const origin = demo.server.url.replace(/\/$/, "");
  const response = await fetch(`${demo.server.url}${path.slice(1)}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: origin },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 201, await response.text());
}

const now = () => new Date().toISOString();

async function seed() {
  const session = (searches, escalated = false) => post("/v1/searches", { id: randomUUID(), locale: "en", started_at: now(), escalated, searches });
  await session([{ query: "xylophone repair", results: 0 }, { query: "size", results: 2, opened: "size-guide", helpful: false }]);
  await session([{ query: "xylophone repair", results: 0 }], true);
  await session([{ query: "return", results: 1, opened: "return-policy" }]);
  await post("/v1/feedback", {
    id: randomUUID(), kind: "article", score: 0, article_id: "size-guide", created_at: now(),
    comment: '<img src=x onerror="document.title=\'pwned\'"> no EU sizes',
  });
}

async function signedIn(who) {
  const context = await demo.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${demo.server.url}agent/`);
  await signIn(page, who.email, who.password);
  await page.locator('[data-testid="agent-name"]').waitFor();
  return { context, page, problems };
}

const cells = (page, testid) =>
  page.locator(`[data-testid="${testid}"] tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent.trim())));

test("an admin sees what shoppers could not find, with charts, comments as text and a CSV download", async () => {
  await seed();
  const { context, page, problems } = await signedIn(ADMIN);
  await page.locator('[data-testid="agent-gaps-toggle"]').click();
  const summary = page.locator('[data-testid="gaps-summary"]');
  await summary.waitFor();
  assert.match(await summary.textContent(), /3 search sessions: 66\.7 % self-served .* 33\.3 % asked a person/);
  assert.deepEqual(await cells(page, "gaps-no-results"), [["xylophone repair", "en", "2", "2"]]);
  assert.deepEqual(await cells(page, "gaps-escalated-searches"), [["xylophone repair", "en", "1", "1"]]);
  const unhelpful = await cells(page, "gaps-unhelpful");
  assert.equal(unhelpful[0][0], "size-guide");
  assert.ok(unhelpful[0][3].includes('<img src=x onerror="document.title=\'pwned\'"> no EU sizes'), unhelpful[0][3]);
  assert.equal(await page.locator('[data-testid="gaps-unhelpful"] img').count(), 0, "a comment is text, never markup");
  assert.notEqual(await page.title(), "pwned");

  // Both charts are drawn (by the server, as images), one mark per day with sessions.
  for (const chart of ["gaps-chart-rates", "gaps-chart-sessions"]) {
    const img = page.locator(`[data-testid="${chart}"] img`);
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
  }
  const rates = page.locator('[data-testid="gaps-chart-rates"] img');
  assert.match(await rates.getAttribute("alt"), /Self-served 66\.7 %/);
  const svg = await page.evaluate(async (src) => (await fetch(src)).text(), await rates.getAttribute("src"));
  assert.equal((svg.match(/<circle/g) || []).length, 2, "two rates for today");

  // The CSV: every search of the period, with the admin's session.
  const download = page.waitForEvent("download");
  await page.locator('[data-testid="gaps-csv"]').click();
  const file = await (await download).path();
  const csv = (await import("node:fs")).readFileSync(file, "utf8").trim().split("\n");
  assert.equal(csv[0], "day,locale,session,position,query,results,opened,helpful,escalated");
  assert.equal(csv.length, 1 + 4);

  // A shorter period asks the server again.
  await page.locator('[data-testid="gaps-period"]').selectOption("7");
  await summary.waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test("agents who are not admins get no search gaps", async () => {
  const { context, page, problems } = await signedIn(AGENT);
  assert.equal(await page.locator('[data-testid="agent-gaps-toggle"]').count(), 0);
  const status = await page.evaluate(async () => (await fetch("/v1/reports/searches")).status);
  assert.equal(status, 403);
  assert.deepEqual(problems.filter((p) => !p.includes("403")), []);
  await context.close();
});
