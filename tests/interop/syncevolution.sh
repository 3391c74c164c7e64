#!/bin/bash
# Interoperability of the reference SUT with SyncEvolution 2.0 (libsynthesis), a SyncML
# DS 1.2 implementation nobody here wrote. Both directions, plain DS 1.2 (SyncEvolution
# does not implement the encryption profile):
#
#   A  SyncEvolution client  ->  conftest serve
#   B  conftest sync         ->  SyncEvolution server
#
# Each case checks the session's outcome AND the data on both sides afterwards (item files
# in SyncEvolution's file backend, `conftest sync --list` for ours), so a session that
# "completes" without moving the data fails here.
#
#   tests/interop/syncevolution.sh [PEERS_DIR]
#
# PEERS_DIR defaults to ../shared/peers (the scripts that install and run SyncEvolution on
# 127.0.0.1; they apt-get what they need, so run as root). Not part of `make test`: it
# needs those packages and takes about a minute. `make interop` runs it.
# Results and findings: docs/INTEROP.md.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
peers=${1:-$root/../shared/peers}
peers=$(cd "$peers" && pwd) || { echo "no peers dir" >&2; exit 2; }
ct="$root/conftest"
[[ -x "$ct" ]] || { echo "build conftest first (make)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ct-interop.XXXXXX")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ct_port=$(free_port)
se_port=$(free_port)
serve_pid=""
cleanup() {
    [[ -n "$serve_pid" ]] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
    SYNCEVO_SERVER_STATE="$work/se-server" "$peers/syncevo-server.sh" stop "$se_port" >/dev/null 2>&1
}
trap cleanup EXIT

pass=0 fail=0
check() { # check NAME CONDITION-EXIT-STATUS DETAIL
    if [[ $2 == 0 ]]; then
        pass=$((pass + 1)); printf 'ok    %s\n' "$1"
    else
        fail=$((fail + 1)); printf 'FAIL  %s  (%s)\n' "$1" "$3"
    fi
}
count_files() { find "$1" -maxdepth 1 -type f | wc -l; }
# the items the conftest server holds in contacts, one per file in $1: a fresh client
# refreshes from the server and exports what it got
server_items() {
    local n=$((probe += 1))
    rm -rf "$1"
    "$ct" sync "http://127.0.0.1:$ct_port/sync" --data "$work/probe-$n" --device-id "probe-$n" \
        --mode refresh-from-server --export "$1" >/dev/null 2>&1
}
probe=0

echo "== A: SyncEvolution client -> conftest serve (127.0.0.1:$ct_port)"
"$ct" serve --listen "127.0.0.1:$ct_port" --data "$work/ct-server" --log 2>"$work/serve.log" &
serve_pid=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$ct_port") 2>/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$ct_port/sync"
sevo() { "$peers/syncevo-client.sh" "$url" --uri addressbook=contacts "$@" >"$work/sevo.out" 2>&1; }

sevo --device-id sevo-client-1 --state "$work/c1"
rc=$?
server_items "$work/s1"
items=$(count_files "$work/s1/contacts")
check "A1 XML, md5, first (slow) sync: the client's 2 items reach the server" \
    $((rc != 0 || items != 2)) "exit $rc, server has $items"

sevo --device-id sevo-client-1 --state "$work/c1" --change
rc=$?
server_items "$work/s2"
items=$(count_files "$work/s2/contacts")
grep -q '508' "$work/sevo.out"; saw508=$?
check "A2 XML, md5, incremental (replace, delete, add): exit 0, no 508, server has 2" \
    $((rc != 0 || items != 2 || saw508 == 0)) "exit $rc, server has $items"
