#!/usr/bin/env bash
# nextest setup script (.config/nextest.toml): starts the one dynalite that the run's end-to-end
# tests share, each in tables of its own, and names it to them in HEARTBEAT_TEST_DYNALITE. It runs
# in a session of its own (Ctrl-C and nextest's signals are for the tests) and ends when the nextest
# process that ran this script ends.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ ! -f $root/node_modules/dynalite/cli.js ]]; then
  echo "dynalite is not installed: run \`npm ci --no-audit --no-fund\` in $root (make test does this)" >&2
  exit 1
fi
: "${NEXTEST_ENV:?this is a nextest setup script: run it through cargo nextest}"

dir=$(mktemp -d "${TMPDIR:-/tmp}/heartbeat-shared-dynalite.XXXXXX")
setsid node "$root/tests/shared-dynalite/serve.js" "$PPID" "$dir/port" "$dir" </dev/null >"$dir/log" 2>&1 &
node=$!

deadline=$((SECONDS + 10))
until [[ -s $dir/port ]]; do
  if ! kill -0 "$node" 2>/dev/null; then
    echo "the shared dynalite exited before it listened:" >&2
    cat "$dir/log" >&2
    exit 1
  fi
  if ((SECONDS > deadline)); then
    echo "the shared dynalite did not listen within 10 s:" >&2
    cat "$dir/log" >&2
    exit 1
  fi
  sleep 0.05
done
printf 'HEARTBEAT_TEST_DYNALITE=http://127.0.0.1:%s\nHEARTBEAT_TEST_DYNALITE_LOG=%s\n' "$(<"$dir/port")" "$dir/log" >>"$NEXTEST_ENV"
echo "shared dynalite on 127.0.0.1:$(<"$dir/port"), for nextest pid $PPID"
