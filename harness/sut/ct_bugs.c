#include "sut/ct_bugs.h"

#include <string.h>

static const struct ct_bug_info table[] = {
    {CT_BUG_PADDING_ORACLE, "padding-oracle", "server", "ENC-ALG-2, ENC-ORC-2",
     "CBC-HS256 fields are decrypted and their padding checked before the HMAC; bad padding is "
     "answered 500, a bad HMAC 400 (Vaudenay padding oracle)", false},
    {CT_BUG_PKCS1_ORACLE, "pkcs1-oracle", "server", "ENC-KT-4, ENC-ORC-3",
     "a key-transport failure is answered 406 instead of continuing with a random key "
     "(Bleichenbacher/Manger oracle)", false},
    {CT_BUG_ACCEPT_CLEAR_FIELDS, "accept-clear-fields", "server", "ENC-FLD-1",
     "fields of a part in force that arrive in clear (no marker) are processed as plain data, so "
     "an attacker can inject items or a clear credential into an encrypted session", false},
    {CT_BUG_REPLAY_ACCEPTED, "replay-accepted", "server", "ENC-KT-3, ENC-KT-5",
     "no timestamp window and no replay cache: a recorded Pkg#1 yields a session again", false},
    {CT_BUG_IGNORE_TAG, "ignore-tag", "server", "ENC-ALG-2, ENC-ORC-2",
     "fields are used even when their GCM tag or HMAC does not verify", false},
    {CT_BUG_PLAIN_WHEN_REQUIRED, "plain-when-required", "server", "ENC-POL-1",
     "a server configured to require the profile accepts a session without an offer", false},
    {CT_BUG_REFUSED_OFFER_500, "refused-offer-500", "server", "ENC-NEG-8, DS-INIT-13",
     "an offer the server cannot take (malformed, an algorithm or key transport it refuses, "
     "another certificate's kid) fails the whole message with HTTP 500 instead of a 406 with the "
     "capabilities, so a client that offers breaks its session", false},
    {CT_BUG_401_FOR_407, "401-for-407", "server", "DS 1.2 authentication (407 Missing credentials)",
     "a Pkg#1 without credentials is answered 401 instead of 407", false},
    {CT_BUG_MD5_NONCE_REUSE, "md5-nonce-reuse", "server", "DS 1.2 authentication (NextNonce)",
     "every md5 challenge carries the same NextNonce, so a recorded credential can be replayed", false},
    {CT_BUG_IGNORE_MAXMSGSIZE, "ignore-maxmsgsize", "server", "DS 1.2 MaxMsgSize",
     "Pkg#4 goes in one message whatever MaxMsgSize the client announced", false},
    {CT_BUG_DROP_MAP, "drop-map", "server", "DS 1.2 Map",
     "Map items are acknowledged with 200 but not stored: the next sync duplicates items", false},
    {CT_BUG_ADD_STATUS_200, "add-status-200", "server", "DS 1.2 Add status (201 Item added)",
     "a successful Add is answered 200 instead of 201", false},
    {CT_BUG_LOCNAME_OVERFLOW, "locname-overflow", "server", "robustness (bounds)",
     "SyncHdr/Source/LocName is copied into a 64-byte buffer without a bound: a long LocName "
     "overflows it (crashes under AddressSanitizer)", true},
    {CT_BUG_LO_OVERFLOW, "lo-overflow", "server", "robustness (bounds), DS 1.2 large objects",
     "large-object chunks are copied into a buffer of the announced Meta Size without a bound: "
     "chunks longer than the Size overflow it", true},
    {CT_BUG_HANG_TINY_MSGSIZE, "hang-tiny-msgsize", "server", "robustness (progress), DS 1.2 MaxMsgSize",
     "a client MaxMsgSize smaller than the message overhead makes the Pkg#4 packer loop forever", true},
    {CT_BUG_STATIC_NONCE, "static-nonce", "client", "ENC-BIND-3, ENC-BIND-5",
     "the same GCM nonce (or CBC IV) is used for every field", false},
    {CT_BUG_NO_CERT_CHECK, "no-cert-check", "client", "ENC-CERT-2",
     "a downloaded certificate chain is used without validating it", false},
    {CT_BUG_ACCEPT_EXPIRED, "accept-expired", "client", "ENC-CERT-2",
     "certificate validity dates are not checked", false},
    {CT_BUG_SKIP_CONFIRM, "skip-confirm", "client", "ENC-NEG-7",
     "the server's selection and confirm are not checked (a stripped offer goes unnoticed)", false},
    {CT_BUG_CLEAR_FALLBACK, "clear-fallback", "client", "ENC-POL-2",
     "after a refused offer the client sends its credentials again in clear in the same session", false},
};

const struct ct_bug_info *ct_bug_table(unsigned *n)
{
    *n = (unsigned)(sizeof(table) / sizeof(table[0]));
    return table;
}

const struct ct_bug_info *ct_bug_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}
