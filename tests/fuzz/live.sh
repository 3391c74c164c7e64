#!/bin/sh
# The live fuzzer against the builtin reference (make fuzz-live-tests, part of make test):
#   - with each seeded bug that crashes or hangs the server, `conftest fuzz` finds it on its own
#     within a bounded run, from a model scenario that knows nothing of the bug (a plain slow
#     sync), and writes a scenario that FAILS with `conftest run` and that bug, and PASSES
#     against the clean reference (so it names the bug, not an artefact of the fuzzer);
#   - against the clean reference, server and client roles, in the clear and with the profile,
#     it finds nothing (no false finding);
#   - a broken or failing model is refused with a clear error.
# Seeds are fixed: the candidates are the same on every machine; the outcomes are the SUT's.
set -u
BIN=${1:?usage: live.sh path/to/conftest}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failed=0
MODEL=scenarios/ds/sync/slow-all-items.scn

ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

for bug in locname-overflow lo-overflow hang-tiny-msgsize; do
    out=$TMP/$bug
    "$BIN" fuzz "$MODEL" --ref-bug "$bug" --seed 1 --runs 300 --time 240 --max-findings 1 \
        --out "$out" >"$TMP/$bug.log" 2>&1
    rc=$?
    found=$(ls "$out"/*.scn 2>/dev/null | head -1)
    if [ "$rc" -ne 1 ] || [ -z "$found" ]; then
        bad "fuzz with --ref-bug $bug: exit $rc, no finding saved"; sed 's/^/    /' "$TMP/$bug.log" | tail -5
        continue
    fi
    ok "fuzz finds $bug: $(sed -n 's/^FOUND  candidate \([0-9]*\): \(.*\)/candidate \1, \2/p' "$TMP/$bug.log" | head -1)"
    if "$BIN" run "$found" --ref-bug "$bug" -q >"$TMP/rerun.log" 2>&1; then
        bad "the saved $found passes with --ref-bug $bug: it does not reproduce"
    else
        ok "the saved scenario fails with conftest run --ref-bug $bug"
    fi
    if "$BIN" run "$found" -q >"$TMP/clean.log" 2>&1; then
        ok "the saved scenario passes against the clean reference"
    else
        bad "the saved $found fails against the clean reference:"; sed 's/^/    /' "$TMP/clean.log" | tail -8
    fi
done

# No false finding on the clean reference: both roles, plain and encrypted models.
for model in "$MODEL" scenarios/enc/session/accepted.scn scenarios/ds/client/map-two-adds.scn; do
    "$BIN" fuzz "$model" --seed 7 --runs 80 --time 120 --timeout 10000 --out "$TMP/clean" >"$TMP/clean.log" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && ! ls "$TMP/clean"/*.scn >/dev/null 2>&1; then
        ok "no finding on the clean reference from $model ($(tail -2 "$TMP/clean.log" | head -1 | cut -d: -f1))"
    else
        bad "fuzz of the clean reference from $model: exit $rc"; sed 's/^/    /' "$TMP/clean.log" | tail -8
    fi
done

# A model that fails against the SUT is refused (exit 3), not fuzzed into false findings.
"$BIN" fuzz scenarios/ds/sync/add-two-way-201.scn --ref-bug add-status-200 --runs 5 --out "$TMP/x" \
    >"$TMP/refuse.log" 2>&1
rc=$?
if [ "$rc" -eq 3 ] && grep -q "does not pass against this SUT" "$TMP/refuse.log"; then
    ok "a model that fails against the SUT is refused"
else
    bad "a failing model: exit $rc"; sed 's/^/    /' "$TMP/refuse.log" | tail -3
fi
printf 'id x\n' >"$TMP/broken.scn"
"$BIN" fuzz "$TMP/broken.scn" --runs 5 --out "$TMP/x" >"$TMP/broken.log" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && grep -q "broken.scn" "$TMP/broken.log"; then
    ok "a broken model is an error naming the file (exit $rc)"
else
    bad "a broken model: exit $rc"; sed 's/^/    /' "$TMP/broken.log" | tail -3
fi

[ "$failed" -eq 0 ] && echo "live fuzzing: all checks passed" || echo "live fuzzing: $failed check(s) failed"
[ "$failed" -eq 0 ]
