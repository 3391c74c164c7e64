#!/bin/sh
# The reset-cmd of syncevolution-server.conf: a fresh SyncEvolution server on 127.0.0.1:9011
# for every scenario (no items, no device state, as conftest's reference gets). A restart also
# keeps its HTTP front end under D-Bus's 512 match rules per connection, which it reaches after
# a few hundred sessions; every request then gets HTTP 500 (docs/INTEROP.md).
# Runs from the top of the clone (make interop); CONFTEST_PEERS is ../shared/peers by default.
peers=${CONFTEST_PEERS:-../shared/peers}
"$peers/syncevo-server.sh" stop 9011 >/dev/null 2>&1
SYNCEVO_SERVER_FRESH=1 SYNCEVO_SERVER_SEED=0 exec "$peers/syncevo-server.sh" start 9011 >/dev/null
