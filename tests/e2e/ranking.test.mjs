// The widget ranks exactly as `faq-indexer search` does, on a catalogue large enough
// that tantivy stores its postings in bit-packed blocks of 128 documents. The browser
// module decodes those blocks with a different build of the decoder than the native CLI
// (see Cargo.toml, profile.wasm-app), so this is where a decoding difference would show.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, buildSite, startServer, launchBrowser, watchConsole, openWidget } from "./harness.mjs";

const ARTICLES = 600;
const topics = ["parcel", "refund", "delivery", "voucher", "exchange"];
const places = ["Berlin", "Lyon", "Madrid", "Oslo", "Porto", "Riga", "Turin"];
const site = {};

/** Deterministic articles in which every topic word occurs in hundreds of answers, with
 * different frequencies and lengths, so scores differ and postings span many blocks. */
function writeCorpus(dir) {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < ARTICLES; i++) {
    const topic = topics[i % topics.length];
    const other = topics[(i * 7 + 3) % topics.length];
    const place = places[i % places.length];
    const repeat = Array.from({ length: 1 + (i % 4) }, () => other).join(" ");
    const filler = "our team answers within a day ".repeat(1 + (i % 5));
    writeFileSync(
      path.join(dir, `article-${i}.md`),
      `---\ntitle: "${topic} question ${i} for ${place}"\ncategory: Help\nquestions:\n  - "${topic} to ${place} number ${i}"\n---\n` +
        `About your ${topic} in ${place}: ${repeat}. ${filler}\n`,
    );
  }
}

before(async () => {
  site.faq = mkdtempSync(path.join(tmpdir(), "shopdesk-ranking-"));
  writeCorpus(site.faq);
  site.root = buildSite(site.faq);
  site.server = await startServer(site.root);
  site.browser = await launchBrowser();
});

after(async () => {
  await site.browser?.close();
  site.server?.stop();
  for (const dir of [site.root, site.faq]) if (dir) rmSync(dir, { recursive: true, force: true });
});

function cliTop(query, limit) {
  const out = execFileSync(
    path.join(ROOT, "target/debug/faq-indexer"),
    ["search", "--index", path.join(site.root, "faq"), "--json", "--limit", String(limit), query],
    { encoding: "utf8" },
  );
  return JSON.parse(out.trim().split("\n")[0]).results.map((r) => r.id);
}

test("the widget ranks a 600-article catalogue exactly as faq-indexer search", async () => {
  const page = await site.browser.newPage();
  const problems = watchConsole(page);
  await page.goto(site.server.url);
  await openWidget(page);
  const input = page.locator('[data-testid="sd-input"]');
  for (const query of ["parcel", "refund Oslo", "delivery voucher", "exchnage"]) {
    const expected = cliTop(query, 8);
    assert.equal(expected.length, 8, `${query}: the CLI found too little to compare`);
    await input.fill(query);
    // Results replace each other as the shopper types; wait for this query's to settle.
    let shown = [];
    for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
      shown = await page.locator('[data-testid="sd-result"]').evaluateAll((rows) => rows.map((r) => r.dataset.id));
      if (JSON.stringify(shown) === JSON.stringify(expected)) break;
      await page.waitForTimeout(50);
    }
    assert.deepEqual(shown, expected, `ranking of "${query}"`);
  }
  assert.deepEqual(problems, []);
  await page.close();
});
