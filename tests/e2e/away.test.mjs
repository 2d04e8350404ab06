// When nobody is there, on the real demo page with the real server and a local SMTP
// sink (`smtp-sink`, 127.0.0.1 only): outside office hours the shopper leaves a message
// with their email and closes the page; an agent answers; the email arrives, and its
// link reopens the conversation with the answer. Also the pre-chat form in each mode,
// FAQ suggestions while the first message is written, and a link that opens nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, buildSite, startServer, launchBrowser, watchConsole, openWidget, signIn } from "./harness.mjs";

const AGENT = "away-test-agent-token-0001";
const SETTINGS = { chatEndpoint: "/v1/chat", feedbackEndpoint: "/v1/feedback" };
const ZONE = "Europe/Berlin";
const ANA = { name: "Ana Lima", email: "ana@shop.example", password: "correct horse battery" };

const fixture = { site: null, closed: null, open: null, sink: null, mail: null, browser: null, dir: null };

/** The SMTP sink on a free port of 127.0.0.1, writing each message to `dir`. */
function startSink(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, "target/debug/smtp-sink"), ["--dir", dir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.on("exit", (code) => reject(new Error(`smtp-sink exited with ${code}`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/SMTP sink: 127\.0\.0\.1:(\d+)/);
      if (m) resolve({ port: m[1], stop: () => child.kill() });
    });
  });
}

/** Office hours open every day but closed today and tomorrow (UTC): back the day
 * after at 00:00 UTC. */
function closedHours(dir) {
  const day = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const all = '["00:00-24:00"]';
  const days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
  const file = path.join(dir, "closed.toml");
  writeFileSync(
    file,
    `[office_hours]\ntime_zone = "UTC"\n${days.map((d) => `${d} = ${all}`).join("\n")}\nclosed_on = ["${day(0)}", "${day(1)}"]\n`,
  );
  const back = new Date(`${day(2)}T00:00:00Z`);
  return { file, back };
}

let back;

before(async () => {
  fixture.dir = mkdtempSync(path.join(tmpdir(), "shopdesk-away-"));
  fixture.mail = path.join(fixture.dir, "inbox");
  fixture.sink = await startSink(fixture.mail);
  const hours = closedHours(fixture.dir);
  back = hours.back;
  fixture.site = buildSite();
  const smtp = [
    "--smtp-host", "127.0.0.1", "--smtp-port", fixture.sink.port, "--smtp-security", "none",
    "--mail-from", "Demo Store <help@shop.example>", "--agent-token", AGENT, "--rate-limit", "0",
  ];
  fixture.closed = await startServer(fixture.site, "debug", ["--config", hours.file, ...smtp], [ANA]);
  fixture.open = await startServer(fixture.site, "debug", smtp);
  fixture.browser = await launchBrowser();
});

