#!/bin/sh
# make bench: conftest's figures beside their limits (docs: issue 9). The C program measures
# crypto, parsing and sessions against raw OpenSSL, libxml2 and libwbxml in the same run; this
# script adds the suite's wall time and the fuzz targets' exec/s, and everything goes to the
# table and to reports/bench.json.
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
for t in build/fuzz-libfuzzer/fuzz/*; do
    [ -x "$t" ] && [ -f "$t" ] || continue
    name=$(basename "$t")
    t0=$(date +%s.%N)
    units=$("$t" -runs="$runs" -print_final_stats=1 fuzz/corpus/"$name" 2>&1 |
        sed -n 's/^stat::number_of_executed_units: *//p' | tail -1)
    t1=$(date +%s.%N)
    eps=$(awk "BEGIN { printf \"%.0f\", ${units:-0} / ($t1 - $t0) }")
    set -- "$@" --row "fuzz $name (libFuzzer, ASan+UBSan)|$eps|0|exec/s|0|$t -runs=$runs fuzz/corpus/$name"
done
exec "$bench" --conftest ./conftest --row "${rows#--row }" "$@"
