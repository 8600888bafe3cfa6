#!/usr/bin/env bash
# The API contract: starts heartbeat-local on dynalite (free ports, a throwaway data folder, API keys
# set), creates a few pulses, then runs schemathesis with the served OpenAPI document as its input:
# every operation, positive and negative cases, every check (no 5xx, every answer matching its
# schema, auth enforced, deleted pulses gone). Stops everything on exit. Usage: tests/api/run.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
st="$root/.venv/bin/st"
examples="${API_CONTRACT_EXAMPLES:-40}"
data="$(mktemp -d)"
log="$data/heartbeat.log"
key="contract-key-$RANDOM$RANDOM"
read_key="contract-read-key-$RANDOM$RANDOM"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port="$(free_port)"
base="http://127.0.0.1:$port"

cleanup() {
  if [[ -n "${pid:-}" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

# The workspace's binaries with the tests' feature set, as the end-to-end tests build them: a plain
# `cargo build -p heartbeat-local` resolves features differently and compiles the AWS SDK again.
cargo build --quiet --workspace --tests --bins
HEARTBEAT_PORT="$port" HEARTBEAT_DATA="$data" HEARTBEAT_MONITOR_EVERY=0 DYNALITE_PORT=0 \
  API_KEY="$key" API_READ_KEY="$read_key" DASHBOARD_SECRET="contract-secret" \
  "$root/target/debug/heartbeat-local" >"$log" 2>&1 &
pid=$!

for _ in $(seq 1 150); do
  if curl -fsS "$base/heartbeat/api/v1/openapi.json" -o /dev/null 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "heartbeat-local stopped:"; cat "$log"; exit 1; fi
  sleep 0.2
done

# A few pulses to read, change and delete; every third is late a millisecond after its pulse, on any
# day of the week.
for i in $(seq 1 12); do
  expect="threshold=24"
  if (( i % 3 == 0 )); then expect="threshold=0.0000003&workdays=all"; fi
  curl -fsS -o /dev/null "$base/heartbeat/pulse?host=db-$((i % 2))&category=backup&type=nightly&name=job-$i&$expect"
done
for attempt in $(seq 1 100); do
  late="$(curl -fsS -H "Authorization: Bearer $key" "$base/heartbeat/api/v1/pulses?status=late" | { grep -o '"status":"late"' || true; } | wc -l)"
  if (( late == 4 )); then break; fi
  if (( attempt == 100 )); then echo "$late of the 4 pulses meant to be late are late"; exit 1; fi
  sleep 0.05
done

"$st" --config-file "$root/tests/api/schemathesis.toml" run "$base/heartbeat/api/v1/openapi.json" \
  --url "$base/heartbeat/api/v1" \
  -H "Authorization: Bearer $key" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "$examples" \
  --seed 1 \
  --request-timeout 10 \
  --mode all
