#!/usr/bin/env bash
# Runs a command and sends a heartbeat pulse only when it succeeded, so a failing job goes quiet and
# the monitor alerts. Usage:
#   HEARTBEAT_URL=https://…/heartbeat/pulse heartbeat-wrap.sh HOST CATEGORY TYPE NAME -- command args…
# Optional: HEARTBEAT_THRESHOLD (hours, used when the pulse is first created), HEARTBEAT_KEY.
set -uo pipefail

if [ $# -lt 6 ] || [ "$5" != "--" ]; then
  echo "usage: HEARTBEAT_URL=… $0 HOST CATEGORY TYPE NAME -- command [args…]" >&2
  exit 64
fi
host=$1 category=$2 type=$3 name=$4
shift 5

"$@"
status=$?
if [ "$status" -ne 0 ]; then
  echo "heartbeat-wrap: '$*' exited with $status; no pulse sent" >&2
  exit "$status"
fi

args=(--silent --show-error --fail --max-time 10 --retry 3 --retry-delay 5 --retry-all-errors --get
      --data-urlencode "host=$host" --data-urlencode "category=$category"
      --data-urlencode "type=$type" --data-urlencode "name=$name")
[ -n "${HEARTBEAT_THRESHOLD:-}" ] && args+=(--data-urlencode "threshold=$HEARTBEAT_THRESHOLD")
[ -n "${HEARTBEAT_KEY:-}" ] && args+=(--header "Authorization: Bearer $HEARTBEAT_KEY")
# A pulse that cannot be delivered must not turn a successful job into a failed one.
curl "${args[@]}" "${HEARTBEAT_URL:?set HEARTBEAT_URL to …/heartbeat/pulse}" >/dev/null || echo "heartbeat-wrap: pulse not delivered" >&2
exit 0
