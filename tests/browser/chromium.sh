#!/usr/bin/env bash
# Makes sure Debian's Chromium is where playwright-core looks for it (CHROMIUM_PATH, default
# /usr/bin/chromium), installing it with apt when it is missing and this user may; otherwise it
# says how to install it and fails. Used by the browser tests (run.sh) and by `make bench`.
set -euo pipefail

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
  echo "$CHROMIUM is missing; installing Debian's chromium…" >&2
  "${sudo[@]}" apt-get update -q &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
}

if [ ! -x "$CHROMIUM" ]; then
  install_chromium || true
fi
if [ ! -x "$CHROMIUM" ]; then
  cat >&2 <<MSG
FAILED — Chromium is needed at $CHROMIUM and could not be installed.
Install Debian's Chromium, then run this again:
    sudo apt-get install chromium
(or point CHROMIUM_PATH at a Chromium binary). \`npx playwright install\` does not work here.
MSG
  exit 1
fi
