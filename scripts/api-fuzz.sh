#!/usr/bin/env bash
# Fuzzes shopdesk-server against its own contract: Schemathesis reads the OpenAPI
# document the server serves (/v1/openapi.json, from server/src/openapi.json), sends every
# operation generated requests, valid and invalid, and checks each answer against it.
# One server on a free port, in a temporary folder (its own site and SQLite database),
# stopped at the end whatever happens.
#
#   scripts/api-fuzz.sh                          # the gate (scripts/test.sh): fixed seed
#   API_FUZZ_EXAMPLES=200 scripts/api-fuzz.sh    # more cases per operation (default 30)
#   API_FUZZ_SEED=random scripts/api-fuzz.sh     # another seed each run
#   scripts/api-fuzz.sh --include-path-regex '^/v1/chat'   # more `schemathesis run` options
#
# Checks (chosen in scripts/api-fuzz/schemathesis.toml): every one Schemathesis has
# (`st explain CODE` says more about a failure), among them on every answer
#   not_a_server_error            no 5xx at all (the documented 503s need chat off, a
#                                 cap reached or storage failing: none is, here)
#   status_code_conformance       the status is one the operation documents
#   content_type_conformance      the Content-Type is the one documented for that status
#   response_schema_conformance   the body (each event, for streams) fits its schema
#   response_headers_conformance  documented response headers (Retry-After) are well-formed
# and ignored_auth (no agent or admin call answers without its credential, or with a
# wrong one), unsupported_method, use_after_free, ... Left out, and why:
#   negative_data_rejection       the document states what clients must send; the server
#                                 is more lenient in places (null for an absent field,
#                                 unknown fields, a shortcut typed with a leading /), which
#                                 is no bug
#   positive_data_acceptance      the server checks more than JSON Schema can say (a score
#                                 in the range of its kind, a shortcut's letters, a real
#                                 time zone; 1.0 is an integer to JSON Schema, not to serde),
#                                 so valid-looking data can rightly get a 400
#   ignored_auth on the shopper's `/v1/chat/{id}/…` calls: a wrong conversation token is
#                                 a 404 there, on purpose (schemathesis.toml says why)
#
# Known server bugs are accepted in scripts/api-fuzz/baseline.json (each with why and the
# fix): they are printed, not failed on. Delete an entry once its bug is fixed, so that it
# cannot come back; `--baseline-prune` drops the ones a run no longer sees.
#
# Logs and reports go to target/api-fuzz/: the server's log, a JUnit file and the
# Schemathesis output. Exit code 1 when a check failed (or the run errored).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

root=$PWD
venv=${SHOPDESK_API_FUZZ_VENV:-$HOME/.cache/shopdesk/api-fuzz-venv}
st=$venv/bin/schemathesis
if ! cmp -s scripts/api-fuzz/requirements.txt "$venv/requirements.txt" || [ ! -x "$st" ]; then
  echo "schemathesis is missing or not at the version scripts/api-fuzz/requirements.txt pins; run scripts/setup.sh" >&2
  exit 2
fi
# Schemathesis would make a missing baseline from whatever this run finds: accepted at once.
if [ ! -f scripts/api-fuzz/baseline.json ]; then
  echo "scripts/api-fuzz/baseline.json is missing; restore it (git checkout) or write one with \"entries\": []" >&2
  exit 2
fi
examples=${API_FUZZ_EXAMPLES:-30}
[[ $examples =~ ^[1-9][0-9]*$ ]] || { echo "API_FUZZ_EXAMPLES is a whole number above 0" >&2; exit 2; }
seed=${API_FUZZ_SEED:-20261207}
seed_args=()
case $seed in
  random) ;;
  *[!0-9]* | "") echo "API_FUZZ_SEED is a number or \`random\`" >&2; exit 2 ;;
  *) seed_args=(--seed "$seed") ;;
esac
# The whole run, server start included, ends by then in any case.
limit=${API_FUZZ_TIMEOUT:-600}

say "building shopdesk-server"
cargo build -q -p shopdesk-server
server=$root/target/debug/shopdesk-server
out=$root/target/api-fuzz
mkdir -p "$out"

work=$(mktemp -d)
pid=
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  [ -f "$work/server.log" ] && cp "$work/server.log" "$out/server.log"
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

