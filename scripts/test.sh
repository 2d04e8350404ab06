#!/usr/bin/env bash
# Every check Shopdesk has: formatting, lints, unit/CLI/server tests, the server fuzzed
# against its OpenAPI document, and browser end-to-end tests of the real widget on the
# real demo page in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# One clean build, not an edit loop: incremental caches would only take disk space.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

scripts/setup.sh

say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p shopdesk-widget -p shopdesk-chat -p shopdesk-surveys -p shopdesk-web -p shopdesk-launcher -p shopdesk-outbox -p shopdesk-agent --target wasm32-unknown-unknown -- -D warnings
say "cargo test (the server's on SQLite and on a throwaway PostgreSQL)"
cargo build -q -p pg-temp
target/debug/pg-temp run -- cargo test --workspace

say "building the demo site"
scripts/build-demo.sh dist
cargo build -p faq-indexer -p shopdesk-server -p smtp-sink

say "API fuzzing: schemathesis against the server's /v1/openapi.json"
scripts/api-fuzz.sh

say "browser end-to-end tests (headless Chromium)"
(cd tests && node --test --test-concurrency=1 bench/*.test.mjs e2e/*.test.mjs)
