#!/usr/bin/env bash
# Installs what building and testing Shopdesk needs, at pinned versions, and skips
# whatever is already there. Safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_OPT_VERSION=0.116.1
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli must match the wasm-bindgen library in Cargo.lock exactly. Installed
# without --locked: its own lockfile pins a crate version the registry no longer has.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if ! grep -q "wasm_bindgen = \"$WASM_BINDGEN_VERSION\"" Trunk.toml; then
  echo "Trunk.toml [tools] wasm_bindgen must be $WASM_BINDGEN_VERSION (the Cargo.lock version)" >&2
  exit 1
fi

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (takes several minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

# Binaryen's wasm-opt, built from source by the `wasm-opt` crate (Debian's 108 corrupts
# wasm-bindgen output). It shrinks the widget module shoppers download on page load.
if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" != "116" ]; then
  say "installing wasm-opt $WASM_OPT_VERSION (takes several minutes, once)"
  cargo install wasm-opt --version "$WASM_OPT_VERSION" --locked --force
fi

# Node.js runs the release build's JavaScript minifier (terser, pinned in
# scripts/minify/package-lock.json) and the browser tests.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "installing Debian nodejs and npm"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y nodejs npm
fi
if [ ! -f scripts/minify/node_modules/.package-lock.json ] ||
  [ scripts/minify/package-lock.json -nt scripts/minify/node_modules/.package-lock.json ]; then
  say "installing the JavaScript minifier (npm ci)"
  (cd scripts/minify && npm ci --no-audit --no-fund)
fi

# PostgreSQL from Debian's packages: the server's tests and benchmarks run on it as
# well as on SQLite, each beside a throwaway server of its own (pg-temp/); the
# package's default cluster is not used.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  say "installing Debian postgresql"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y postgresql
fi

# The deployment files in deploy/ are tested as shipped (server/tests/deploy.rs): nginx
# in front of two instances, reached with curl over TLS (openssl makes the test's
# certificate) and HTTP/2; the systemd units checked by systemd-analyze.
missing=""
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
if [ -n "$missing" ]; then
  say "installing Debian$missing"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update
  # shellcheck disable=SC2086 # one word per package
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $missing
fi

# Schemathesis fuzzes the server against its OpenAPI document (scripts/api-fuzz.sh), from
# PyPI at the versions pinned in scripts/api-fuzz/requirements.txt, in a venv of its own;
# installed again whenever that file changes. It needs Python 3.11 or later.
API_FUZZ_VENV=${SHOPDESK_API_FUZZ_VENV:-$HOME/.cache/shopdesk/api-fuzz-venv}
if ! cmp -s scripts/api-fuzz/requirements.txt "$API_FUZZ_VENV/requirements.txt" ||
  [ ! -x "$API_FUZZ_VENV/bin/schemathesis" ]; then
  if ! python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "installing Debian python3 and python3-venv"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y python3 python3-venv
  fi
  say "installing schemathesis ($(grep -o '^schemathesis==.*' scripts/api-fuzz/requirements.txt)) into $API_FUZZ_VENV"
  rm -rf "$API_FUZZ_VENV"
  python3 -m venv "$API_FUZZ_VENV"
  "$API_FUZZ_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps \
    -r scripts/api-fuzz/requirements.txt
  "$API_FUZZ_VENV/bin/pip" check --disable-pip-version-check >/dev/null
  cp scripts/api-fuzz/requirements.txt "$API_FUZZ_VENV/requirements.txt"
fi

if [ "${SHOPDESK_SKIP_BROWSER:-}" != 1 ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Debian chromium and chromium-driver"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium chromium-driver
  fi
  # Again whenever the lockfile changed since the last install (npm keeps its own copy).
  if [ ! -f tests/node_modules/.package-lock.json ] ||
    [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
    say "installing browser test dependencies (npm ci)"
    (cd tests && npm ci --no-audit --no-fund)
  fi
fi
