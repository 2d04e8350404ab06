// Installing: the one snippet works however a store page includes it (async, defer, a
// plain script in <head> before <body> exists, inserted after the page has loaded), and
// finds its files next to itself or where `assetUrl` says.
import { test } from "node:test";
import assert from "node:assert/strict";
import { demoSite, watchConsole } from "./harness.mjs";

const demo = demoSite();
const SNIPPET = '<script src="/shopdesk.js" async data-feedback-endpoint="/v1/feedback" data-chat-endpoint="/v1/chat"></script>';

/** The demo page with the snippet replaced by `edit(html)`; `/cdn/shopdesk/*` serves the
 * widget's files as a separate asset folder would. Returns the paths requested. */
async function pageWith(edit) {
  const context = await demo.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.route(/\/$/, async (route) => {
    const response = await route.fetch();
    const html = await response.text();
    assert.ok(html.includes(SNIPPET), "the demo page's snippet changed; update this test");
    await route.fulfill({ response, body: edit(html) });
  });
  await page.route("**/cdn/shopdesk/**", async (route) => {
    const url = new URL(route.request().url());
    const response = await route.fetch({ url: new URL(url.pathname.replace("/cdn/shopdesk/", "/"), url).href });
    await route.fulfill({ response });
  });
  const requested = [];
  page.on("request", (r) => requested.push(new URL(r.url()).pathname));
  return { context, page, problems, requested };
}

/** The widget answers a search: it started, loaded its modules and its index. */
async function answers(page) {
  await page.locator('shopdesk-widget >> [data-testid="sd-launcher"]').click();
  await page.locator('shopdesk-widget >> [data-testid="sd-panel"][data-engine="ready"]').waitFor();
  await page.keyboard.type("refund");
  await page.locator('shopdesk-widget >> [data-testid="sd-result"]').first().waitFor();
  assert.equal(await page.locator("shopdesk-widget").count(), 1);
}

const VARIANTS = {
  defer: (html) => html.replace(SNIPPET, '<script src="/shopdesk.js" defer></script>'),
  "a plain script in <head>, before <body> exists": (html) =>
    html.replace(SNIPPET, "").replace("</head>", '<script src="/shopdesk.js"></script></head>'),
  "inserted after the page has loaded": (html) =>
    html.replace(
      SNIPPET,
      `<script>addEventListener("load", () => setTimeout(() => {
        const s = document.createElement("script"); s.src = "/shopdesk.js"; document.body.append(s);
      }, 200));</script>`,
    ),
};

for (const [name, edit] of Object.entries(VARIANTS)) {
  test(`the snippet works ${name === "defer" ? "with defer" : name}`, async () => {
    const { context, page, problems } = await pageWith(edit);
    await page.goto(demo.server.url);
    await answers(page);
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test("the widget loads its files from the folder its script came from", async () => {
  const { context, page, problems, requested } = await pageWith((html) =>
    html.replace(SNIPPET, '<script src="/cdn/shopdesk/shopdesk.js" async></script>'),
  );
  await page.goto(demo.server.url);
  await answers(page);
  const ours = requested.filter((p) => /shopdesk-|faq/.test(p));
  assert.ok(ours.length >= 5, ours.join("\n"));
  assert.deepEqual(ours.filter((p) => !p.startsWith("/cdn/shopdesk/")), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test("assetUrl points the widget at another folder; a bad one warns and keeps the default", async () => {
  let { context, page, problems, requested } = await pageWith((html) =>
    html.replace(SNIPPET, '<script src="/shopdesk.js" async data-asset-url="/cdn/shopdesk"></script>'),
  );
  await page.goto(demo.server.url);
  await answers(page);
  const ours = requested.filter((p) => /shopdesk-|faq/.test(p));
  assert.deepEqual(ours.filter((p) => !p.startsWith("/cdn/shopdesk/")), []);
  assert.deepEqual(problems, []);
  await context.close();

  ({ context, page, problems, requested } = await pageWith((html) =>
    html.replace(SNIPPET, '<script src="/shopdesk.js" async data-asset-url="cdn.example.com/shopdesk"></script>'),
  ));
  await page.goto(demo.server.url);
  await answers(page);
  assert.ok(requested.includes("/shopdesk-launcher_bg.wasm"), requested.join("\n"));
  assert.equal(problems.length, 1, problems.join("\n"));
  assert.match(problems[0], /setting `assetUrl` must be an https:\/\/ URL or a path starting with \//);
  await context.close();
});
