#!/bin/bash
# The sync-cmd of syncevolution-client.conf: one SyncEvolution 2.0 client session against
# conftest, through ../shared/peers/syncevo-client.sh (CONFTEST_PEERS), with the scenario's
# settings:
#
#   syncevolution-client.sh URL USER PASSWORD DB MODE AUTH DATA ITEMS ENCODING
#
# The client's state lives in DATA (conftest's scratch directory of the scenario), so the
# sessions of one scenario are one device's history. Before its first session the client's
# addressbook holds exactly ITEMS vCards ("FN:Client Item N", as conftest's own client has),
# not the peer script's two samples. Runs from the top of the clone (make interop).
set -euo pipefail
url=$1 user=$2 password=$3 db=$4 mode=${5:-two-way} auth=${6:-} data=$7 items=${8:-0} encoding=${9:-xml}
peers=${CONFTEST_PEERS:-../shared/peers}
state=$data/syncevolution
if [[ ! -d "$state/db/addressbook" ]]; then
    # What syncevo-client.sh does on a first run, with our items instead of its seed.
    mkdir -p "$state/db/addressbook" "$state/home" "$state/config" "$state/cache" "$state/data"
    for ((i = 1; i <= items; i++)); do
        printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Client Item %d\r\nN:Item %d;Client;;;\r\nEND:VCARD\r\n' "$i" "$i" \
            >"$state/db/addressbook/item-$i"
    done
    HOME="$state/home" XDG_CONFIG_HOME="$state/config" XDG_CACHE_HOME="$state/cache" XDG_DATA_HOME="$state/data" \
        syncevolution --configure keyring=no backend=file databaseFormat=text/vcard \
        database="file://$state/db/addressbook" "@client" addressbook >/dev/null 2>&1
fi
args=(--state "$state" --uri "addressbook=$db" --device-id sevo-client-1 --user "$user" --password "$password")
[[ -n "$mode" ]] && args+=(--mode "$mode")
[[ "$auth" == basic || "$auth" == md5 ]] && args+=(--auth "$auth")
[[ "$encoding" == wbxml ]] && args+=(--wbxml)
exec "$peers/syncevo-client.sh" "$url" "${args[@]}"
