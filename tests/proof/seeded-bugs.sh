#!/bin/sh
# The proof that the suite can fail (docs/SCENARIOS.md, "Proof"). The whole suite must be green
# against the clean reference; then, for every seeded bug of the reference:
#   - every scenario that names the bug in its `catches` header FAILS (a verdict, not an error),
#   - no scenario ERRORs (a bug is the SUT's failure, never the harness's),
#   - every scenario of the other role still PASSES (a server bug cannot redden a client check).
# A scenario that stays green against the bug it claims to catch is a test that cannot fail.
# For each bug it prints the scenarios that caught it (every FAIL), and it ends with the line
# `mutation score: CAUGHT/TOTAL` (a bug is caught when at least one scenario fails with it).
#
#   tests/proof/seeded-bugs.sh [CONFTEST [SCENARIOS]]
set -u
BIN=${1:-./conftest}
DIR=${2:-scenarios}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failed=0 n=0 caught=0 total=0

ok() { n=$((n + 1)); echo "ok   $1"; }
bad() { n=$((n + 1)); failed=$((failed + 1)); echo "FAIL $1"; }

# id role, one per line
"$BIN" list --long "$DIR" | awk '{ print $1, $2 }' >"$TMP/roles"
# verdict id, one per line, from a run's console output
verdicts() { sed -n 's/^\[ *[0-9]*\/[0-9]*\] \([A-Z]*\) *\([^ ]*\) .*/\1 \2/p' "$1"; }

"$BIN" run "$DIR" --seed 1 -j 4 --color never >"$TMP/clean" 2>&1
rc=$?
if [ $rc -eq 0 ] && ! verdicts "$TMP/clean" | grep -qv '^PASS '; then
    ok "the suite is green against the clean reference"
else
    bad "the suite is not green against the clean reference (exit $rc):"
    grep -v '^\[.*PASS ' "$TMP/clean" | sed 's/^/     /'
fi

for bug in $("$BIN" serve --list-bugs | awk '{ print $1 }'); do
    role=$("$BIN" serve --list-bugs | awk -v b="$bug" '$1 == b { print $2 }')
    # The oracle runs are left out here (the clean run above has them): each bug is caught by
    # scenarios of its own, and the suite stays within minutes.
    "$BIN" run "$DIR" --ref-bug "$bug" --seed 1 --timeout 5 --oracle-runs 0 -j 4 --color never >"$TMP/run" 2>&1
    verdicts "$TMP/run" >"$TMP/v"
    total=$((total + 1))
    by=$(awk '$1 == "FAIL" { printf " %s", $2 }' "$TMP/v")
    if [ -n "$by" ]; then caught=$((caught + 1)); echo "bug  $bug ($role): caught by$by"; else
        echo "bug  $bug ($role): NOT CAUGHT by any scenario"; fi
    catchers=$(grep -rlE "^catches([[:space:]].*)?[[:space:]]$bug([[:space:]]|\$)" "$DIR" --include='*.scn' |
        xargs -r awk '$1 == "id" { print $2 }')
    if [ -z "$catchers" ]; then
        echo "note: no scenario catches $bug yet"
    fi
    for id in $catchers; do
        if grep -qx "FAIL $id" "$TMP/v"; then ok "$id fails with --ref-bug $bug"; else
            bad "$id does not fail with --ref-bug $bug: $(grep " $id\$" "$TMP/v")"; fi
    done
    if grep -q '^ERROR ' "$TMP/v"; then
        bad "--ref-bug $bug makes scenarios ERROR: $(grep '^ERROR ' "$TMP/v" | tr '\n' ' ')"
    fi
    other=$(awk -v r="$role" '$2 != r { print $1 }' "$TMP/roles")
    reddened=""
    for id in $other; do
        grep -qx "PASS $id" "$TMP/v" || reddened="$reddened $id"
    done
    if [ -n "$reddened" ]; then bad "the $role bug $bug reddens scenarios of the other role:$reddened"; else
        ok "the $role bug $bug leaves the other role's scenarios green"; fi
done

echo "proof: $((n - failed))/$n checks passed"
echo "mutation score: $caught/$total"
[ "$caught" -eq "$total" ] || failed=$((failed + 1))
[ "$failed" -eq 0 ]
