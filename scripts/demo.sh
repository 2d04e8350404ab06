#!/usr/bin/env bash
# Runs the demo: the store page with the widget and FAQ search at http://127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")/.."
SHOPDESK_SKIP_BROWSER=1 scripts/setup.sh
scripts/build-demo.sh dist
# Feedback lands in an SQLite file outside the served folder; `shopdesk-server report
# --database target/demo/shopdesk.db` prints what shoppers said.
# Live chat: agents answer on /agent/ with this token (the link below signs them in).
mkdir -p target/demo
ADDR=${SHOPDESK_ADDR:-127.0.0.1:8080}
AGENT_TOKEN=${SHOPDESK_AGENT_TOKEN:-demo-agent-token-not-secret}
echo "Agents: http://$ADDR/agent/#token=$AGENT_TOKEN" >&2
exec target/release/shopdesk-server --root dist --addr "$ADDR" \
  --database "${SHOPDESK_DATABASE:-target/demo/shopdesk.db}" --agent-token "$AGENT_TOKEN"
