// Shared fixtures for the browser tests: a site built with the real CLI, the real
// server on a free port, and headless Debian Chromium driven by playwright-core.
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { before, after } from "node:test";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const bin = (name) => path.join(ROOT, "target/debug", name);

/** A copy of the assembled demo site (dist/) whose faq/ folder is filled by
 * `fillFaq(dir)`. A copy, so a concurrent rebuild of dist/ cannot change it mid-run. */
export function copySite(fillFaq) {
  const dist = path.join(ROOT, "dist");
  if (!existsSync(path.join(dist, "shopdesk.js"))) {
    throw new Error("dist/ is not built; run scripts/build-demo.sh first");
  }
  const site = mkdtempSync(path.join(tmpdir(), "shopdesk-site-"));
  cpSync(dist, site, { recursive: true });
  rmSync(path.join(site, "faq"), { recursive: true, force: true });
  fillFaq(path.join(site, "faq"));
  return site;
}

/** The demo site with its FAQ index built from `faqDir` by the real faq-indexer. */
export function buildSite(faqDir = path.join(ROOT, "tests/fixtures/faq")) {
  return copySite((out) =>
    execFileSync(bin("faq-indexer"), ["build", faqDir, "--out", out], {
      stdio: ["ignore", "ignore", "inherit"],
    }),
  );
}

const running = new Set();
// A test that fails or times out must not leave servers behind.
process.on("exit", () => {
  for (const child of running) child.kill();
});

/** Starts shopdesk-server (`profile`: the cargo profile whose binary to run; extra
 * command-line arguments after it) on 127.0.0.1:0 and resolves with its base URL.
 * `agents` ({name, email, password, role}) are added first with `shopdesk-server agent
 * add`, as a shop's admin would. */
export function startServer(root, profile = "debug", extraArgs = [], agents = []) {
  return new Promise((resolve, reject) => {
    const server = path.join(ROOT, "target", profile, "shopdesk-server");
    // Its feedback database beside (not inside) the served folder, gone with the test.
    const data = mkdtempSync(path.join(tmpdir(), "shopdesk-db-"));
    const database = path.join(data, "shopdesk.db");
    for (const agent of agents) {
      const args = ["agent", "add", "--name", agent.name, "--email", agent.email, "--database", database];
      if (agent.role) args.push("--role", agent.role);
      const added = spawnSync(server, args, { input: `${agent.password}\n`, encoding: "utf8" });
      if (added.status !== 0) {
        reject(new Error(`agent add ${agent.email}: ${added.stderr}`));
        return;
      }
    }
    const args = ["--root", root, "--addr", "127.0.0.1:0", "--database", database, ...extraArgs];
    const child = spawn(server, args, {
      stdio: ["ignore", "pipe", "inherit"],
    });
    running.add(child);
    let out = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error("server did not start in 10 s"));
    }, 10_000);
    child.on("exit", (code) => {
      running.delete(child);
      rmSync(data, { recursive: true, force: true });
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}`));
    });
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[0], database, stop: () => child.kill() });
      }
    });
  });
}

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** Records console errors and warnings and uncaught exceptions of `page`. */
export function watchConsole(page) {
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") {
      problems.push(`${msg.type()}: ${msg.text()}`);
    }
  });
  page.on("pageerror", (err) => problems.push(`uncaught: ${err.message}`));
  return problems;
}

/** Fills the agent page's sign-in form open in `page` with `email` and `password` and
 * submits it; what should follow (signed in, refused) is the caller's to wait for. */
export async function signIn(page, email, password) {
  await page.locator('[data-testid="agent-email"]').fill(email);
  await page.locator('[data-testid="agent-password"]').fill(password);
  await page.locator('[data-testid="agent-signin"]').click();
}

/** Opens the widget and waits until the search engine is ready. */
export async function openWidget(page) {
  await page.click('[data-testid="sd-launcher"]');
  await page.waitForSelector('[data-testid="sd-panel"][data-engine="ready"]');
}

/** Answers "Was this helpful?" (yes, or no with an empty comment) under the first
 * result for `query`, in the open panel, and waits for the thank-you. */
export async function rateArticle(page, query, helpful = true) {
  const shadow = (selector) => page.locator(`shopdesk-widget >> ${selector}`);
  if (await shadow('[data-testid="sd-back"]').count()) await shadow('[data-testid="sd-back"]').click();
  await shadow('[data-testid="sd-input"]').fill(query);
  await shadow('[data-testid="sd-result"]').first().click();
  await shadow(helpful ? '[data-testid="sd-helpful-yes"]' : '[data-testid="sd-helpful-no"]').click();
  if (!helpful) await shadow('[data-testid="sd-helpful-send"]').click();
  await shadow('[data-testid="sd-thanks"]').waitFor();
}

/** Holds every request matching `pattern` until the returned function is called, to
 * test what the widget does while something is still downloading. */
export async function holdRequests(page, pattern) {
  let release;
  const gate = new Promise((r) => (release = r));
  await page.route(pattern, async (route) => {
    await gate;
    await route.continue();
  });
  return release;
}

/** The usual fixture of a browser test file: the demo site with the fixture FAQ, the
 * server (with `serverArgs`) and Chromium, set up before the file's tests and torn down
 * after them. Read `server` and `browser` from the returned object inside tests. */
export function demoSite(serverArgs = [], agents = []) {
  const demo = { site: null, server: null, browser: null };
  before(async () => {
    demo.site = buildSite();
    demo.server = await startServer(demo.site, "debug", serverArgs, agents);
    demo.browser = await launchBrowser();
  });
  after(async () => {
    await demo.browser?.close();
    demo.server?.stop();
    if (demo.site) rmSync(demo.site, { recursive: true, force: true });
  });
  return demo;
}

/** Compares two PNG screenshots pixel by pixel in the browser: how many pixels differ,
 * and by how much at most (largest difference of any colour channel, 0-255). */
export async function compareImages(browser, a, b) {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async ([a, b]) => {
        const pixels = async (base64) => {
          const blob = await (await fetch(`data:image/png;base64,${base64}`)).blob();
          const bitmap = await createImageBitmap(blob);
          const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
          const ctx = canvas.getContext("2d");
          ctx.drawImage(bitmap, 0, 0);
          return { width: bitmap.width, height: bitmap.height, data: ctx.getImageData(0, 0, bitmap.width, bitmap.height).data };
        };
        const [x, y] = [await pixels(a), await pixels(b)];
        if (x.width !== y.width || x.height !== y.height) return { sizeDiffers: true, differing: Infinity, maxDelta: 255 };
        let differing = 0;
        let maxDelta = 0;
        for (let i = 0; i < x.data.length; i += 4) {
          const delta = Math.max(
            Math.abs(x.data[i] - y.data[i]),
            Math.abs(x.data[i + 1] - y.data[i + 1]),
            Math.abs(x.data[i + 2] - y.data[i + 2]),
          );
          if (delta > 0) differing++;
          maxDelta = Math.max(maxDelta, delta);
        }
        return { sizeDiffers: false, differing, maxDelta };
      },
      [a.toString("base64"), b.toString("base64")],
    );
  } finally {
    await page.close();
  }
}
