// Surveys on the real demo page against the real server: each kind end to end, the
// triggers, sampling, the caps (cooldown, the gap between surveys, one per page view,
// not while typing), and that a card never takes focus from the page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole } from "./harness.mjs";

const TOKEN = "surveys-test-admin-token";
const demo = demoSite(["--admin-token", TOKEN, "--rate-limit", "0"]);

async function newPage(settings, context) {
  context ??= await demo.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.addInitScript((settings) => {
    window.shopdeskSettings = { feedbackEndpoint: "/v1/feedback", ...settings };
    window.__events = [];
    window.shopdesk = window.shopdesk || [];
    for (const name of ["survey:shown", "survey:submitted"]) {
      window.shopdesk.push(["on", name, (detail) => window.__events.push([name, detail])]);
    }
  }, settings);
  return { context, page, problems };
}

const card = (page) => page.locator('shopdesk-widget >> [data-testid="sd-survey"]');
const events = (page) => page.evaluate(() => window.__events);

/** The server's responses, from its CSV export: [id, kind, score, comment, survey_id]. */
async function stored() {
  const response = await fetch(`${demo.server.url}v1/reports/feedback?format=csv`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  const [, ...rows] = (await response.text()).trim().split("\n");
  return rows.map((r) => r.split(",").slice(0, 5));
}

async function waitStored(surveyId, count = 1) {
  for (let i = 0; i < 100; i++) {
    const rows = (await stored()).filter((r) => r[4] === surveyId);
    if (rows.length >= count) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no stored response for ${surveyId}`);
}

/** The surveys module is mounted (a survey whose trigger can fire on the page loads it). */
const loaded = (page) => page.waitForSelector('shopdesk-widget >> .sd-survey-slot[data-surveys="ready"]', { state: "attached" });
/** Files of the search module or the index a page fetched. */
const searchFiles = (requested) => requested.filter((p) => /shopdesk-widget|\/faq\//.test(p));

test("NPS by showSurvey: score, reason, thanks, stored once; it does not take focus", async () => {
  const { context, page, problems } = await newPage({ surveys: [{ kind: "nps", id: "nps-test" }] });
  await page.goto(demo.server.url);
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.evaluate(() => window.shopdesk.showSurvey("nps-test"));
  await card(page).waitFor();
  assert.equal(await card(page).getAttribute("data-kind"), "nps");
  assert.equal(await page.locator('shopdesk-widget >> [data-testid="sd-score"]').count(), 11);
  // The page keeps focus: the card is announced, not focused.
  assert.equal(await page.evaluate(() => document.activeElement === document.body), true);
  await page.locator('shopdesk-widget >> [data-testid="sd-score"][data-score="9"]').click();
  await page.locator('shopdesk-widget >> [data-testid="sd-survey-comment"]').fill("fast delivery");
  await page.locator('shopdesk-widget >> [data-testid="sd-survey-send"]').click();
  await page.locator('shopdesk-widget >> [data-testid="sd-survey-thanks"]').waitFor();
  const rows = await waitStored("nps-test");
  assert.deepEqual(rows.map((r) => r.slice(1)), [["nps", "9", "fast delivery", "nps-test"]]);
  await card(page).waitFor({ state: "detached", timeout: 5000 });
  const names = (await events(page)).map((e) => e[0]);
  assert.deepEqual(names, ["survey:shown", "survey:submitted"]);
  assert.deepEqual(problems, []);
  await context.close();
});

test("CSAT and CES answer in one click with their own scales", async () => {
  for (const [kind, size, score] of [["csat", 5, 4], ["ces", 7, 6]]) {
    const { context, page, problems } = await newPage({ surveys: [{ kind, id: `${kind}-test` }], surveyGapDays: 0 });
    await page.goto(demo.server.url);
    await page.evaluate((kind) => window.shopdesk.showSurvey(kind), kind);
    await card(page).waitFor();
    assert.equal(await page.locator('shopdesk-widget >> [data-testid="sd-score"]').count(), size);
    await page.locator(`shopdesk-widget >> [data-testid="sd-score"][data-score="${score}"]`).click();
    await page.locator('shopdesk-widget >> [data-testid="sd-survey-thanks"]').waitFor();
    const rows = await waitStored(`${kind}-test`);
    assert.deepEqual(rows.map((r) => r.slice(1, 3)), [[kind, String(score)]]);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test("a trigger after N seconds shows once; dismissing counts; the cooldown holds across page views", async () => {
  const settings = { surveys: [{ kind: "csat", id: "timed", trigger: { afterSeconds: 2 } }] };
  const { context, page, problems } = await newPage(settings);
  const requested = [];
  page.on("request", (r) => requested.push(new URL(r.url()).pathname));
  await page.goto(demo.server.url);
  await loaded(page);
  assert.equal(await card(page).count(), 0);
  await card(page).waitFor({ timeout: 8000 });
  // A survey needs its own module, not the search engine or the index.
  assert.ok(requested.includes("/shopdesk-surveys_bg.wasm"), requested.join("\n"));
  assert.deepEqual(searchFiles(requested), []);
  await page.keyboard.press("Tab");
  await page.locator('shopdesk-widget >> [data-testid="sd-survey-dismiss"]').click();
  await card(page).waitFor({ state: "detached" });
  // Next page view in the same browser: within the cooldown, nothing.
  const second = await newPage(settings, context);
  await second.page.goto(demo.server.url);
  await loaded(second.page);
  await second.page.waitForTimeout(3500);
  assert.equal(await card(second.page).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a URL trigger shows on its page only, following pushState", async () => {
  const { context, page } = await newPage({ surveys: [{ kind: "ces", id: "thanks-page", trigger: { onPage: "/order/thanks*" } }] });
  const requested = [];
  page.on("request", (r) => requested.push(new URL(r.url()).pathname));
  await page.goto(demo.server.url);
  await page.waitForTimeout(1500);
  assert.equal(await card(page).count(), 0);
  // No page of this store view matches yet: nothing of the survey code is fetched.
  assert.deepEqual(requested.filter((p) => /shopdesk-(widget|surveys)/.test(p)), []);
  await page.evaluate(() => history.pushState({}, "", "/order/thanks/1042"));
  await card(page).waitFor({ timeout: 5000 });
  assert.equal(await card(page).getAttribute("data-kind"), "ces");
  assert.deepEqual(searchFiles(requested), []);
  await context.close();
});

test("exit intent on desktop: the mouse leaving towards the tabs", async () => {
  const { context, page } = await newPage({ surveys: [{ kind: "nps", id: "leaving", trigger: "exitIntent" }] });
  await page.goto(demo.server.url);
  await loaded(page);
  await page.mouse.move(600, 400);
  await page.mouse.move(600, 200);
  await page.mouse.move(600, -5);
  await page.evaluate(() => document.dispatchEvent(new MouseEvent("mouseout", { clientY: -5, relatedTarget: null, bubbles: true })));
  await card(page).waitFor({ timeout: 5000 });
  await context.close();
});

test("sampling 0 % never asks; the gap between surveys and one per page view hold", async () => {
  const { context, page, problems } = await newPage({
    surveys: [
      { kind: "nps", id: "never", trigger: { afterSeconds: 0 }, sample: 0 },
      { kind: "csat", id: "first" },
      { kind: "ces", id: "second" },
    ],
  });
  await page.goto(demo.server.url);
  await loaded(page);
  await page.waitForTimeout(1500);
  assert.equal(await card(page).count(), 0, "a 0 % sample was shown");
  await page.evaluate(() => window.shopdesk.showSurvey("first"));
  await card(page).waitFor();
  await page.locator('shopdesk-widget >> [data-testid="sd-survey-dismiss"]').click();
  await page.evaluate(() => window.shopdesk.showSurvey("second"));
  await page.waitForTimeout(500);
  assert.equal(await card(page).count(), 0, "two surveys on one page view");
  // Another page view: the 7-day gap since "first" still holds.
  await page.reload();
  await loaded(page);
  await page.evaluate(() => window.shopdesk.showSurvey("second"));
  await page.waitForTimeout(500);
  assert.equal(await card(page).count(), 0, "the gap between surveys was not kept");
  const memory = await page.evaluate(() => JSON.parse(localStorage.getItem("shopdesk:surveys")));
  assert.ok(memory.shown.never && memory.shown.first && !memory.shown.second, JSON.stringify(memory));
  assert.deepEqual(problems.filter((p) => !p.startsWith("info")), []);
  await context.close();
});

test("never while the shopper is typing: the card waits until they stop", async () => {
  const { context, page } = await newPage({ surveys: [{ kind: "csat", id: "patient" }] });
  await page.goto(demo.server.url);
  await page.locator('shopdesk-widget >> [data-testid="sd-launcher"]').click();
  await loaded(page);
  await page.keyboard.type("refund");
  await page.evaluate(() => window.shopdesk.showSurvey("patient"));
  await page.waitForTimeout(1500);
  assert.equal(await card(page).count(), 0, "a survey appeared while the shopper was typing");
  await page.keyboard.press("Escape");
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await card(page).waitFor({ timeout: 8000 });
  await context.close();
});

test("bad survey settings warn once each and the rest still work", async () => {
  const { context, page, problems } = await newPage({ surveys: [{ kind: "stars" }, { kind: "nps", trigger: "sometimes" }] });
  await page.goto(demo.server.url);
  // Surveys are read in full by the surveys module, which this call loads.
  await page.evaluate(() => window.shopdesk.showSurvey("nps"));
  await card(page).waitFor();
  const ours = problems.filter((p) => p.includes("surveys["));
  assert.equal(ours.length, 2, problems.join("\n"));
  await context.close();
});

test("a surveys module that cannot be fetched: one error for the merchant, search unharmed", async () => {
  const { context, page, problems } = await newPage({ surveys: [{ kind: "csat", id: "timed", trigger: { afterSeconds: 1 } }] });
  await page.route("**/shopdesk-surveys_bg.wasm", (route) => route.fulfill({ status: 404, body: "" }));
  await page.goto(demo.server.url);
  for (let i = 0; i < 100 && !problems.some((p) => p.includes("[shopdesk]")); i++) await page.waitForTimeout(50);
  const ours = problems.filter((p) => p.includes("[shopdesk]"));
  assert.equal(ours.length, 1, problems.join("\n"));
  assert.match(ours[0], /the surveys could not be loaded/);
  await page.click('shopdesk-widget >> [data-testid="sd-launcher"]');
  await page.locator('shopdesk-widget >> [data-testid="sd-input"]').fill("paypal");
  await page.locator('shopdesk-widget >> [data-testid="sd-result"]').first().waitFor();
  assert.equal(await card(page).count(), 0);
  await context.close();
});
