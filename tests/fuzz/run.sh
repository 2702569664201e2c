#!/bin/sh
# Run the libFuzzer targets built by `make fuzz-build`.
# Usage: tests/fuzz/run.sh check|long BUILD_DIR TARGET...
#   check  replay tests/fuzz/regress/<target>/*, then a fixed number of
#          inputs (FUZZ_RUNS, or the target's own count below) from its
#          seeds with a fixed seed; new inputs go to a scratch folder.
#   long   replay the regressions, then fuzz FUZZ_SECONDS (300) on
#          var/fuzz/<target>/corpus/ (the seeds copied in on first use);
#          crash inputs land in var/fuzz/<target>/.
# Prints "ok   <target> ..." or "FAIL <target> ..." per target (the
# failing output's tail follows); the full log is var/fuzz/<target>.log.
# Exits 1 when any target failed.
set -u

mode=$1 build=$2
shift 2
seconds=${FUZZ_SECONDS:-300}
extra=${FUZZ_FLAGS:-}
# Sanitizer reports stop the run; libFuzzer itself checks for leaks.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}abort_on_error=0:detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"

# Inputs for `check`: about 20-40 s for all targets on 2 cores.
runs_for() {
    if [ -n "${FUZZ_RUNS:-}" ]; then echo "$FUZZ_RUNS"; return; fi
    case $1 in
        fuzz_quotes) echo 4000 ;;
        fuzz_highlight | fuzz_passages | fuzz_html | fuzz_jsonw | fuzz_record) echo 10000 ;;
        *) echo 20000 ;;
    esac
}

failed=0
mkdir -p var/fuzz
for t in "$@"; do
    bin=$build/$t log=var/fuzz/$t.log dict=tests/fuzz/$t.dict
    seeds=tests/fuzz/corpus/$t
    [ -f "$dict" ] && dictopt="-dict=$dict" || dictopt=""
    start=$(date +%s)
    : >"$log"
    status=0
    # 1. The regression inputs, each run once (libFuzzer replays files).
    set --
    for f in tests/fuzz/regress/"$t"/*; do
        [ -f "$f" ] && set -- "$@" "$f"
    done
    if [ $# -gt 0 ]; then
        "$bin" $extra "$@" >>"$log" 2>&1 || status=$?
    fi
    # 2. Fuzzing.
    if [ $status -eq 0 ] && [ "$mode" = check ]; then
        scratch=var/fuzz/check/$t
        rm -rf "$scratch" && mkdir -p "$scratch"
        "$bin" -runs="$(runs_for "$t")" -seed=1 -max_len=4096 -timeout=10 \
            -artifact_prefix="$scratch/" $dictopt $extra "$scratch" "$seeds" >>"$log" 2>&1 ||
            status=$?
    elif [ $status -eq 0 ]; then
        dir=var/fuzz/$t
        mkdir -p "$dir/corpus"
        cp -n "$seeds"/* "$dir/corpus/" 2>/dev/null
        "$bin" -max_total_time="$seconds" -max_len=65536 -timeout=20 -print_final_stats=1 \
            -artifact_prefix="$dir/" $dictopt $extra "$dir/corpus" >>"$log" 2>&1 ||
            status=$?
    fi
    took=$(($(date +%s) - start))
    done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1)
    if [ $status -eq 0 ]; then
        echo "ok   $t (${done_line:-no fuzzing}; ${took} s)"
    else
        failed=1
        echo "FAIL $t (exit status $status; ${took} s; log: $log)"
        grep -E 'ERROR|SUMMARY|contract broken|runtime error|Test unit written' "$log" |
            tail -n 8 | sed 's/^/    /'
        tail -n 25 "$log" | sed 's/^/  | /'
    fi
done
exit $failed
