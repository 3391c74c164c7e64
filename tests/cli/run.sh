#!/bin/sh
# Command-line tests: exit codes, messages and conversions of the conftest binary given as $1.
# Each check prints one line; the script exits non-zero if any check failed.
set -u
BIN=${1:?usage: run.sh path/to/conftest}
DATA=${CONFTEST_TESTDATA:-tests/data}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failed=0
n=0

# expect CODE DESCRIPTION -- COMMAND...: run, compare the exit code, keep stdout/stderr.
expect() {
    want=$1; what=$2; shift 3
    n=$((n + 1))
    "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL $what: exit $got, want $want"; sed 's/^/    /' "$TMP/err" | head -5
        failed=$((failed + 1))
        return 1
    fi
    echo "ok   $what"
}

# has FILE TEXT DESCRIPTION: the output file contains TEXT.
has() {
    n=$((n + 1))
    if grep -q -- "$2" "$TMP/$1"; then echo "ok   $3"; else
        echo "FAIL $3: '$2' not in $1:"; sed 's/^/    /' "$TMP/$1" | head -5; failed=$((failed + 1)); fi
}

C=$DATA/captures
H=$DATA/hostile

expect 0 "--help" -- "$BIN" --help
has out "decode" "--help lists decode"
expect 0 "--version" -- "$BIN" --version
has out "^conftest [0-9]" "--version prints the version"
expect 2 "no command" -- "$BIN"
expect 2 "unknown command" -- "$BIN" frobnicate
has err "unknown command 'frobnicate'" "unknown command is named"

expect 0 "decode --help" -- "$BIN" decode --help
has out "Exit codes" "decode --help documents exit codes"
expect 0 "encode --help" -- "$BIN" encode --help
expect 2 "decode without a file" -- "$BIN" decode
expect 2 "decode with a bad option" -- "$BIN" decode --bogus x
expect 2 "decode --max-depth 0" -- "$BIN" decode --max-depth 0 "$C/syncevo-xml-01-pkg1-client.xml"
expect 2 "decode --max-size junk" -- "$BIN" decode --max-size 12Q "$C/syncevo-xml-01-pkg1-client.xml"

expect 0 "decode WBXML" -- "$BIN" decode "$C/syncevo-wbxml-01-pkg1-client.wbxml"
has out '<SyncML xmlns="SYNCML:SYNCML1.2">' "decode prints XML"
has out '<DevInf xmlns="syncml:devinf">' "decode shows embedded DevInf as XML"
expect 0 "decode from stdin" -- sh -c "\"$BIN\" decode - < \"$C/syncevo-xml-02-pkg2-server.xml\""
has out "<RespURI>" "stdin decoding works"
expect 0 "decode --summary" -- "$BIN" decode --summary "$C/syncevo-wbxml-02-pkg2-server.wbxml"
has out "status: SyncHdr:212+Chal(syncml:auth-md5)" "summary lists statuses"
expect 0 "decode -o" -- "$BIN" decode -o "$TMP/pretty.xml" "$C/syncevo-xml-03-pkg3-client.xml"
n=$((n + 1)); if [ -s "$TMP/pretty.xml" ]; then echo "ok   -o writes the file"; else echo "FAIL -o wrote nothing"; failed=$((failed + 1)); fi

