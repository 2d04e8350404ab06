// The widget served from another origin than the store, as a CDN or a separate
// shopdesk-server would serve it: the store page on one origin pastes
// `<script src="http://<widget host>/shopdesk.js" async>`, and everything (launcher,
// search module, FAQ index, feedback) works with no further configuration.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { rmSync } from "node:fs";
import { buildSite, startServer, launchBrowser, watchConsole } from "./harness.mjs";

const cross = { site: null, server: null, store: null, storeUrl: null, browser: null };

/** A store on its own origin: one page whose snippet points at `cross.server`. */
function startStore() {
  const page = () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Other store</title></head>
<body><h1>Rain jackets</h1>
<script src="${cross.server.url}shopdesk.js" async data-feedback-endpoint="${cross.server.url}v1/feedback"></script>
</body></html>`;
  const server = http.createServer((req, res) => {
    if (req.url !== "/") return res.writeHead(204).end(); // the browser's favicon request
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(page());
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

before(async () => {
  cross.site = buildSite();
  // The store listens first: its origin is the one allowed to post feedback.
  cross.store = await startStore();
  cross.storeUrl = `http://127.0.0.1:${cross.store.address().port}/`;
  cross.server = await startServer(cross.site, "debug", ["--allow-origin", new URL(cross.storeUrl).origin]);
  assert.notEqual(new URL(cross.storeUrl).origin, new URL(cross.server.url).origin);
  cross.browser = await launchBrowser();
});

after(async () => {
  await cross.browser?.close();
  cross.server?.stop();
  cross.store?.close();
  if (cross.site) rmSync(cross.site, { recursive: true, force: true });
});

test("installed from another origin, the widget loads, searches and sends feedback", async () => {
  const context = await cross.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  const widgetOrigin = new URL(cross.server.url).origin;
  const fetched = [];
  page.on("requestfinished", (r) => {
    if (r.url().startsWith(widgetOrigin)) fetched.push(new URL(r.url()).pathname);
  });
  await page.goto(cross.storeUrl);
  const shadow = (selector) => page.locator(`shopdesk-widget >> ${selector}`);
  await shadow('[data-testid="sd-launcher"]').click();
  await shadow('[data-testid="sd-panel"][data-engine="ready"]').waitFor();
  await page.keyboard.type("refund");
  const first = shadow('[data-testid="sd-result"]').first();
  await first.waitFor();
  await first.click();
  const posted = page.waitForResponse((r) => r.url().endsWith("/v1/feedback") && r.request().method() === "POST");
  await shadow('[data-testid="sd-helpful-yes"]').click();
  assert.equal((await posted).status(), 201);
  for (const file of ["/shopdesk.js", "/shopdesk-launcher.js", "/shopdesk-launcher_bg.wasm", "/shopdesk-widget.js", "/shopdesk-widget_bg.wasm", "/faq/faq-manifest.json"]) {
    assert.ok(fetched.includes(file), `${file} was not fetched from the widget's origin: ${fetched.join(", ")}`);
  }
  assert.ok(fetched.some((p) => /^\/faq\/faq-en-[0-9a-f]{16}\.bin$/.test(p)), fetched.join(", "));
  assert.deepEqual(problems, []);
  await context.close();
});
