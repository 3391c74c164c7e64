#!/bin/sh
# The reset-cmd of syncevolution-server.conf: a fresh SyncEvolution server on 127.0.0.1:9011
# for every scenario (no device state), holding the scenario's server items
# (CONFTEST_SERVER_ITEMS vCards "FN:Server Item N", as conftest's reference would) and knowing
# the device IDs the scenarios use. A restart also keeps its HTTP front end under D-Bus's 512
# match rules per connection, which it reaches after a few hundred sessions; every request
# then gets HTTP 500 (docs/INTEROP.md).
# Runs from the top of the clone (make interop); CONFTEST_PEERS is ../shared/peers by default.
set -e
peers=${CONFTEST_PEERS:-../shared/peers}
state=${TMPDIR:-/tmp}/syncevo-server-9011
"$peers/syncevo-server.sh" stop 9011 >/dev/null 2>&1 || true
SYNCEVO_SERVER_STATE=$state SYNCEVO_SERVER_FRESH=1 SYNCEVO_SERVER_SEED=0 \
    SYNCEVO_DEVICE_IDS="harness-client-1 harness-client-1-2 conftest-harness-2 sevo-client-1" \
    "$peers/syncevo-server.sh" start 9011 >/dev/null
i=1
while [ "$i" -le "${CONFTEST_SERVER_ITEMS:-0}" ]; do
    printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Server Item %d\r\nN:Item;Server %d;;;\r\nTEL:+1-555-01%02d\r\nEND:VCARD\r\n' \
        "$i" "$i" "$i" >"$state/db/addressbook/server-item-$i"
    i=$((i + 1))
done
