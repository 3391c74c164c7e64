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
rows="--row suite wall time (conftest run scenarios)|$suite|15|s|0|limit: 15 s on 2 cores (issue 9); ratio under 1 is within"

# 6. every fuzz target with libFuzzer for a fixed number of runs.
make --no-print-directory BUILD=build/fuzz-libfuzzer SANITIZE=1 CC=clang FUZZ_ENGINE=libfuzzer \
    CFLAGS=-fsanitize=fuzzer-no-link fuzz-targets >/dev/null
set -- "$@"
for t in build/fuzz-libfuzzer/fuzz/*; do
    [ -x "$t" ] && [ -f "$t" ] || continue
    name=$(basename "$t")
    eps=$("$t" -runs=2000 -print_final_stats=1 fuzz/corpus/"$name" 2>&1 |
        sed -n 's/^stat::average_exec_per_sec: *//p' | tail -1)
    set -- "$@" --row "fuzz $name (libFuzzer, ASan+UBSan)|${eps:-0}|0|exec/s|0|2000 runs over its corpus"
done
exec "$bench" --row "${rows#--row }" "$@"
