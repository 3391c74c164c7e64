#!/bin/sh
# Rebuild the seed corpora of the fuzz targets (fuzz/corpus/<target>/) from what the project
# already has: the real SyncEvolution captures, the hostile inputs, the scenarios, and the
# transcripts of a suite run against the reference (plain sessions, both roles). Seeds are named
# by their SHA-256, so a re-run only adds what is new.  Needs ./conftest and python3.
# --minimise then keeps, per target, only the seeds that add coverage (libFuzzer's -merge=1,
# with the libFuzzer build of the targets, which it makes if needed).
#
#   fuzz/make-corpus.sh [--minimise]
set -eu
cd "$(dirname "$0")/.."
C=fuzz/corpus
TR=$(mktemp -d)
trap 'rm -rf "$TR"' EXIT
./conftest run scenarios --test 'ds.session.first-sync-basic;ds.client.first-sync-basic;ds.sync.two-way-anchors;ds.lo.chunks-213-201;ds.client.multi-msg-alert-222;ds.wbxml.first-sync-basic' \
    --transcripts "$TR" --reveal-secrets --oracle-runs 0 -q >/dev/null
python3 - "$C" "$TR" <<'PY'
import glob, hashlib, os, struct, sys
corpus, tr = sys.argv[1], sys.argv[2]

def put(target, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha256(data).hexdigest()[:16]), "wb") as f:
        f.write(data)

def read(p):
    with open(p, "rb") as f:
        return f.read()

for p in glob.glob("tests/data/captures/*.xml") + glob.glob(tr + "/*/*.xml"):
    if not p.endswith(".decoded.xml"):
        put("xml_parse", read(p))
for p in glob.glob("tests/data/captures/*.wbxml") + glob.glob(tr + "/*/*.wbxml") + glob.glob("tests/data/hostile/*"):
    put("wbxml_decode", read(p))
for p in sorted(glob.glob("scenarios/*/*/*.scn"))[::12] + glob.glob("tests/data/regress/*.scn"):
    put("scn_parse", read(p))
put("field_open", b"\x00" + b"AQEAAAAAAAAAAAAAAW3eX4AbV1ZkPj7kGoF8l2Q=")
put("field_open", b"\x83" + b"!!!not base64")
put("key_unwrap", b"\x00" + bytes(256))
put("key_unwrap", b"\x02" + bytes(range(256)))
vcard = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alice\r\nN:Doe;Alice;;;\r\nEND:VCARD\r\n"
devinf = read(glob.glob("tests/data/captures/syncevo-xml-01-pkg1-client.xml")[0])
start = devinf.find(b"<DevInf"); end = devinf.find(b"</DevInf>") + 9
put("plaintext", b"\x01" + vcard)
put("plaintext", b"\x00" + devinf[start:end])
put("plaintext", b"\x40" + devinf[start:end])

def frame(records):
    return b"".join(struct.pack(">BH", f, len(d)) + d for f, d in records)

# Session targets: the messages of whole plain sessions, in order (c2s for the server target,
# s2c for the client target); and the same with the profile: negotiate on the first, seal all.
for scn in sorted(glob.glob(tr + "/*")):
    msgs = sorted(p for p in glob.glob(scn + "/*.xml") if not p.endswith(".decoded.xml"))
    c2s = [read(p) for p in msgs if "-c2s." in p]
    s2c = [read(p) for p in msgs if "-s2c." in p]
    role_server = "ds.client" not in scn
    ours = c2s if role_server else s2c
    target = "session_server" if role_server else "session_client"
    if ours:
        put(target, frame([(0, m) for m in ours]))
        put(target, frame([(0x05 if i == 0 else 0x01, m) for i, m in enumerate(ours)]))
        put(target, frame([(0x07 if i == 0 else 0x03, m) for i, m in enumerate(ours)]))
PY
if [ "${1:-}" = "--minimise" ]; then
    B=build/fuzz-libfuzzer
    make --no-print-directory BUILD=$B SANITIZE=1 CC=clang FUZZ_ENGINE=libfuzzer \
        CFLAGS=-fsanitize=fuzzer-no-link fuzz-targets >/dev/null
    for t in "$C"/*; do
        name=$(basename "$t")
        rm -rf "$t.min"
        mkdir "$t.min"
        CONFTEST_VECTORS=vectors "$B/fuzz/$name" -merge=1 "$t.min" "$t" >/dev/null 2>&1
        rm -rf "$t"
        mv "$t.min" "$t"
    done
fi
for t in fuzz/corpus/*; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done
