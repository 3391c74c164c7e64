#!/bin/sh
# make bench: conftest's figures beside their limits (docs/BENCH.md). The C program measures
# crypto, parsing and sessions against raw OpenSSL, libxml2 and libwbxml in the same run; this
# script adds the suite's wall time, the fuzz targets' exec/s and (BENCH_SYNCEVOLUTION=1) the
# CPU split against SyncEvolution, and everything goes to the table and to reports/bench.json.
#
#   bench/run.sh BENCH_BINARY [--quick]
set -eu
bench=$1
shift
mkdir -p reports
export CONFTEST_VECTORS=${CONFTEST_VECTORS:-vectors}

# 5. the suite against the reference, oracle classes at their CI sample size (target < 15 s).
t0=$(date +%s.%N)
./conftest run scenarios -q --seed 1 >/dev/null 2>&1 || echo "bench: the suite did not pass" >&2
t1=$(date +%s.%N)
suite=$(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }")
rows="--row suite wall time (conftest run scenarios)|$suite|15|s|<=1|limit: 15 s on 2 cores (issue 9); ratio at most 1 is within"

# 6. every fuzz target with libFuzzer for a fixed number of runs (its corpus first, then
# mutations): executed units over wall time, start-up included (libFuzzer's own figure is in
# whole seconds, useless for short runs).
runs=${BENCH_FUZZ_RUNS:-5000}
make --no-print-directory BUILD=build/fuzz-libfuzzer SANITIZE=1 CC=clang FUZZ_ENGINE=libfuzzer \
    CFLAGS=-fsanitize=fuzzer-no-link fuzz-targets >/dev/null
new=$(mktemp -d) # libFuzzer writes what it finds into its first corpus: not the repository's
for t in build/fuzz-libfuzzer/fuzz/*; do
    [ -x "$t" ] && [ -f "$t" ] || continue
    name=$(basename "$t")
    rm -rf "${new:?}"/*
    t0=$(date +%s.%N)
    units=$("$t" -runs="$runs" -print_final_stats=1 "$new" fuzz/corpus/"$name" 2>&1 |
        sed -n 's/^stat::number_of_executed_units: *//p' | tail -1)
    t1=$(date +%s.%N)
    eps=$(awk "BEGIN { printf \"%.0f\", ${units:-0} / ($t1 - $t0) }")
    set -- "$@" --row "fuzz $name (libFuzzer, ASan+UBSan)|$eps|0|exec/s|0|$t -runs=$runs NEW_DIR fuzz/corpus/$name"
done
rm -rf "$new"

# 4c. optional: the CPU split against a real server, SyncEvolution 2.0 (BENCH_SYNCEVOLUTION=1,
# with ../shared/peers or CONFTEST_PEERS): a plain session (bench/plain-session.scn) run
# 15 times by `conftest run`, its CPU (start-up included) beside that of the server's
# processes (syncevo-http-server, syncevo-dbus-server, their dbus-daemon).
if [ "${BENCH_SYNCEVOLUTION:-0}" = 1 ]; then
    peers=${CONFTEST_PEERS:-../shared/peers}
    CONFTEST_PEERS=$peers CONFTEST_SERVER_ITEMS=1 sh scenarios/sut/syncevolution-server-reset.sh
    conf=$(mktemp)
    grep -v '^known-failure\|^reset-cmd' scenarios/sut/syncevolution-server.conf >"$conf"
    sut_cpu() { # clock ticks of the server's processes so far
        t=0
        for p in $(pgrep -f 'syncevo-dbus-server|syncevo-http-server|dbus-daemon --config-file=.*syncevo-server-9011'); do
            t=$((t + $(awk '{ print $14 + $15 }' /proc/"$p"/stat 2>/dev/null || echo 0)))
        done
        echo "$t"
    }
    ./conftest run --sut "$conf" bench/plain-session.scn >/dev/null 2>&1 # the first (slow) sync
    s0=$(sut_cpu)
    # conftest's CPU: the children's line of the shell's `times`, "0m0.38s 0m0.05s" (user, sys).
    h=$( (for i in $(seq 15); do
        ./conftest run --sut "$conf" bench/plain-session.scn >/dev/null 2>&1 ||
            echo "bench: a SyncEvolution session failed" >&2
    done
    times) | awk 'NR == 2 { gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4 }')
    s1=$(sut_cpu)
    share=$(awk -v h="$h" -v s="$(( (s1 - s0) * 100 / $(getconf CLK_TCK) ))" \
        'BEGIN { printf "%.1f", 100 * h / (h + s / 100) }')
    note=$(awk -v h="$h" -v s="$(( (s1 - s0) * 1000 / $(getconf CLK_TCK) ))" \
        'BEGIN { printf "per session: conftest %.0f ms CPU (start-up included), SyncEvolution %.0f ms", h * 1000 / 15, s / 15 }')
    set -- "$@" --row "  harness share vs SyncEvolution (plain DS)|$share|25|%|<=1|$note"
    "$peers/syncevo-server.sh" stop 9011 >/dev/null 2>&1 || true
    rm -f "$conf"
fi
exec "$bench" --conftest ./conftest --row "${rows#--row }" "$@"