secret() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
mkdir "$work/site" "$work/data"
printf '<!doctype html><title>Shopdesk API fuzzing</title>\n' >"$work/site/index.html"
database=$work/data/shopdesk.db
export SHOPDESK_AGENT_TOKEN SHOPDESK_ADMIN_TOKEN SHOPDESK_ADMIN_EMAIL SHOPDESK_ADMIN_PASSWORD
SHOPDESK_AGENT_TOKEN=agent-$(secret)
SHOPDESK_ADMIN_TOKEN=admin-$(secret)
SHOPDESK_ADMIN_EMAIL=fuzz-admin@shopdesk.test
SHOPDESK_ADMIN_PASSWORD=$(secret)
# The shop's secret for verified identities: the server reads it from the environment,
# and hooks.py signs customer ids with it.
export SHOPDESK_IDENTITY_SECRET
SHOPDESK_IDENTITY_SECRET=identity-$(secret)
# The admin whose session the hooks use for the calls only a signed-in agent makes.
printf '%s\n' "$SHOPDESK_ADMIN_PASSWORD" |
  "$server" agent add --database "$database" --name "API fuzz admin" \
    --email "$SHOPDESK_ADMIN_EMAIL" --role admin >"$work/agent-add.log" 2>&1 ||
  { cat "$work/agent-add.log" >&2; exit 1; }

# No rate limit and caps far away: the fuzzer is one client sending thousands of
# requests, which would otherwise be told to wait (429) or that it has as many
# conversations (503) and streams as one network may have. --trust-proxy: hooks.py sends
# the fuzzer's credential guesses from addresses of their own (X-Forwarded-For), so the
# throttle on wrong tokens and sign-ins does not shut the rest of the run out.
say "starting shopdesk-server (log: target/api-fuzz/server.log)"
"$server" --root "$work/site" --database "$database" --addr 127.0.0.1:0 \
  --agent-token "$SHOPDESK_AGENT_TOKEN" --admin-token "$SHOPDESK_ADMIN_TOKEN" \
  --rate-limit 0 --trust-proxy true --max-open-chats 10000000 --max-open-chats-per-client 10000000 \
  --max-streams-per-chat 1000 --max-streams-per-client 10000 \
  >"$work/server.out" 2>"$work/server.log" </dev/null &
pid=$!
url=
for _ in $(seq 300); do
  url=$(sed -n 's|^Shopdesk demo store: \(http://[^/]*\)/$|\1|p' "$work/server.out")
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "shopdesk-server did not start:" >&2
  cat "$work/server.out" "$work/server.log" >&2
  exit 1
fi
export SHOPDESK_URL=$url API_FUZZ_DIR=$root/scripts/api-fuzz

say "schemathesis against $url/v1/openapi.json ($examples examples per operation, seed $seed)"
rc=0
# Run from the temporary folder: Schemathesis keeps state (.hypothesis, .schemathesis)
# in the working directory, and a run must not depend on the ones before it.
(
  cd "$work"
  # No __pycache__ beside hooks.py in the work tree.
  export PYTHONDONTWRITEBYTECODE=1
  timeout --kill-after=10 "$limit" "$st" --config-file "$API_FUZZ_DIR/schemathesis.toml" --no-color \
    run "$url/v1/openapi.json" \
    --max-examples "$examples" "${seed_args[@]}" \
    --generation-database none \
    --baseline "$API_FUZZ_DIR/baseline.json" \
    --report junit --report-junit-path "$out/junit.xml" \
    "$@"
) 2>&1 | tee "$out/schemathesis.log" || rc=$? # pipefail: the run's status, not tee's
# ignored_auth probes each agent and admin call once with a wrong token, from this
# address (hooks do not see its probes). At 20 the server would have answered the rest of
# the run with 429, every check passing and testing nothing: say so.
wrong=$(grep -c 'wrong bearer token from token-address:127\.0\.0\.1$' "$work/server.log" || true)
if [ "$wrong" -ge 20 ]; then
  echo "the server counted $wrong wrong tokens from 127.0.0.1 (20 lock an address out for 15 minutes): the run tested 429s; send more guesses from other addresses (scripts/api-fuzz/hooks.py)" >&2
  [ "$rc" -ne 0 ] || rc=1
fi
case $rc in
  0) say "no failures (log: target/api-fuzz/schemathesis.log)" ;;
  124 | 137) echo "schemathesis did not finish within ${limit}s (API_FUZZ_TIMEOUT)" >&2 ;;
  *) echo "schemathesis found failures (log: target/api-fuzz/schemathesis.log); \`st replay ID\` needs the server, so reproduce with the curl lines above against \`scripts/demo.sh\` or a server of your own" >&2 ;;
esac
exit "$rc"
