#!/usr/bin/env bash
# The property tests with many more cases than `cargo test` runs, each target under a
# time limit, then a table: target, cases, seconds, result.
#
#   scripts/fuzz.sh                       # 5 minutes in all, up to 100,000 cases a property
#   FUZZ_SECONDS=60 scripts/fuzz.sh       # 1 minute in all, shared by the targets
#   FUZZ_CASES=5000 scripts/fuzz.sh       # fewer cases (a run may then end early)
#   scripts/fuzz.sh wire                  # one target, by its name in the table
#
# Targets:
#   front-matter  faq-indexer: splitting and reading article front matter
#                 (faq-indexer/src/content/markdown_file.rs, `proptests`)
#   wire          every JSON reader of shopdesk-wire (wire/tests/props.rs)
#
# Results: `ok` (every case passed), `time up` (the time limit came first; no failure in
# the cases run), `FAILED` (the log's end is printed, with proptest's smallest failing
# input; proptest also keeps it in a `proptest-regressions` file beside the test and
# tries it first next time: fix the code, add a unit test for the case, delete the
# file). Building comes first and is not counted; logs go to target/fuzz/. Exit code 1
# when a target failed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

total=${FUZZ_SECONDS:-300}
cases=${FUZZ_CASES:-100000}
for n in "$total" "$cases"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "FUZZ_SECONDS and FUZZ_CASES are whole numbers above 0" >&2; exit 2; }
done

# name | cargo test arguments
targets=(
  "front-matter|-p faq-indexer --bin faq-indexer -- content::markdown_file::proptests"
  "wire|-p shopdesk-wire --test props"
)
if (($#)); then
  chosen=()
  for want in "$@"; do
    found=
    for t in "${targets[@]}"; do
      [[ ${t%%|*} == "$want" ]] && chosen+=("$t") && found=1
    done
    [[ -n $found ]] || { echo "no target \`$want\`; targets: front-matter, wire" >&2; exit 2; }
  done
  targets=("${chosen[@]}")
fi
per=$((total / ${#targets[@]}))
((per > 0)) || per=1

say "building the tests"
cargo test --no-run -q -p faq-indexer -p shopdesk-wire

mkdir -p target/fuzz
rows=()
failed=0
for t in "${targets[@]}"; do
  name=${t%%|*}
  read -r -a args <<<"${t#*|}"
  log=target/fuzz/$name.log
  say "$name: $cases cases a property, at most ${per}s (log: $log)"
  start=$EPOCHREALTIME
  # timeout signals the whole process group: cargo and the test binary it runs.
  rc=0
  PROPTEST_CASES=$cases timeout --kill-after=10 "$per" cargo test -q "${args[@]}" >"$log" 2>&1 || rc=$?
  seconds=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  case $rc in
    0) result=ok ;;
    124) result="time up" ;;
    # Killed after not stopping at the signal, or by something else (out of memory?).
    137) if awk -v s="$seconds" -v p="$per" 'BEGIN { exit !(s >= p) }'; then result="time up"; else result=FAILED failed=1; fi ;;
    *)
      result=FAILED
      failed=1
      tail -n 40 "$log" >&2
      ;;
  esac
  rows+=("$name|$cases|$seconds|$result")
done

printf '\n%-14s %8s %8s  %s\n' target cases seconds result
for row in "${rows[@]}"; do
  IFS='|' read -r name n s r <<<"$row"
  printf '%-14s %8s %8s  %s\n' "$name" "$n" "$s" "$r"
done
exit "$failed"
