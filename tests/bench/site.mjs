// Fixtures for the benchmarks, variants of tests/e2e/harness.mjs: release binaries
// (the debug server compresses multi-megabyte modules and indexes on the fly much more
// slowly, which would be measured as widget latency) and sites built from any index.
import { spawn, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "../e2e/harness.mjs";

export const release = (name) => path.join(ROOT, "target/release", name);

/** Builds the release binaries the benchmarks run; quick when they are current. */
export function buildReleaseBinaries() {
  execFileSync("cargo", ["build", "--release", "-q", "-p", "faq-indexer", "-p", "shopdesk-server", "-p", "shopdesk-bench"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
}

/** A copy of the assembled demo site (dist/) whose FAQ index is `indexDir`. A copy,
 * so a concurrent rebuild of dist/ cannot change the site mid-run. */
export function siteWithIndex(indexDir) {
  const dist = path.join(ROOT, "dist");
  if (!existsSync(path.join(dist, "shopdesk.js"))) {
    throw new Error("dist/ is not built; run scripts/build-demo.sh first");
  }
  const site = mkdtempSync(path.join(tmpdir(), "shopdesk-bench-site-"));
  cpSync(dist, site, { recursive: true });
  rmSync(path.join(site, "faq"), { recursive: true, force: true });
  cpSync(indexDir, path.join(site, "faq"), { recursive: true });
  return site;
}

const running = new Set();
// A benchmark that fails or times out must not leave servers behind.
process.on("exit", () => {
  for (const child of running) child.kill();
});

/** Starts the release shopdesk-server on 127.0.0.1:0 and resolves with its base URL. */
export function startServer(root) {
  return new Promise((resolve, reject) => {
    const child = spawn(release("shopdesk-server"), ["--root", root, "--addr", "127.0.0.1:0"], {
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
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}`));
    });
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[0], stop: () => child.kill() });
      }
    });
  });
}