for f in "$H"/*.wbxml; do
    expect 1 "decode rejects $(basename "$f")" -- "$BIN" decode --wbxml "$f"
    has err "$(basename "$f"): WBXML offset" "the error names the file and the offset"
done
expect 3 "decode a missing file" -- "$BIN" decode "$TMP/nope.xml"
has err "No such file" "missing file reported"
expect 1 "decode over --max-size" -- "$BIN" decode --max-size 1K "$C/syncevo-wbxml-01-pkg1-client.wbxml"
has err "limit of 1024" "size limit reported"
printf '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr><SyncBody/></SyncML>' >"$TMP/nohdr.xml"
expect 0 "decode a message with missing fields" -- "$BIN" decode "$TMP/nohdr.xml"
expect 1 "decode --check flags missing fields" -- "$BIN" decode --check "$TMP/nohdr.xml"
has err "/SyncML/SyncHdr has no <VerProto>" "--check names the element"
printf '<html><body/></html>' >"$TMP/html.xml"
expect 1 "decode rejects HTML" -- "$BIN" decode "$TMP/html.xml"
has err "root element is <html>" "non-SyncML root named"

expect 2 "encode needs a target encoding" -- "$BIN" encode "$C/syncevo-xml-01-pkg1-client.xml"
expect 0 "encode --wbxml" -- "$BIN" encode --wbxml -o "$TMP/m.wbxml" "$C/syncevo-xml-01-pkg1-client.xml"
expect 0 "encode --xml back" -- "$BIN" encode --xml -o "$TMP/m.xml" "$TMP/m.wbxml"
"$BIN" decode --canonical "$C/syncevo-xml-01-pkg1-client.xml" >"$TMP/c1"
"$BIN" decode --canonical "$TMP/m.xml" >"$TMP/c2"
n=$((n + 1)); if cmp -s "$TMP/c1" "$TMP/c2"; then echo "ok   XML -> WBXML -> XML keeps the message"; else
    echo "FAIL XML -> WBXML -> XML changed the message"; diff "$TMP/c1" "$TMP/c2" | head; failed=$((failed + 1)); fi
expect 0 "encode --textual-public-id" -- "$BIN" encode --wbxml --textual-public-id -o "$TMP/t.wbxml" "$TMP/m.wbxml"
n=$((n + 1)); if head -c 40 "$TMP/t.wbxml" | grep -q -- "-//SYNCML//DTD SyncML 1.2//EN"; then
    echo "ok   textual public id written"; else echo "FAIL no textual public id"; failed=$((failed + 1)); fi
expect 2 "encode --wbxml-version 9" -- "$BIN" encode --wbxml --wbxml-version 9 "$TMP/m.xml"

VEC=${CONFTEST_VECTORS:-vectors}
expect 0 "vectors" -- "$BIN" vectors "$VEC"
has out "^[0-9]* passed, 0 failed$" "vectors ends with the tally"
has out "aes_gcm_test.json: 313 passed, 0 failed, 3 skipped" "vectors reports per file"
expect 0 "vectors -q" -- "$BIN" vectors -q "$VEC/profile"
n=$((n + 1)); if [ "$(wc -l <"$TMP/out")" -eq 1 ]; then echo "ok   -q prints only the tally"; else
    echo "FAIL -q printed more"; failed=$((failed + 1)); fi
expect 2 "vectors on a non-vector file" -- "$BIN" vectors "$VEC/README.md"
expect 3 "vectors on a missing path" -- "$BIN" vectors "$TMP/none"

# ---- serve and sync over loopback HTTP ----
PKI=$VEC/pki
expect 0 "serve --list-bugs" -- "$BIN" serve --list-bugs
n=$((n + 1)); if [ "$(wc -l <"$TMP/out")" -ge 19 ]; then echo "ok   --list-bugs prints one bug per line"; else
    echo "FAIL --list-bugs printed $(wc -l <"$TMP/out") lines"; failed=$((failed + 1)); fi
expect 2 "serve --bug unknown" -- "$BIN" serve --bug no-such-bug
expect 2 "sync without URL" -- "$BIN" sync

# start_server DATA [options]: run conftest serve on a free port, set URL and SERVER_PID.
start_server() {
    data=$1; shift
    "$BIN" serve --listen 127.0.0.1:0 --data "$data" "$@" >"$TMP/serve.out" 2>"$TMP/serve.err" &
    SERVER_PID=$!
    URL=""
    for _ in $(seq 50); do
        URL=$(sed -n 's/^conftest serve: listening on \([^ ]*\) .*/\1/p' "$TMP/serve.out")
        [ -n "$URL" ] && break
        sleep 0.1
    done
    [ -n "$URL" ] || { echo "FAIL serve did not start:"; cat "$TMP/serve.err"; failed=$((failed + 1)); }
}
stop_server() {
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
}

