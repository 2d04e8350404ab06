// Fixtures for the benchmarks, variants of tests/e2e/harness.mjs: release binaries
// (the debug server compresses multi-megabyte modules and indexes on the fly much more
// slowly, which would be measured as widget latency) and sites built from any index.
import { execFileSync } from "node:child_process";
import { cpSync } from "node:fs";
import path from "node:path";
import { ROOT, copySite, startServer as startHarnessServer } from "../e2e/harness.mjs";

export const release = (name) => path.join(ROOT, "target/release", name);

/** Builds the release binaries the benchmarks run; quick when they are current. */
export function buildReleaseBinaries() {
  execFileSync("cargo", ["build", "--release", "-q", "-p", "faq-indexer", "-p", "shopdesk-server", "-p", "shopdesk-bench", "-p", "precompress"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
}

/** A copy of the demo site whose FAQ index is `indexDir`. */
export function siteWithIndex(indexDir) {
  return copySite((out) => cpSync(indexDir, out, { recursive: true }));
}

/** Starts the release shopdesk-server on 127.0.0.1:0 and resolves with its base URL. */
export const startServer = (root) => startHarnessServer(root, "release");
