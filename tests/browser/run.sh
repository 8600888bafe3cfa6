#!/usr/bin/env bash
# The browser end-to-end test: Debian's Chromium driven by playwright-core against the local
# runtime (target/debug/heartbeat-local on dynalite). Run from the repository root (make test).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

bash tests/browser/chromium.sh || { echo "browser test: FAILED (Chromium above)" >&2; exit 1; }

# playwright-core comes from the committed lockfile (make test runs npm ci when it changed).
if [ ! -f node_modules/playwright-core/package.json ] || [ ! -f node_modules/dynalite/cli.js ]; then
  npm ci --no-audit --no-fund
fi

# The workspace's binaries with the tests' feature set, as the end-to-end tests build them: a plain
# `cargo build -p heartbeat-local` resolves features differently and compiles the AWS SDK again.
cargo build --workspace --tests --bins

node --test --test-reporter=spec tests/browser/
