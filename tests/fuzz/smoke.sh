#!/bin/sh
# Fuzz every target for a bounded time with one engine (make fuzz-smoke). A crash, leak or hang
# the engine reports fails the run; the reproducer stays under BUILD/findings/TARGET/. Prints
# one line per target with its executions per second.
#
#   tests/fuzz/smoke.sh libfuzzer|afl BUILD SECONDS TARGET...
set -u
engine=$1 build=$2 secs=$3
shift 3
failed=0
export CONFTEST_VECTORS=vectors
for t in "$@"; do
    bin=$build/fuzz/$t
    work=$build/work/$t
    find=$build/findings/$t
    log=$build/$t.fuzz.log
    rm -rf "$work" "$find"
    mkdir -p "$work" "$find"
    cp fuzz/corpus/"$t"/* "$work"/
    dict=$(sed -n 's/^dict = //p' fuzz/"$t".options 2>/dev/null)
    max_len=$(sed -n 's/^max_len = //p' fuzz/"$t".options 2>/dev/null)
    case $engine in
    libfuzzer)
        "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            ${max_len:+-max_len=$max_len} ${dict:+-dict=fuzz/dict/$dict} \
            -artifact_prefix="$find/" "$work" >"$log" 2>&1
        rc=$?
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        rate=$(( ${runs:-0} / secs ))
        ;;
    afl)
        out=$build/afl-out/$t
        rm -rf "$out"
        mkdir -p "$(dirname "$out")"
        AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
            AFL_SKIP_CRASHES=1 AFL_QUIET=1 \
            afl-fuzz -i "$work" -o "$out" -V "$secs" -m none -t 10000 ${dict:+-x fuzz/dict/$dict} \
            -- "$bin" >"$log" 2>&1
        rc=$?
        crashes=$(find "$out" -path '*/crashes/id:*' 2>/dev/null | wc -l)
        hangs=$(find "$out" -path '*/hangs/id:*' 2>/dev/null | wc -l)
        find "$out" \( -path '*/crashes/id:*' -o -path '*/hangs/id:*' \) -exec cp {} "$find"/ \; 2>/dev/null
        rate=$(sed -n 's/^execs_per_sec *: *//p' "$out"/default/fuzzer_stats 2>/dev/null | cut -d. -f1)
        [ "$rc" -eq 0 ] && [ "$crashes" -gt 0 ] && rc=1
        [ "$rc" -eq 0 ] && [ "$hangs" -gt 0 ] && rc=1
        ;;
    *) echo "smoke.sh: engine libfuzzer or afl" >&2; exit 2 ;;
    esac
    if [ "$rc" -eq 0 ]; then
        echo "ok   $engine $t: ${rate:-?} exec/s for ${secs}s"
    else
        echo "FAIL $engine $t (exit $rc): see $log; reproducers in $find"
        tail -20 "$log" | sed 's/^/     /'
        failed=$((failed + 1))
    fi
done
[ "$failed" -eq 0 ]
