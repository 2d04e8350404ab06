#!/usr/bin/env node
// Where a keystroke's time goes. Types queries into the widget (as latency.mjs does)
// under a Chromium trace, takes each keystroke's window from dispatching `input` to the
// next task (all work it caused is done), and prints Markdown tables of:
//   - the window's wall time against the renderer main thread's CPU time in it: when
//     wall time is much larger, the thread was waiting (descheduled by a busy machine),
//     not computing; CPU time is also split by whether the keystroke changed the DOM
//     (when results stay the same, the cost is searching and diffing alone);
//   - self time by trace event in the windows (script, microtasks, style, GC, …).
// The widget's wasm has no name section, so the engine and the leptos UI are one
// "script" here; `engine-time` (in latency.mjs) gives the engine's share natively.
//
//   node tests/bench/profile.mjs [--index target/bench/index-1000] [--keystrokes 300]
import path from "node:path";
import { readFileSync, rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { ROOT, launchBrowser } from "../e2e/harness.mjs";
import { siteWithIndex, startServer } from "./site.mjs";
import { typeQueries, untilReady } from "./page.mjs";
import { formatMs, mulberry32, parseCsv, summarize } from "./stats.mjs";

const { values: opts } = parseArgs({
  options: {
    index: { type: "string", default: path.join(ROOT, "target/bench/index-1000") },
    keystrokes: { type: "string", default: "300" },
  },
});

const watchdog = setTimeout(() => {
  process.stderr.write("profile: still running after 5 min; giving up\n");
  process.exit(2);
}, 5 * 60_000);
watchdog.unref();

/** Bitext queries, seeded: the same every run. */
function queries(keystrokes) {
  const file = path.join(ROOT, "../shared/data/faq-eval/bitext/queries-dev.csv");
  const [header, ...rows] = parseCsv(readFileSync(file, "utf8"));
  const col = header.indexOf("query");
  const rng = mulberry32(7);
  const out = [];
  let chars = 0;
  while (chars < keystrokes) {
    const q = rows[Math.floor(rng() * rows.length)][col].replace(/\s+/g, " ").trim().slice(0, 50);
    out.push(q);
    chars += q.length;
  }
  return out;
}

/** Per keystroke window: wall ms, main-thread CPU ms, and self ms by event name. */
function analyse(trace) {
  const events = trace.traceEvents;
  const marks = events.filter((e) => e.name === "sd-keystroke" || e.name === "sd-keystroke-done");
  if (marks.length === 0) throw new Error("no keystroke marks in the trace");
  const { pid } = marks[0];
  const main = events.find((e) => e.ph === "M" && e.name === "thread_name" && e.pid === pid && e.args.name === "CrRendererMain");
  const tid = main.tid;
  marks.sort((a, b) => a.ts - b.ts);
  const windows = [];
  for (let i = 0; i + 1 < marks.length; i++) {
    if (marks[i].name === "sd-keystroke" && marks[i + 1].name === "sd-keystroke-done") {
      const [a, b] = [marks[i], marks[i + 1]];
      // ts is wall time, tts the main thread's CPU time (both µs).
      windows.push({ start: a.ts, end: b.ts, cpu: (b.tts - a.tts) / 1000 });
    }
  }
  // Complete events of the main thread, parents before children.
  const xs = events
    .filter((e) => e.ph === "X" && e.pid === pid && e.tid === tid && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const stack = [];
  let w = 0;
  for (const e of xs) {
    while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) parent.childDur = (parent.childDur ?? 0) + e.dur;
    stack.push(e);
  }
  for (const e of xs) {
    while (w < windows.length && windows[w].end < e.ts) w++;
    const win = windows[w];
    if (!win || e.ts < win.start || e.ts > win.end) continue;
    const key = e.name === "EventDispatch" ? `EventDispatch (${e.args?.data?.type})` : e.name;
    self.set(key, (self.get(key) ?? 0) + (e.dur - (e.childDur ?? 0)) / 1000);
  }
  return { windows, self };
}

async function main() {
  const site = siteWithIndex(path.resolve(opts.index));
  const server = await startServer(site);
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(() => {
      window.requestIdleCallback = () => 0;
    });
    await page.goto(server.url);
    await page.waitForFunction(() => performance.getEntriesByName("shopdesk:interactive").length > 0);
    await page.evaluate(untilReady, 60_000);
    await browser.startTracing(page, {
      categories: ["devtools.timeline", "blink.user_timing", "v8", "v8.execute", "toplevel"],
    });
    const keys = await page.evaluate(typeQueries, { queries: queries(Number(opts.keystrokes)), settleMs: 30, capMs: 2000, marks: true });
    const trace = JSON.parse((await browser.stopTracing()).toString("utf8"));
    await context.close();

    const { windows, self } = analyse(trace);
    const wall = summarize(windows.map((x) => (x.end - x.start) / 1000));
    const cpu = summarize(windows.map((x) => x.cpu));
    const n = windows.length;
    if (n !== keys.typed.length) throw new Error(`${keys.typed.length} keystrokes typed but ${n} found in the trace`);
    console.log(`${n} keystrokes into ${path.basename(opts.index)}; window = dispatch of \`input\` → next task.\n`);
    console.log("| per keystroke | p50 ms | p95 ms | max ms |");
    console.log("|---|---:|---:|---:|");
    console.log(`| wall time of the window | ${formatMs(wall.p50)} | ${formatMs(wall.p95)} | ${formatMs(wall.max)} |`);
    console.log(`| main-thread CPU time in it | ${formatMs(cpu.p50)} | ${formatMs(cpu.p95)} | ${formatMs(cpu.max)} |`);
    for (const [label, flag] of [["results changed the DOM", true], ["DOM unchanged", false]]) {
      const s = summarize(windows.filter((_, i) => keys.changed[i] === flag).map((x) => x.cpu));
      console.log(`| CPU time, ${label} (n = ${s.n}) | ${formatMs(s.p50)} | ${formatMs(s.p95)} | ${formatMs(s.max)} |`);
    }
    console.log("\n| trace event (self time) | mean ms per keystroke |");
    console.log("|---|---:|");
    for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
      console.log(`| ${name} | ${(ms / n).toFixed(3)} |`);
    }
  } finally {
    await browser.close();
    server.stop();
    rmSync(site, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`profile: ${e.stack || e}\n`);
    process.exit(1);
  },
);
