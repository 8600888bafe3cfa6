#!/usr/bin/env bash
# The browser end-to-end test: Debian's Chromium driven by playwright-core against the local
# runtime (target/debug/heartbeat-local on dynalite). Run from the repository root (make test).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

install_chromium() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      return 1
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || return 1
  echo "browser test: $CHROMIUM is missing; installing Debian's chromium…" >&2
  "${sudo[@]}" apt-get update -q &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
}

if [ ! -x "$CHROMIUM" ]; then
  install_chromium || true
fi
if [ ! -x "$CHROMIUM" ]; then
  cat >&2 <<EOF
browser test: FAILED — Chromium is needed at $CHROMIUM and could not be installed.
Install Debian's Chromium, then run this again:
    sudo apt-get install chromium
(or point CHROMIUM_PATH at a Chromium binary). \`npx playwright install\` does not work here.
EOF
  exit 1
fi

# playwright-core comes from the committed lockfile (make test runs npm ci when it changed).
if [ ! -f node_modules/playwright-core/package.json ] || [ ! -f node_modules/dynalite/cli.js ]; then
  npm ci --no-audit --no-fund
fi

# The workspace's binaries with the tests' feature set, as the end-to-end tests build them: a plain
# `cargo build -p heartbeat-local` resolves features differently and compiles the AWS SDK again.
cargo build --workspace --tests --bins

node --test --test-reporter=spec tests/browser/
