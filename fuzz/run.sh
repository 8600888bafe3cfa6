#!/usr/bin/env bash
# Runs the fuzz targets one after the other, FUZZ_SECONDS each (default 600), and prints libFuzzer's
# summary per target. Usage: fuzz/run.sh [target…] (default: every target). `make fuzz` calls this.
#
# Stable Rust with RUSTC_BOOTSTRAP=1 stands in for nightly (cargo-fuzz passes -Z flags to rustc).
# One libFuzzer process, one job, at nice 19: the machine's cores are shared.
# New inputs go to .work/corpus/<target> (not committed); corpus/<target> holds the committed seeds;
# crashes, timeouts and OOMs land in artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"

seconds=${FUZZ_SECONDS:-600}
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# No ASan by default: heartbeat has no `unsafe`, so it would find nothing a panic does not, and it
# costs speed (FUZZ_SANITIZER=address turns it on; that build needs RUSTC_BOOTSTRAP=1, for
# -Zsanitizer). Debug assertions stay on, so integer overflow panics.
flags=(--sanitizer "${FUZZ_SANITIZER:-none}" --debug-assertions)
if (($# > 0)); then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

nice -n 19 cargo fuzz build "${flags[@]}"

failed=()
for target in "${targets[@]}"; do
    mkdir -p ".work/corpus/$target" "artifacts/$target"
    log=".work/$target.log"
    before=$(find "artifacts/$target" -type f | wc -l)
    echo "== $target: ${seconds}s"
    status=0
    nice -n 19 cargo fuzz run "${flags[@]}" "$target" ".work/corpus/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        >"$log" 2>&1 || status=$?
    after=$(find "artifacts/$target" -type f | wc -l)
    grep -E '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)|^==[0-9]+== ERROR|^SUMMARY|deadly signal|Test unit written' "$log" || true
    # libFuzzer's own corpus size is `corp:` on the DONE line; the number of files can differ.
    echo "corpus directory: $(find ".work/corpus/$target" -type f | wc -l) files in .work/corpus/$target (+ $(find "corpus/$target" -type f | wc -l) seeds)"
    echo "new artifacts (crashes, timeouts, OOMs): $((after - before)); exit status $status; full log: fuzz/$log"
    if ((status != 0 || after != before)); then
        failed+=("$target")
    fi
done

if ((${#failed[@]} > 0)); then
    echo "fuzzing found problems in: ${failed[*]} (see fuzz/artifacts/ and the logs)" >&2
    exit 1
fi
