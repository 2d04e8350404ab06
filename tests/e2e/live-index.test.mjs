// The demo page's live preview for content editors: with /?live-index it reloads when
// the FAQ index is rebuilt and reopens the widget on the same search; without it, it
// fetches nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, demoSite, watchConsole, openWidget } from "./harness.mjs";

const demo = demoSite(["--rate-limit", "0"]);
const w = (page, testid) => page.locator(`shopdesk-widget >> [data-testid="${testid}"]`);

test("with ?live-index a rebuilt index reloads the page on the same search, which now finds the new article", async () => {
  const context = await demo.browser.newContext();
  const page = await context.newPage();
  const problems = watchConsole(page);
  await page.goto(`${demo.server.url}?live-index`);
  await openWidget(page);
  await w(page, "sd-input").fill("xylophone");
  await page.waitForFunction(() =>
    document.querySelector("shopdesk-widget").shadowRoot.querySelector('[data-testid="sd-status"]').textContent.includes("xylophone"));
  assert.equal(await w(page, "sd-result").count(), 0);

  // The editor saves a new article; faq-indexer publishes the index into the served site.
  const content = mkdtempSync(path.join(tmpdir(), "shopdesk-live-"));
  cpSync(path.join(ROOT, "tests/fixtures/faq"), content, { recursive: true });
  writeFileSync(
    path.join(content, "xylophone-care.md"),
    '---\ntitle: "How do I care for my xylophone?"\ncategory: Care\n---\nWipe the bars with a dry cloth.\n',
  );
  const reloaded = page.waitForEvent("load", { timeout: 15_000 });
  execFileSync(path.join(ROOT, "target/debug/faq-indexer"), ["build", content, "--out", path.join(demo.site, "faq")], { stdio: "ignore" });
  await reloaded;
  await w(page, "sd-result").first().waitFor({ timeout: 15_000 });
  assert.equal(await w(page, "sd-input").inputValue(), "xylophone");
  assert.match(await w(page, "sd-result").first().textContent(), /care for my xylophone/);
  assert.deepEqual(problems, []);
  rmSync(content, { recursive: true, force: true });
  await context.close();
});

test("without ?live-index the demo page never polls the index", async () => {
  const context = await demo.browser.newContext();
  const page = await context.newPage();
  const manifests = [];
  page.on("request", (r) => r.url().includes("faq-manifest.json") && manifests.push(r.url()));
  await page.goto(demo.server.url);
  await page.waitForTimeout(3000);
  assert.deepEqual(manifests, []);
  await context.close();
});