start_server "$TMP/srv" --profile-key "$PKI/server-2048.key" --profile-cert "$PKI/server-2048.pem"
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cli Alice\r\nEND:VCARD\r\n' >"$TMP/a.vcf"
expect 0 "sync plain, adding an item" -- "$BIN" sync "$URL" --data "$TMP/client1" --add "$TMP/a.vcf"
has out "done: 1 sent, 0 received" "the item went to the server"
expect 0 "sync encrypted, pre-configured certificate" -- "$BIN" sync "$URL" --data "$TMP/client2" --server-cert "$PKI/server-2048.pem" --list
has out "done: 0 sent, 1 received (encrypted)" "the item came back, encrypted"
has out "FN:Cli Alice" "intact"
expect 0 "sync encrypted, downloaded certificate, WBXML, basic" -- "$BIN" sync "$URL" --data "$TMP/client3" --ca "$PKI/ca.pem" --wbxml --auth basic
has out "(encrypted)" "download mode works"
expect 1 "sync refuses a certificate from another CA" -- "$BIN" sync "$URL" --data "$TMP/client4" --server-cert "$PKI/server-1024.pem"
has err "1024 bits" "the reason is given"
expect 1 "sync with a wrong password" -- "$BIN" sync "$URL" --data "$TMP/client5" --password nope
has err "authentication failed" "the failure is named"
stop_server
# The data survives a restart of the server.
start_server "$TMP/srv"
expect 0 "sync after a server restart" -- "$BIN" sync "$URL" --data "$TMP/client6" --list
has out "FN:Cli Alice" "the server's data survived the restart"
stop_server
# HTTPS (the seed's transport-layer variant), both sides dumping what went over the wire.
start_server "$TMP/srv" --tls-cert "$PKI/server-2048.pem" --tls-key "$PKI/server-2048.key" --dump "$TMP/sdump"
case "$URL" in https://*) ;; *) echo "FAIL serve with --tls-cert does not announce https: $URL"; failed=$((failed + 1)) ;; esac
expect 0 "sync over HTTPS, dumping, exporting" -- "$BIN" sync "$URL" --https-ca "$PKI/ca.pem" --data "$TMP/client8" --dump "$TMP/cdump" --export "$TMP/export"
expect 0 "the exported item is the one added" -- cmp "$TMP/a.vcf" "$TMP/export/contacts/1"
expect 0 "client and server dumped the same Pkg#1" -- cmp "$TMP/cdump/001-c2s.xml" "$TMP/sdump/001-c2s.xml"
expect 0 "the dumped Pkg#4 decodes" -- "$BIN" decode --summary "$TMP/cdump/004-s2c.xml"
has out "Sync" "it carries the Sync"
expect 3 "sync over HTTPS without trusting the CA" -- "$BIN" sync "$URL" --data "$TMP/client9" --timeout 5
has err "certificate" "the TLS failure is named"
stop_server
expect 3 "sync to a closed port" -- "$BIN" sync "$URL" --data "$TMP/client7" --timeout 2
has err "127.0.0.1" "the transport error names the server"

# ---- run and list: reports, exit codes, broken inputs ----
S=scenarios
expect 0 "list" -- "$BIN" list "$S"
has out "^ds.session.first-sync-basic$" "list prints ids"
expect 0 "list --long" -- "$BIN" list --long --test 'enc.*' "$S"
has out "enc.kt.bad-wrap .*server.*ENC-KT-3" "list --long gives role, title and rules"
expect 0 "run a selection with every report" -- "$BIN" run "$S" --test 'ds.auth.*;enc.client.accepted' --seed 7 \
    --junit "$TMP/r.xml" --json "$TMP/r.json" --html "$TMP/r.html" --transcripts "$TMP/tr"
has out "seed 7" "the seed is printed"
has out "passed, 0 failed" "the closing line"
if command -v xmllint >/dev/null 2>&1; then
    expect 0 "the JUnit report validates against junit-10.xsd" -- xmllint --noout --schema "$DATA/junit/junit-10.xsd" "$TMP/r.xml"
