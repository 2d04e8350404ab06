#!/usr/bin/env bash
# Every Shopdesk benchmark, as Markdown tables on stdout (progress on stderr):
#   1. search quality on the evaluation sets (bench: search-quality);
#   2. download sizes: page load, the on-demand module, FAQ bundles (bench: sizes);
#   3. browser latency on the demo page for 44, 1,000 and 10,000 articles
#      (tests/bench/latency.mjs);
#   4. where a keystroke's time goes, from a Chromium trace (tests/bench/profile.mjs);
#   5. what the widget costs the store page: bytes, long tasks, CLS with and without it
#      (tests/bench/host.mjs); on a phone network (Slow 4G, 4x CPU): bytes without
#      interaction and tap → search ready (tests/bench/weight.mjs); Lighthouse with and
#      without the widget (tests/bench/lighthouse.mjs);
#   6. feedback ingest: responses/s and latency into SQLite, PostgreSQL, and two
#      instances on PostgreSQL, none lost (bench: ingest); search sessions likewise
#      (ingest --kind searches);
#   7. live chat relay: message acknowledgement and delivery latency to the agent's and
#      the shopper's event streams with 50 open conversations, none lost, on the same
#      three set-ups (bench: chat);
#   8. open event streams at scale: reply → shopper latency and memory per stream with
#      50, 5,000 and 20,000 streams open (bench: streams);
#   9. the email outbox: an agent's answer → the email handed to a local SMTP sink, and
#      throughput for a burst, each answer emailed exactly once (bench: mail);
#  10. fuzzing: the property tests of the front-matter reader and of every JSON reader
#      the server trusts, with many cases, for a bounded time (scripts/fuzz.sh).
# Generated corpora and indexes live in target/bench/ and are rebuilt on every run, so
# the numbers always describe the current faq-indexer. The demo site (dist/) is built
# only when missing, or with --rebuild.
#
#   scripts/bench.sh [--rebuild]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

REBUILD=0
for arg in "$@"; do
  case "$arg" in
    --rebuild) REBUILD=1 ;;
    -h | --help)
      sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "unknown argument: $arg (see --help)" >&2
      exit 2
      ;;
  esac
done

WORK=target/bench
EVAL=../shared/data/faq-eval

if [ "$REBUILD" = 1 ] || [ ! -f dist/shopdesk.js ]; then
  say "building the demo site (scripts/build-demo.sh dist)"
  scripts/build-demo.sh dist >&2
fi
say "building release binaries"
cargo build --release -p faq-indexer -p shopdesk-server -p shopdesk-bench

say "generating corpora and building their indexes in $WORK/"
mkdir -p "$WORK"
for n in 1000 10000; do
  target/release/gen-corpus --articles "$n" --out "$WORK/corpus-$n"
  rm -rf "$WORK/index-$n"
  target/release/faq-indexer build "$WORK/corpus-$n" --out "$WORK/index-$n" --no-precompress >&2
done
index_args=(--index "sample=dist/faq")
for set in "$EVAL"/*/; do
  name=$(basename "$set")
  [ -d "$set/faq" ] || continue
  rm -rf "$WORK/index-$name"
  target/release/faq-indexer build "$set/faq" --out "$WORK/index-$name" >&2
  index_args+=(--index "$name=$WORK/index-$name")
done
index_args+=(--index "gen-1k=$WORK/index-1000" --index "gen-10k=$WORK/index-10000")

say "search quality"
echo "## Search quality"
echo
cargo run --release -q -p shopdesk-bench --bin search-quality
echo

say "download sizes (brotli -q 11 of large bundles takes a minute)"
echo "## Download sizes"
echo
target/release/sizes --site dist "${index_args[@]}"
echo

say "browser latency (headless Chromium)"
if [ ! -d tests/node_modules/playwright-core ]; then
  (cd tests && npm ci --no-audit --no-fund) >&2
fi
echo "## Browser latency"
echo
node tests/bench/latency.mjs --work "$WORK" --reuse-indexes
echo

say "where a keystroke's time goes (Chromium trace, 10,000 articles)"
echo "## Where a keystroke's time goes"
echo
node tests/bench/profile.mjs --index "$WORK/index-10000"
echo

say "the store page with and without the widget"
echo "## The store page with and without the widget"
echo
node tests/bench/host.mjs
echo

say "the widget on a phone network (Slow 4G, 4x CPU; about 4 minutes)"
echo "## On a phone network"
echo
node tests/bench/weight.mjs
echo

say "Lighthouse (mobile) with and without the widget"
echo "## Lighthouse"
echo
node tests/bench/lighthouse.mjs
echo

# SQLite, PostgreSQL, two instances on PostgreSQL (pg-temp starts a throwaway server).
SETUPS=("" "--backend postgres" "--backend postgres --instances 2")

say "feedback ingest (10 s of load on 127.0.0.1, per database set-up)"
echo "## Feedback ingest"
echo
for setup in "${SETUPS[@]}"; do
  # shellcheck disable=SC2086 # the set-up is a list of flags
  target/release/ingest --seconds 10 $setup
  echo
done

say "search analytics ingest (10 s of load on 127.0.0.1, SQLite and PostgreSQL)"
echo "## Search analytics ingest"
echo
for setup in "" "--backend postgres"; do
  # shellcheck disable=SC2086 # the set-up is a list of flags
  target/release/ingest --kind searches --seconds 10 $setup
  echo
done

say "live chat relay (10 s, 50 conversations on 127.0.0.1, per database set-up)"
echo "## Live chat relay"
echo
for setup in "${SETUPS[@]}"; do
  # shellcheck disable=SC2086
  target/release/chat --conversations 50 --seconds 10 $setup
  echo
done

say "a staffed shop (20 agents, 500 conversations, 20 s per database; the agent page in Chromium)"
echo "## A staffed shop"
echo
for setup in "" "--backend postgres"; do
  # shellcheck disable=SC2086
  target/release/desk --agents 20 --conversations 500 --seconds 20 $setup
  echo
done
node tests/bench/desk.mjs --conversations 500 --agents 20 --loads 5
echo

say "email outbox (200 paced answers, a burst of 1,000, to a local SMTP sink, per database)"
echo "## Email outbox"
echo
for setup in "" "--backend postgres"; do
  # shellcheck disable=SC2086
  target/release/mail --paced 200 --burst 1000 $setup
  echo
done

# 20,000 streams need more than 20,000 open files per process: where the hard limit is
# lower (and cannot be raised), the largest count that fits is measured instead.
MOST=20000
HARD=$(ulimit -Hn)
if [ "$HARD" != unlimited ] && [ "$HARD" -lt $((MOST + 500)) ]; then
  MOST=$((HARD - 1000))
  say "open files are limited to $HARD per process: measuring $MOST streams, not 20,000"
fi
say "open event streams at scale (50, 5,000, $MOST)"
echo "## Open event streams at scale"
echo
for backend in sqlite postgres; do
  target/release/streams --streams "50,5000,$MOST" --backend "$backend"
  echo
done

say "fuzzing: property tests with many cases, two minutes in all (scripts/fuzz.sh)"
echo "## Fuzzing"
echo
FUZZ_SECONDS=${FUZZ_SECONDS:-120} scripts/fuzz.sh
