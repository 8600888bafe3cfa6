#!/usr/bin/env python3
"""What heartbeat costs on AWS, per million pulses and per month, from list prices, the requests a
pulse makes (bench/pulse_requests.json, which tests/tests/e2e/wire_cost.rs holds to what the pulse
function sends at the DynamoDB wire) and the index units that tests/src/capacity.rs counts on
dynalite. `make bench` runs it; docs/PERFORMANCE.md shows its output. `--check` fails unless the
default deploy (HTTP API, keys-only due index) costs at most $2 per million pulses on the pulse path.

Prices: AWS list prices for us-east-1 (N. Virginia), first pricing tier, as published in 2025:
API Gateway REST $3.50 / M requests, HTTP API $1.00 / M; Lambda arm64 $0.20 / M requests and
$0.0000133334 per GB-second; DynamoDB on-demand $0.625 / M write request units and $0.125 / M read
request units. Storage, data transfer, CloudWatch Logs and free tiers are left out.
"""

import json
import math
import sys
from pathlib import Path

REST_PER_M = 3.50
HTTP_PER_M = 1.00
LAMBDA_REQUEST_PER_M = 0.20
LAMBDA_GB_SECOND = 0.0000133334
WRU_PER_M = 0.625
RRU_PER_M = 0.125

# Assumptions, stated where they are used.
MEMORY_GB = 128 / 1024  # template.yaml: MemorySize 128 for every function
PULSE_BILLED_S = 0.005  # a warm Rust pulse on arm64, billed per ms (issue 15's figure)
MONITOR_BILLED_S = 0.300  # a run with nothing due: 32 Queries and one Scan segment
ITEM_BYTES = 300  # a pulse item as billed (heartbeat-bench prints the exact size: 258-300 B)
THRESHOLD_H = 24  # the default threshold; most clients send none
SHARDS = 32
SWEEP_SEGMENTS = 60
RUNS_PER_MONTH = 30 * 24 * 60  # the default schedule: every minute
# Working hours in a 30-day month with Saturday and Sunday off: how many threshold periods pass.
WORKING_HOURS_PER_MONTH = 30 * 24 * 5 / 7

# The requests a plain steady pulse makes, counted at the wire (each one write unit: the test checks
# that every item written is under 1 KB). Operations this script cannot price stop it.
PULSE_REQUESTS = Path(__file__).with_name("pulse_requests.json")
WRITES = {"PutItem", "UpdateItem", "DeleteItem"}


def pulse_requests():
    """(operation, table) of each request of a steady pulse."""
    requests = [(r["operation"], r["table"]) for r in json.loads(PULSE_REQUESTS.read_text())["steady_pulse"]]
    unpriced = sorted({op for op, _ in requests if op not in WRITES})
    if unpriced:
        sys.exit(f"{PULSE_REQUESTS.name} lists {', '.join(unpriced)}, which bench/cost.py does not price yet")
    return requests


PULSE_WRITES = len(pulse_requests())

# Index units per pulse and units per threshold period (tests/tests/e2e/due_index.rs, capacity
# model): the first design moved `dueAt` (an index key) on every pulse and projected `timestampF`:
# 2 index units (delete and put) per pulse. The keys-only design: none per pulse, and once per
# threshold period the monitor reads the item (BatchGetItem, 0.5 read unit) and moves `dueAt`
# (1 table unit + 2 index units).
DESIGNS = {
    "first design (moving index)": {"per_pulse_index_wru": 2.0, "per_period_wru": 0.0, "per_period_rru": 0.0},
    "keys-only index": {"per_pulse_index_wru": 0.0, "per_period_wru": 3.0, "per_period_rru": 0.5},
}
DEFAULT_DESIGN = "keys-only index"
APIS = {"HTTP API": HTTP_PER_M, "REST API": REST_PER_M}
JOBS = [1_000, 100_000, 1_000_000]
INTERVALS = {"hourly": 60, "every 5 min": 5}


def pulses_per_month(interval_min):
    return 30 * 24 * 60 / interval_min


def pulses_per_period(interval_min):
    """Pulses a job sends in one threshold period (wall time per working time, on average)."""
    return pulses_per_month(interval_min) / (WORKING_HOURS_PER_MONTH / THRESHOLD_H)