fi
cp "$TMP/r.json" "$TMP/json"
has json '"ds.auth.md5-challenge"' "the JSON report lists the scenarios"
cp "$TMP/r.html" "$TMP/html"
has html "conftest certification report" "the HTML report is written"
n=$((n + 1)); if grep -q "https\?://" "$TMP/html"; then echo "FAIL the HTML report refers to the network"; failed=$((failed + 1)); else echo "ok   the HTML report is self-contained"; fi
expect 0 "transcripts are written" -- test -s "$TMP/tr/ds.auth.md5-challenge/index.txt"
n=$((n + 1)); if grep -rq "dGVzdDp0ZXN0" "$TMP/tr"; then echo "FAIL a basic credential is in a transcript"; failed=$((failed + 1)); else echo "ok   transcripts mask credentials"; fi
expect 1 "a seeded bug turns a scenario red (exit 1)" -- "$BIN" run "$S" --test ds.auth.missing-cred-407 --ref-bug 401-for-407
has out "expected: .*@AUTH_MISSING" "the failure says what was expected"
has out "actual: .*SyncHdr:401" "and what came back"
expect 2 "nothing selected is an error, not a green run" -- "$BIN" run "$S" --test no.such.scenario
expect 2 "run --ref-bug unknown" -- "$BIN" run "$S" --ref-bug no-such-bug
mkdir -p "$TMP/broken"
printf 'id bad.one\ntitle t\nrule R\nrole server\n\nsend pkg1\n  frobnicate 1\n' >"$TMP/broken/bad.scn"
expect 3 "a broken scenario is a harness error (exit 3)" -- "$BIN" run "$TMP/broken"
has out "bad.scn:7: 'frobnicate' is not a directive of send" "it names the file and line"
printf 'name nowhere\nrole server\nurl http://127.0.0.1:1/sync\nclaims ds ds.*\n' >"$TMP/nowhere.conf"
expect 4 "an unreachable SUT (exit 4)" -- "$BIN" run "$S" --sut "$TMP/nowhere.conf" --test 'ds.auth.*'
has err "unreachable" "it says so"
printf 'role server\nurl http://x\nbogus 1\n' >"$TMP/bad.conf"
expect 3 "a broken SUT config" -- "$BIN" run "$S" --sut "$TMP/bad.conf"
has err "bad.conf:3: unknown key bogus" "it names the file and line"
# A SUT config: a running server with a bug, the scenario it fails listed as a known failure.
start_server "$TMP/srv9" --bug add-status-200 --auth basic
cat >"$TMP/ref.conf" <<CONF
name     reference with add-status-200
role     server
url      $URL
claims   ds ds.*
known-failure ds.session.first-sync-basic the reference is run with add-status-200
disable  ds.robust.* not run against a shared server in this test
CONF
expect 0 "a known failure is XFAIL, the run stays green" -- "$BIN" run "$S" --sut "$TMP/ref.conf" --test 'ds.session.*;ds.client.*;enc.kt.replay;ds.robust.long-locname'
has out "XFAIL  ds.session.first-sync-basic" "XFAIL is reported"
has out "SKIP   enc.kt.replay.*does not claim enc" "unclaimed capabilities are not applicable"
has out "SKIP   ds.robust.long-locname.*disabled by the SUT config" "disabled scenarios say why"
has out "scenarios for a client SUT not run" "the other role's scenarios are counted"
stop_server
# A client SUT run by its command (here conftest's own client, as an outsider would be).
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ext One\r\nEND:VCARD\r\n' >"$TMP/e1.vcf"
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ext Two\r\nEND:VCARD\r\n' >"$TMP/e2.vcf"
cat >"$TMP/client.conf" <<CONF
name      conftest sync as an external client
role      client
sync-cmd  $BIN sync {url} --data {data} --device-id ext-client --user {user} --password {password} --auth {auth} --add $TMP/e1.vcf --add $TMP/e2.vcf
reset-cmd touch $TMP/reset-ran
claims    ds ds.*
CONF
expect 0 "a client SUT started by its sync-cmd" -- "$BIN" run "$S" --sut "$TMP/client.conf" --test 'ds.client.first-sync-basic'
has out "PASS   ds.client.first-sync-basic" "it passes"
expect 0 "the reset-cmd ran" -- test -f "$TMP/reset-ran"
expect 0 "shard 1/2" -- "$BIN" run "$S" --shard 1/2 --test 'ds.*' -q
cp "$TMP/out" "$TMP/shard1"
expect 0 "shard 2/2" -- "$BIN" run "$S" --shard 2/2 --test 'ds.*' -q
n=$((n + 1))
a=$(sed -n 's/^\([0-9]*\) passed.*/\1/p' "$TMP/shard1"); b=$(sed -n 's/^\([0-9]*\) passed.*/\1/p' "$TMP/out")
all=$("$BIN" list --test 'ds.*' "$S" | wc -l)
if [ "$((a + b))" -eq "$all" ] && [ "$a" -gt 0 ] && [ "$b" -gt 0 ]; then echo "ok   the two shards run every scenario once"; else
    echo "FAIL shards ran $a + $b of $all"; failed=$((failed + 1)); fi
expect 2 "--shard 3/2" -- "$BIN" run "$S" --shard 3/2

# ---- the engine against its own mistakes and a scenario's (tests/data/regress/) ----
R=$DATA/regress
expect 0 "remove of a node and its descendant" -- "$BIN" run "$R/remove-nested.scn"
expect 3 "remove of a namespace node is an error" -- "$BIN" run "$R/remove-namespace.scn"
has out "not an element" "it says why"
expect 3 "a wrapping mutate offset is an error" -- "$BIN" run "$R/mutate-huge-offset.scn"
has out "not an offset" "it says why"
expect 1 "a comparison with nothing selected fails" -- "$BIN" run "$R/compare-nothing.scn"
has out "nothing selected" "it says so"
expect 3 "count over a number is an error" -- "$BIN" run "$R/count-not-nodes.scn"
expect 3 "a value over the bound is an error, not a pass" -- "$BIN" run "$R/too-long.scn"
has out "too-long.scn:6: .*too long" "with its line"
expect 3 "a misspelt option is a parse error" -- "$BIN" run "$R/misspelt.scn"
has out "misspelt.scn:7: status: 'cuont' is not one of count" "naming the line"
expect 1 "a failing check quoting a credential" -- "$BIN" run "$R/secret-in-actual.scn" --transcripts "$TMP/rtr" --json "$TMP/rs.json"
n=$((n + 1))
if grep -rq "dGVzdDp0ZXN0" "$TMP/out" "$TMP/rtr" "$TMP/rs.json"; then echo "FAIL the credential leaked"; failed=$((failed + 1)); else
    echo "ok   the credential is masked in the console, the transcript and the report"; fi

echo "cli: $((n - failed))/$n passed"
[ "$failed" -eq 0 ]
