#!/usr/bin/env bash
# Assembles the demo site in dist/: the store pages from public/, the widget modules
# built by trunk, and the sample FAQ index built by faq-indexer: exactly what a merchant
# would publish. Plus the agents' page in dist/agent/, which shopdesk-server serves.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
OUT=${1:-dist}

cargo build --release -p faq-indexer -p shopdesk-server -p precompress
trunk build --release
trunk build agent/index.html --release --dist target/agent-dist --public-url /agent/
# The loader and wasm-bindgen's glue, minified (trunk's minifier cannot parse them).
node scripts/minify/minify.mjs target/widget-dist
node scripts/minify/minify.mjs target/agent-dist

rm -rf "$OUT.tmp"
mkdir -p "$OUT.tmp"
# Store pages and their assets (the Markdown sources of the sample FAQ stay out).
(cd public && find . -path ./faq -prune -o -type f -print) | while read -r f; do
  mkdir -p "$OUT.tmp/$(dirname "$f")"
  cp "public/$f" "$OUT.tmp/$f"
done
# Widget: loader, modules, wasm-bindgen snippets (trunk's own index.html is a build manifest).
(cd target/widget-dist && find . -type f ! -name index.html -print) | while read -r f; do
  mkdir -p "$OUT.tmp/$(dirname "$f")"
  cp "target/widget-dist/$f" "$OUT.tmp/$f"
done
# Agent page, served at /agent/.
mkdir -p "$OUT.tmp/agent"
cp -R target/agent-dist/* "$OUT.tmp/agent/"
# Brotli (quality 11) and gzip copies beside every file, served as they are by
# shopdesk-server (and by most CDNs); faq-indexer writes its bundles' own.
target/release/precompress "$OUT.tmp"
target/release/faq-indexer build public/faq --out "$OUT.tmp/faq"
rm -rf "$OUT"
mv "$OUT.tmp" "$OUT"
echo "demo site assembled in $OUT/" >&2