tel=$(grep -h '^TEL;TYPE=WORK' "$work/c1/db/addressbook/1" | tr -d '\r')
grep -q 'FN:Carol' "$work/s2/contacts"/* && ! grep -q 'FN:Bob' "$work/s2/contacts"/* &&
    grep -qF "$tel" "$work/s2/contacts"/*
check "A2 the server holds the added and the replaced item, not the deleted one" $? "see $work/s2"

sevo --device-id sevo-client-2 --state "$work/c2" --wbxml --auth basic
rc=$?
local_n=$(count_files "$work/c2/db/addressbook")
check "A3 WBXML, basic, new device: server items arrive at the client" \
    $((rc != 0 || local_n < 3)) "exit $rc, client has $local_n"

sevo --device-id sevo-client-3 --state "$work/c3" --password wrong
rc=$?
grep -q 'Status 401\|401' "$work/serve.log"; got401=$?
check "A4 wrong password: the session fails, the server answered 401" \
    $((rc == 0 || got401 != 0)) "exit $rc"
kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; serve_pid=""

# The profile is optional for a DS 1.2 peer that does not know it (docs/PROFILE.md, ENC-POL):
# a server holding a profile key still serves plain sessions unless it requires the profile.
start_serve() {
    "$ct" serve --listen "127.0.0.1:$ct_port" --data "$work/ct-server-$1" --log \
        --profile-key "$root/vectors/pki/server-2048.key" \
        --profile-cert "$root/vectors/pki/server-2048.pem" "${@:2}" 2>"$work/serve-$1.log" &
    serve_pid=$!
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$ct_port") 2>/dev/null && break; sleep 0.1; done
}
start_serve optional
sevo --device-id sevo-client-1 --state "$work/c5"
rc=$?
server_items "$work/s5"
check "A5 server with the profile optional: a plain client still syncs" \
    $((rc != 0 || $(count_files "$work/s5/contacts") != 2)) "exit $rc"
kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; serve_pid=""

start_serve required --require-profile
sevo --device-id sevo-client-1 --state "$work/c6"
rc=$?
grep -q '406' "$work/serve-required.log"; got406=$?
check "A6 server requiring the profile: the plain client is refused with 406" \
    $((rc == 0 || got406 != 0)) "exit $rc"
kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; serve_pid=""

echo "== B: conftest sync -> SyncEvolution server (127.0.0.1:$se_port)"
SYNCEVO_SERVER_STATE="$work/se-server" SYNCEVO_SERVER_FRESH=1 \
    "$peers/syncevo-server.sh" start "$se_port" >"$work/se-start.log" 2>&1 ||
    { echo "cannot start the SyncEvolution server (see $work/se-start.log)" >&2; exit 3; }
seurl="http://127.0.0.1:$se_port/syncevolution"
sedb="$work/se-server/db/addressbook"
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dora Interop\r\nN:Interop;Dora;;;\r\nEND:VCARD\r\n' >"$work/dora.vcf"
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Emil Interop\r\nN:Interop;Emil;;;\r\nEND:VCARD\r\n' >"$work/emil.vcf"
cts() { "$ct" sync "$seurl" --db contacts=addressbook "$@" >"$work/cts.out" 2>"$work/cts.err"; }

before=$(count_files "$sedb")
cts --data "$work/h1" --device-id harness-client-1 --add "$work/dora.vcf" --export "$work/e1"
rc=$?
after=$(count_files "$sedb")
mine=$(count_files "$work/e1/contacts")
check "B1 XML, md5, first (slow) sync: our item reaches the server, its seed reaches us" \
    $((rc != 0 || after != before + 1 || mine != after)) \
    "exit $rc, server $before -> $after, client $mine"

cts --data "$work/h1" --device-id harness-client-1 --add "$work/emil.vcf"
rc=$?
grep -ql 'FN:Emil Interop' "$sedb"/* >/dev/null 2>&1; has_emil=$?
check "B2 XML, md5, incremental two-way: the new item reaches the server" \
    $((rc != 0 || has_emil != 0)) "exit $rc"

cts --data "$work/h2" --device-id harness-client-2 --wbxml --auth basic --export "$work/e3"
rc=$?
mine=$(count_files "$work/e3/contacts")
grep -q 'FN:Emil Interop' "$work/e3/contacts"/*; has_emil=$?
check "B3 WBXML, basic, new device: every server item arrives" \
    $((rc != 0 || mine != $(count_files "$sedb") || has_emil != 0)) \
    "exit $rc, client $mine, server $(count_files "$sedb")"

cts --data "$work/h3" --device-id harness-client-3 --password wrong
rc=$?
check "B4 wrong password: conftest sync reports the refusal (exit 1)" $((rc != 1)) "exit $rc"

printf '\n%d passed, %d failed (logs in %s)\n' "$pass" "$fail" "$work"
((fail == 0))
