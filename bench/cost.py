#!/usr/bin/env python3
"""What heartbeat costs on AWS, per million pulses and per month, from list prices and the write
units that tests/src/capacity.rs counts on dynalite. `make bench` runs it; docs/PERFORMANCE.md shows
its output. `--check` fails unless the default deploy (HTTP API, keys-only due index) costs at most
$2 per million pulses on the pulse path.

Prices: AWS list prices for us-east-1 (N. Virginia), first pricing tier, as published in 2025:
API Gateway REST $3.50 / M requests, HTTP API $1.00 / M; Lambda arm64 $0.20 / M requests and
$0.0000133334 per GB-second; DynamoDB on-demand $0.625 / M write request units and $0.125 / M read
request units. Storage, data transfer, CloudWatch Logs and free tiers are left out.
"""

import math
import sys

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

# Write units per pulse and per threshold period (tests/tests/due_index.rs, capacity model):
# today's design moved `dueAt` (an index key) on every pulse and projected `timestampF`: 1 table
# unit + 2 index units (delete and put). The keys-only design: 1 table unit per pulse, and once per
# threshold period the monitor reads the item (BatchGetItem, 0.5 read unit) and moves `dueAt`
# (1 table unit + 2 index units).
DESIGNS = {
    "moving index (before)": {"per_pulse_wru": 3.0, "per_period_wru": 0.0, "per_period_rru": 0.0},
    "keys-only index (now)": {"per_pulse_wru": 1.0, "per_period_wru": 3.0, "per_period_rru": 0.5},
}
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
    wru = d["per_pulse_wru"] + d["per_period_wru"] / k
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
               "threshold period on (3k write units against k + 3 + a half read unit); at 1 it costs "
               "about one write unit more per period.")
    print("\n".join(out))
    default = pulse_path_per_m(HTTP_PER_M, "keys-only index (now)", 60)
    if "--check" in sys.argv[1:]:
        if default > 2.0:
            print(f"the default deploy costs {money(default)} per million pulses, above $2", file=sys.stderr)
            sys.exit(1)
        print(f"\ncheck: the default deploy (HTTP API, keys-only index, hourly jobs) costs {money(default)} "
              "per million pulses on the pulse path (at most $2.00)")


if __name__ == "__main__":
    main()
