#!/usr/bin/env node
// Lighthouse (mobile preset: simulated Slow 4G and 4x CPU slowdown) on the demo product
// page with and without the widget's script tag, side by side: performance score, total
// byte weight and time to interactive, median of --runs. Lighthouse is installed on
// first use from tests/bench/lighthouse/package.json (pinned) and runs offline against
// Debian's Chromium.
//
//   node tests/bench/lighthouse.mjs [--runs 3]
import { parseArgs } from "node:util";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import path from "node:path";
import { copySite, ROOT } from "../e2e/harness.mjs";
import { buildReleaseBinaries, startServer } from "./site.mjs";

const { values: opts } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const RUNS = Number(opts.runs);
const HERE = path.join(ROOT, "tests/bench/lighthouse");
const BIN = path.join(HERE, "node_modules/.bin/lighthouse");
const SNIPPET = /<script src="\/shopdesk\.js"[^>]*><\/script>/;

function lighthouse(url) {
  const out = execFileSync(
    BIN,
    [url, "--output=json", "--output-path=stdout", "--only-categories=performance", "--quiet", '--chrome-flags=--headless=new --no-sandbox --disable-gpu'],
    { env: { ...process.env, CHROME_PATH: process.env.CHROMIUM || "/usr/bin/chromium" }, maxBuffer: 64 << 20 },
  );
  const report = JSON.parse(out);
  const audit = (id) => report.audits[id]?.numericValue;
  return {
    score: Math.round(report.categories.performance.score * 100),
    bytes: audit("total-byte-weight"),
    tti: audit("interactive"),
    fcp: audit("first-contentful-paint"),
    tbt: audit("total-blocking-time"),
    version: report.lighthouseVersion,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  if (!existsSync(BIN)) execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: HERE, stdio: ["ignore", 2, 2] });
  buildReleaseBinaries();
  const site = copySite((out) => cpSync(path.join(ROOT, "dist/faq"), out, { recursive: true }));
  // The same page without the widget, in a folder of its own (its links are
  // root-relative) with its own precompressed copies, so both are served alike.
  const page = readFileSync(path.join(site, "index.html"), "utf8");
  if (!SNIPPET.test(page)) throw new Error("the demo page's script tag changed; update lighthouse.mjs");
  mkdirSync(path.join(site, "without-widget"));
  writeFileSync(path.join(site, "without-widget/index.html"), page.replace(SNIPPET, ""));
  execFileSync(path.join(ROOT, "target/release/precompress"), [path.join(site, "without-widget")], { stdio: ["ignore", "ignore", 2] });
  const server = await startServer(site);
  const results = { without: [], with: [] };
  try {
    for (let i = 0; i < RUNS; i++) {
      results.without.push(lighthouse(`${server.url}without-widget/`));
      results.with.push(lighthouse(server.url));
      process.stderr.write(`run ${i + 1}/${RUNS}: TTI ${results.without[i].tti.toFixed(0)} ms without, ${results.with[i].tti.toFixed(0)} ms with the widget\n`);
    }
  } finally {
    server.stop();
    rmSync(site, { recursive: true, force: true });
  }
  const m = (rows, key) => median(rows.map((r) => r[key]));
  const row = (label, key, fmt) => `| ${label} | ${fmt(m(results.without, key))} | ${fmt(m(results.with, key))} |`;
  const ms = (v) => `${(v / 1000).toFixed(2)} s`;
  console.log("| Lighthouse, mobile preset | demo page without the widget | with the widget |");
  console.log("|---|---:|---:|");
  console.log(row("performance score", "score", String));
  console.log(row("total byte weight", "bytes", (v) => `${(v / 1024).toFixed(1)} KB`));
  console.log(row("time to interactive", "tti", ms));
  console.log(row("first contentful paint", "fcp", ms));
  console.log(row("total blocking time", "tbt", (v) => `${v.toFixed(0)} ms`));
  const ratio = m(results.with, "tti") / m(results.without, "tti");
  console.log(`\nTarget: TTI with the widget within 10 % of without: ${((ratio - 1) * 100).toFixed(1)} % → ${ratio <= 1.1 ? "PASS" : "FAIL"}`);
  console.log(`\n- Lighthouse ${results.with[0].version}, median of ${RUNS} runs each, headless Debian Chromium, release shopdesk-server on 127.0.0.1 serving dist/ (simulated throttling: Lighthouse's mobile Slow 4G and 4x CPU).`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