def pulse_path_per_m(api_per_m, design, interval_min):
    """Dollars per million pulses: API, Lambda, and the DynamoDB units a pulse causes."""
    k = pulses_per_period(interval_min)
    d = DESIGNS[design]
    lam = LAMBDA_REQUEST_PER_M + 1e6 * PULSE_BILLED_S * MEMORY_GB * LAMBDA_GB_SECOND
    wru = PULSE_WRITES + d["per_pulse_index_wru"] + d["per_period_wru"] / k
    rru = d["per_period_rru"] / k
    return api_per_m + lam + wru * WRU_PER_M + rru * RRU_PER_M


def monitor_per_month(jobs):
    """The one-minute monitor with nothing due: Lambda, 32 empty Queries (0.5 unit each), and one
    sweep segment (1/60 of the table, billed by size in 4 KB units, eventually consistent)."""
    lam = RUNS_PER_MONTH * (LAMBDA_REQUEST_PER_M / 1e6 + MONITOR_BILLED_S * MEMORY_GB * LAMBDA_GB_SECOND)
    queries = RUNS_PER_MONTH * SHARDS * 0.5
    sweep = RUNS_PER_MONTH * math.ceil(jobs / SWEEP_SEGMENTS * ITEM_BYTES / 4096) * 0.5
    return lam + (queries + sweep) * RRU_PER_M / 1e6


def money(x):
    return f"${x:,.2f}" if x >= 0.995 or x == 0 else f"${x:.3f}"


def main():
    out = []
    counted = ", ".join(f"{op} on the {table} table" for op, table in pulse_requests())
    out.append(f"A steady pulse makes {PULSE_WRITES} DynamoDB write requests, counted at the wire: {counted}.")
    out.append("")
    out.append("Per million pulses, pulse path only (API, Lambda, DynamoDB units of the pulse and of the")
    out.append(f"monitor's reschedule once per {THRESHOLD_H} h threshold period):")
    out.append("")
    out.append("| API | index design | hourly jobs | every-5-minute jobs |")
    out.append("|---|---|---|---|")
    for api, price in APIS.items():
        for design in DESIGNS:
            row = [pulse_path_per_m(price, design, i) for i in INTERVALS.values()]
            out.append(f"| {api} | {design} | {money(row[0])} | {money(row[1])} |")
    out.append("")
    out.append("Per month, with the one-minute monitor (nothing due) included; in brackets, per million pulses:")
    out.append("")
    out.append("| jobs | interval | pulses / month | monitor / month | " + " | ".join(
        f"{api}, {design}" for api in APIS for design in DESIGNS) + " |")
    out.append("|---|---|---|---|" + "---|" * (len(APIS) * len(DESIGNS)))
    for jobs in JOBS:
        for name, interval in INTERVALS.items():
            pulses = jobs * pulses_per_month(interval)
            monitor = monitor_per_month(jobs)
            cells = []
            for api, price in APIS.items():
                for design in DESIGNS:
                    total = pulses / 1e6 * pulse_path_per_m(price, design, interval) + monitor
                    cells.append(f"{money(total)} ({money(total / pulses * 1e6)})")
            out.append(f"| {jobs:,} | {name} | {pulses / 1e6:,.1f} M | {money(monitor)} | " + " | ".join(cells) + " |")
    out.append("")
    k_hourly = pulses_per_period(60)
    out.append(f"Pulses per threshold period at a {THRESHOLD_H} h threshold: hourly {k_hourly:.1f}, "
               f"every 5 minutes {pulses_per_period(5):.0f}. The keys-only index is cheaper from 2 pulses per "
               "threshold period on (2k more index units against 3 + a half read unit); at 1 it costs "
               "about one write unit more per period.")
    print("\n".join(out))
    default = pulse_path_per_m(HTTP_PER_M, DEFAULT_DESIGN, 60)
    print(f"\nThe default deploy (HTTP API, keys-only index, hourly jobs) costs {money(default)} per million "
          "pulses on the pulse path.")
    if "--check" in sys.argv[1:]:
        if default > 2.0:
            print(f"check failed: the default deploy costs {money(default)} per million pulses, above $2",
                  file=sys.stderr)
            sys.exit(1)
        print("check: at most $2.00 per million pulses on the pulse path")


if __name__ == "__main__":
    main()
