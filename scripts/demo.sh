#!/usr/bin/env bash
# Runs the demo: the store page with the widget and FAQ search at http://127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")/.."
SHOPDESK_SKIP_BROWSER=1 scripts/setup.sh
scripts/build-demo.sh dist
# Feedback lands in an SQLite file outside the served folder; `shopdesk-server report
# --database target/demo/shopdesk.db` prints what shoppers said.
# Emails to shoppers (answers while they are away, transcripts) are .eml files in
# target/demo/mail (no SMTP relay in the demo; see "Office hours and email" in README.md).
# Live chat: agents answer on /agent/, signed in with an account; the demo has one
# (a real shop adds its agents with `shopdesk-server agent add`).
mkdir -p target/demo
ADDR=${SHOPDESK_ADDR:-127.0.0.1:8080}
DATABASE=${SHOPDESK_DATABASE:-target/demo/shopdesk.db}
DEMO_EMAIL=demo-agent@shop.example
DEMO_PASSWORD=demo-password-not-secret
if ! target/release/shopdesk-server agent list --database "$DATABASE" | grep -q "<$DEMO_EMAIL>"; then
  printf '%s\n' "$DEMO_PASSWORD" |
    target/release/shopdesk-server agent add --database "$DATABASE" \
      --name "Demo Agent" --email "$DEMO_EMAIL" --role admin
fi
echo "Agents: http://$ADDR/agent/ (sign in as $DEMO_EMAIL, password $DEMO_PASSWORD)" >&2
# Content editors: saving an article in public/faq/ builds the index again, and
# http://$ADDR/?live-index reloads itself on the same search when it changes.
target/release/faq-indexer build public/faq --out dist/faq --watch &
watcher=$!
trap 'kill "$watcher" 2>/dev/null || true' EXIT
echo "FAQ: edit public/faq/ and watch http://$ADDR/?live-index (search gaps: faq-indexer gaps --server http://$ADDR --token …)" >&2
target/release/shopdesk-server --root dist --addr "$ADDR" --database "$DATABASE"
