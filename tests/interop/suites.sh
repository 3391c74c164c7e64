#!/bin/bash
# The conformance suites against SyncEvolution 2.0 (make interop): the DS 1.2 baseline with
# SyncEvolution as the server under test (scenarios/sut/syncevolution-server.conf, a fresh
# server per scenario) and as the client under test (scenarios/sut/syncevolution-client.conf,
# one client session per `session`), each with its JUnit, JSON and HTML reports under
# reports/. The encryption profile's scenarios are not applicable: SyncEvolution does not claim
# it. Green-or-explained: every deviation of the peer is a known failure in its SUT config, with
# the requirement and the evidence in docs/INTEROP.md.
#
#   tests/interop/suites.sh [PEERS_DIR]      (run from the top of the clone; needs root once,
#                                             for the peer scripts' apt-get)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
peers=${1:-$root/../shared/peers}
CONFTEST_PEERS=$(cd "$peers" && pwd) || { echo "no peers dir: $peers" >&2; exit 2; }
export CONFTEST_PEERS
[[ -x ./conftest ]] || { echo "build conftest first (make)" >&2; exit 2; }
mkdir -p reports
trap '"$CONFTEST_PEERS/syncevo-server.sh" stop 9011 >/dev/null 2>&1' EXIT

# The run probes the server before its first scenario: start one (each scenario then gets a
# fresh one from the config's reset-cmd).
scenarios/sut/syncevolution-server-reset.sh || { echo "cannot start the SyncEvolution server" >&2; exit 2; }

status=0
for role in server client; do
    echo "== SyncEvolution as the $role under test"
    ./conftest run scenarios --sut "scenarios/sut/syncevolution-$role.conf" -j 1 \
        --junit "reports/interop-syncevolution-$role.xml" --json "reports/interop-syncevolution-$role.json" \
        --html "reports/interop-syncevolution-$role.html" --transcripts "reports/interop-syncevolution-$role" -q
    rc=$?
    [[ $rc -ne 0 ]] && status=$rc
done
exit $status