after(async () => {
  await fixture.browser?.close();
  fixture.closed?.stop();
  fixture.open?.stop();
  fixture.sink?.stop();
  for (const dir of [fixture.site, fixture.dir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const w = (page, testid) => page.locator(`shopdesk-widget >> [data-testid="${testid}"]`);

async function shopperPage(server, settings = SETTINGS, url = server.url, before = () => {}) {
  const context = await fixture.browser.newContext({
    viewport: { width: 1280, height: 900 },
    timezoneId: ZONE,
    locale: "en-US",
  });
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.addInitScript((settings) => {
    window.shopdeskSettings = settings;
    window.__events = [];
    window.shopdesk = window.shopdesk || [];
    for (const name of ["escalate", "chat:suggestion"]) {
      window.shopdesk.push(["on", name, (detail) => window.__events.push([name, detail])]);
    }
  }, settings);
  await before(page);
  await page.goto(url);
  return { context, page, problems };
}

async function agentApi(server, apiPath, body) {
  const response = await fetch(`${server.url}v1/agent/${apiPath}`, {
    method: body ? "POST" : "GET",
    headers: { Authorization: `Bearer ${AGENT}`, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.status === 204 ? null : response.json();
}

/** The conversation the widget started (its `escalate` event), waiting up to 15 s: a
 * start is a database write, slow on a busy machine. */
async function conversationOf(page) {
  for (let i = 0; i < 300; i++) {
    const started = (await page.evaluate(() => window.__events)).find((e) => e[0] === "escalate");
    if (started) return started[1].id;
    await page.waitForTimeout(50);
  }
  throw new Error("no escalate event");
}

/** The handoff the conversation started with, as the agents' API shows it. */
async function handoffOf(server, id) {
  const { events } = await agentApi(server, `conversations/${id}`);
  return events.find((e) => e.type === "started").handoff;
}

/** Waits for the sink's `n`th message and returns it, quoted-printable undone. */
async function email(n) {
  for (let i = 0; i < 200; i++) {
    const files = readdirSync(fixture.mail).sort();
    if (files.length >= n) {
      const raw = readFileSync(path.join(fixture.mail, files[n - 1]), "utf8");
      return raw.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`email ${n} never arrived`);
}

/** Keeps an agent connected to `server` (the automation token's stream counts). */
async function agentOnline(server) {
  const abort = new AbortController();
  const response = await fetch(`${server.url}v1/agent/events`, {
    headers: { authorization: `Bearer ${AGENT}` },
    signal: abort.signal,
  });
  assert.equal(response.status, 200);
  return () => abort.abort();
}

test("outside office hours a message left with an email is answered by email, and the link reopens it", async () => {
  const shopper = await shopperPage(fixture.closed, SETTINGS, `${fixture.closed.url}?utm=mail`);
  const { page } = shopper;
  await openWidget(page);
  const offer = w(page, "sd-chat-offer");
  await page.waitForFunction(
    () => document.querySelector("shopdesk-widget").shadowRoot.querySelector('[data-testid="sd-chat-offer"]')?.textContent === "Leave a message",
  );
  await offer.click();
  await w(page, "sd-chat").waitFor();
  assert.equal(await w(page, "sd-chat").locator(".sd-chat-title").innerText(), "Leave a message");
  // When the shop is back, on the shopper's own clock (Berlin) and in their language.
  const expected = new Intl.DateTimeFormat("en", { weekday: "long", hour: "2-digit", minute: "2-digit", timeZone: ZONE }).format(back);
  assert.match(await w(page, "sd-chat-away").innerText(), new RegExp(`We're back ${expected}\\.`));
  // The email is required here: nothing goes without it, and the field says why.
  await w(page, "sd-chat-input").fill("Can I change the size of my order 1234?");
  await w(page, "sd-chat-suggestion").first().waitFor();
  const widgetTitles = await w(page, "sd-chat-suggestion").locator("button").allInnerTexts();
  await w(page, "sd-chat-send").click();
  assert.match(await w(page, "sd-chat-email-problem").innerText(), /enter your email address/);
  assert.equal(await w(page, "sd-chat-email").getAttribute("aria-invalid"), "true");
  assert.equal(
    await page.evaluate(() => document.querySelector("shopdesk-widget").shadowRoot.activeElement?.id),
    "sd-chat-email",
    "the field to fix has focus",
  );
  await w(page, "sd-chat-email").fill("ben@example");
  await w(page, "sd-chat-send").click();
  assert.match(await w(page, "sd-chat-email-problem").innerText(), /does not look like an email address/);
  assert.equal((await page.evaluate(() => window.__events)).length, 0, "nothing was sent");
  await w(page, "sd-chat-email").fill("ben@example.com");
  await w(page, "sd-chat-transcript").check();
  await w(page, "sd-chat-send").click();
  const id = await conversationOf(page);
  await page.locator('shopdesk-widget >> [data-testid="sd-chat-waiting"]', { hasText: "answer by email at ben@example.com" }).waitFor();
  const handoff = await handoffOf(fixture.closed, id);
  assert.equal(handoff.email, "ben@example.com");
  assert.equal(handoff.transcript, true);
  assert.equal(handoff.time_zone, ZONE);
  const { conversations } = await agentApi(fixture.closed, "conversations");
  assert.equal(conversations.find((c) => c.id === id).offline, true, "marked as a message left for later");
  // The shopper closes the page; an agent answers later, on the agent page, where the
  // conversation is marked as a message left for later.
  await shopper.context.close();
  const desk = await fixture.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const agent = await desk.newPage();
  const agentProblems = watchConsole(agent);
  await agent.goto(`${fixture.closed.url}agent/`);
  await signIn(agent, ANA.email, ANA.password);
  const row = agent.locator(`[data-testid="agent-conversation"][data-id="${id}"]`);
  await row.locator('[data-testid="agent-offline"]').waitFor();
  await row.click();
  assert.match(await agent.locator('[data-testid="agent-offline-note"]').innerText(), /reach ben@example\.com by email/);
  assert.match(await agent.locator('[data-testid="agent-handoff"]').innerText(), /ben@example\.com/);
  // The shop's own articles for the shopper's message, same engine and ranking as the
  // widget: one click puts one into the reply.
  const article = agent.locator('[data-testid="agent-faq-article"]').first();
  await article.waitFor();
  assert.deepEqual(
    await agent.locator('[data-testid="agent-faq-article"] .faq-title').allInnerTexts(),
    widgetTitles,
    "the agent sees what the widget found for the same words",
  );
  const title = await article.locator(".faq-title").innerText();
  await article.locator('[data-testid="agent-faq-insert"]').click();
  const drafted = await agent.locator('[data-testid="agent-reply"]').inputValue();
  assert.ok(drafted.startsWith(`${title}\n`), drafted);
  assert.ok(drafted.length > title.length + 10, "with a short answer");
  await agent.locator('[data-testid="agent-reply"]').fill("Yes: reply with the size you want and we will swap it.");
  await agent.locator('[data-testid="agent-reply"]').press("Enter");
  const answer = await email(1);
  // The agent sees it went.
  await agent.locator('[data-testid="agent-mail"][data-status="sent"]').waitFor();
  assert.equal(await agent.locator('[data-testid="agent-mail"]').innerText(), "Email sent to ben@example.com");
  assert.match(answer, /^To: ben@example\.com/m);
  assert.match(answer, /^Subject: Ana Lima answered your message/m);
  assert.match(answer, /Yes: reply with the size you want and we will swap it\./);
  assert.match(answer, /Can I change the size of my order 1234\?/);
  assert.match(answer, /please answer in the chat/);
  // Back to the page they were on, without its query: the server stores page addresses
  // without them (they may hold personal data), unless the shop keeps them.
  assert.doesNotMatch(answer, /utm=mail/);
  const link = answer.match(/(http:\/\/127\.0\.0\.1:\d+\/#shopdesk-chat=[\w.-]+)/)[1];

  // The link, in a new browser session: the panel opens on the conversation.
  const again = await shopperPage(fixture.closed, SETTINGS, link);
  await w(again.page, "sd-chat").waitFor();
  await w(again.page, "sd-chat-line").nth(1).waitFor();
  const lines = await w(again.page, "sd-chat-line").allInnerTexts();
  assert.match(lines[0], /Can I change the size/);
  assert.match(lines[1], /we will swap it/);
  assert.equal(await again.page.evaluate(() => location.hash), "", "the link leaves the address bar");
  assert.equal(await again.page.evaluate(() => location.search), "");
  await w(again.page, "sd-chat-input").fill("Size M please.");
  await w(again.page, "sd-chat-send").click();
  for (let i = 0; i < 100; i++) {
    const { events } = await agentApi(fixture.closed, `conversations/${id}`);
    if (events.some((e) => e.type === "message" && e.body === "Size M please.")) break;
    if (i === 99) assert.fail("the reply from the reopened chat never arrived");
    await again.page.waitForTimeout(50);
  }
  // The shopper read the answer: closing sends the transcript they asked for.
  await agentApi(fixture.closed, `conversations/${id}/close`, {});
  const transcript = await email(2);
  assert.match(transcript, /^Subject: Your conversation with Demo Store/m);
  assert.match(transcript, /Size M please\./);
  assert.deepEqual(again.problems, []);
  assert.deepEqual(agentProblems, []);
  await again.context.close();
  await desk.close();
});

test("a changed or expired link says so in the chat", async () => {
  const shopper = await shopperPage(fixture.closed, SETTINGS, `${fixture.closed.url}#shopdesk-chat=v1.nope.99999999999.00`);
  await w(shopper.page, "sd-chat-link-trouble").waitFor();
  assert.match(await w(shopper.page, "sd-chat-link-trouble").innerText(), /link from your email did not work/);
  assert.ok(shopper.problems.some((p) => p.includes("opened nothing")), shopper.problems.join("\n"));
  await shopper.context.close();
});

test("the pre-chat form asks what the merchant set, and never what identify said", async () => {
  const online = await agentOnline(fixture.open);
  try {
    // Name required, email optional.
    const asks = { ...SETTINGS, chat: { preChat: { name: "required", email: "optional" } } };
    const first = await shopperPage(fixture.open, asks);
    await openWidget(first.page);
    await w(first.page, "sd-chat-offer").click();
    await w(first.page, "sd-chat-name").waitFor();
    assert.equal(await w(first.page, "sd-chat").locator(".sd-chat-title").innerText(), "Chat with us");
    assert.match(await w(first.page, "sd-chat").locator('label[for="sd-chat-email"]').innerText(), /\(optional\)/);
    await w(first.page, "sd-chat-input").fill("Hello there");
    await w(first.page, "sd-chat-send").click();
    assert.match(await w(first.page, "sd-chat-name-problem").innerText(), /enter your name/);
    await w(first.page, "sd-chat-name").fill("Ben Lee");
    await w(first.page, "sd-chat-send").click();
    const handoff = await handoffOf(fixture.open, await conversationOf(first.page));
    assert.equal(handoff.name, "Ben Lee");
    assert.equal(handoff.email, undefined);
    await first.context.close();

    // Off (the default): no fields at all.
    const plain = await shopperPage(fixture.open);
    await openWidget(plain.page);
    await w(plain.page, "sd-chat-offer").click();
    await w(plain.page, "sd-chat-input").waitFor();
    assert.equal(await w(plain.page, "sd-chat-name").count(), 0);
    assert.equal(await w(plain.page, "sd-chat-email").count(), 0);
    await plain.context.close();

    // Both required, but identify said them: not asked, and in the handoff.
    const both = { ...SETTINGS, chat: { preChat: { name: "required", email: "required" } } };
    const known = await shopperPage(fixture.open, both, fixture.open.url, (page) =>
      page.addInitScript(() => window.shopdesk.push(["identify", { id: "c-7", name: "Ana Lima", email: "ana@example.com" }])),
    );
    await openWidget(known.page);
    await w(known.page, "sd-chat-offer").click();
    await w(known.page, "sd-chat-input").fill("Where is my parcel?");
    assert.equal(await w(known.page, "sd-chat-name").count(), 0);
    assert.equal(await w(known.page, "sd-chat-email").count(), 0);
    await w(known.page, "sd-chat-send").click();
    const told = await handoffOf(fixture.open, await conversationOf(known.page));
    assert.equal(told.name, "Ana Lima");
    assert.equal(told.email, "ana@example.com");
    // A bad value is a warning naming the key, and the default applies.
    const bad = await shopperPage(fixture.open, { ...SETTINGS, chat: { preChat: { name: "yes" } } });
    await openWidget(bad.page);
    await w(bad.page, "sd-chat-offer").click();
    await w(bad.page, "sd-chat-input").waitFor();
    assert.ok(bad.problems.some((p) => p.includes("`chat.preChat.name` must be")), bad.problems.join("\n"));
    assert.equal(await w(bad.page, "sd-chat-name").count(), 0);
    for (const s of [known, bad]) await s.context.close();
  } finally {
    online();
  }
});

test("articles that may answer the first message appear while it is written, and an opened one goes to the agent", async () => {
  const online = await agentOnline(fixture.open);
  try {
    const shopper = await shopperPage(fixture.open);
    const { page } = shopper;
    await openWidget(page);
    await w(page, "sd-chat-offer").click();
    await w(page, "sd-chat-input").pressSequentially("my package has not arrived yet", { delay: 20 });
    // Suggestions follow the draft as it is written, a pause behind it: wait for the
    // finished draft's, not whichever a shorter draft showed first.
    await w(page, "sd-chat-suggestion").first().locator("button", { hasText: "Where is my order?" }).waitFor();
    const titles = await w(page, "sd-chat-suggestion").locator("button").allInnerTexts();
    assert.ok(titles.length >= 1 && titles.length <= 3, titles.join(", "));
    assert.equal(titles[0], "Where is my order?");
    const first = w(page, "sd-chat-suggestion").first();
    await first.locator("button").click();
    assert.equal(await first.locator("button").getAttribute("aria-expanded"), "true");
    assert.match(await first.locator('[data-testid="sd-chat-suggestion-answer"]').innerText(), /tracking link/);
    assert.equal(await w(page, "sd-chat-input").inputValue(), "my package has not arrived yet", "the draft stays");
    await w(page, "sd-chat-send").click();
    const id = await conversationOf(page);
    const handoff = await handoffOf(fixture.open, id);
    assert.deepEqual(handoff.suggested.map((a) => a.title), ["Where is my order?"]);
    const events = await page.evaluate(() => window.__events.map((e) => e[0]));
    assert.ok(events.includes("chat:suggestion"), events.join(", "));
    // Once the conversation has started the suggestions are gone.
    assert.equal(await w(page, "sd-chat-suggestions").count(), 0);
    assert.deepEqual(shopper.problems, []);
    await shopper.context.close();
  } finally {
    online();
  }
});
