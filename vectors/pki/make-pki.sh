#!/bin/sh
# Make the test PKI of conftest (vectors/pki/): a test CA, server certificates for the
# encryption profile (RSA 2048 and 3072), and the bad ones a client must refuse (PROFILE 8):
# expired, signed by another CA, wrong name, 1024-bit key, key usage without
# keyEncipherment, SHA-1 signature. Run from anywhere; writes next to this script.
#
# EVERY KEY HERE IS A TEST KEY, PUBLISHED WITH THE SOURCE. NEVER USE IT FOR ANYTHING REAL.
set -eu
cd "$(dirname "$0")"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

warn_key() { # mark a private key file as test-only (text before BEGIN is ignored by parsers)
    { echo "TEST KEY of conftest (vectors/pki/make-pki.sh): published, never use it for anything real."
      cat "$1"; } >"$1.tmp" && mv "$1.tmp" "$1"
}

newkey() { # newkey FILE BITS
    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:"$2" -out "$1"
    warn_key "$1"
}

cat >"$WORK/ca.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = conftest test CA
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[wrongname_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment, digitalSignature
subjectAltName = DNS:sync.example.org
[wrongku_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:localhost, IP:127.0.0.1
[ca]
default_ca = testca
[testca]
database = WORK/index.txt
unique_subject = no
new_certs_dir = WORK
serial = WORK/serial
default_md = sha256
policy = any
copy_extensions = none
[any]
commonName = supplied
CNF
sed -i "s#WORK#$WORK#g" "$WORK/ca.cnf"
: >"$WORK/index.txt"
echo 1000 >"$WORK/serial"

# CA certificates: the one clients hold, and another one.
newkey ca.key 2048
openssl req -new -x509 -config "$WORK/ca.cnf" -extensions ca_ext -key ca.key -sha256 \
    -days 36500 -out ca.pem
newkey other-ca.key 2048
openssl req -new -x509 -config "$WORK/ca.cnf" -extensions ca_ext -key other-ca.key -sha256 \
    -days 36500 -subj "/CN=conftest other CA" -out other-ca.pem

# sign NAME KEYBITS EXT CAKEY CACERT [extra openssl-ca options...]
sign() {
    name=$1; bits=$2; ext=$3; cakey=$4; cacert=$5; shift 5
    newkey "$name.key" "$bits"
    openssl req -new -key "$name.key" -subj "/CN=localhost" -out "$WORK/$name.csr"
    openssl ca -batch -notext -config "$WORK/ca.cnf" -extensions "$ext" -keyfile "$cakey" \
        -cert "$cacert" -in "$WORK/$name.csr" -out "$name.pem" "$@" 2>"$WORK/ca.log" || { cat "$WORK/ca.log" >&2; exit 1; }
}

sign server-2048 2048 server_ext ca.key ca.pem -days 36500
sign server-3072 3072 server_ext ca.key ca.pem -days 36500
sign server-expired 2048 server_ext ca.key ca.pem -startdate 20200101000000Z -enddate 20210101000000Z
sign server-wrongca 2048 server_ext other-ca.key other-ca.pem -days 36500
sign server-wrongname 2048 wrongname_ext ca.key ca.pem -days 36500
sign server-1024 1024 server_ext ca.key ca.pem -days 36500
sign server-wrongku 2048 wrongku_ext ca.key ca.pem -days 36500
sign server-sha1 2048 server_ext ca.key ca.pem -days 36500 -md sha1

for c in *.pem; do
    printf '%s  kid %s\n' "$c" "$(openssl x509 -in "$c" -outform DER | sha256sum | cut -d' ' -f1)"
done >KIDS
echo "test PKI written to $(pwd)"
