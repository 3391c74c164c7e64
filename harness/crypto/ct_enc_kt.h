/*
 * ct_enc_kt: key transport of the profile (docs/PROFILE.md section 4) -- the key blob, RSA
 * wrapping under the server certificate's key, and the server's unwrap with the replay cache.
 */
#ifndef CT_ENC_KT_H
#define CT_ENC_KT_H

#include "base/ct_buf.h"
#include "crypto/ct_cipher.h"
#include "crypto/ct_enc.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>

enum ct_enc_kt {
    CT_ENC_KT_UNKNOWN = 0,
    CT_ENC_KT_OAEP_SHA256,
    CT_ENC_KT_OAEP_SHA1,
    CT_ENC_KT_PKCS1,
};

/* ct_enc_kt_name is the profile's name of a key transport ("rsa-oaep-sha256"), NULL if unknown. */
const char *ct_enc_kt_name(enum ct_enc_kt kt);

/* ct_enc_kt_by_name maps a name (len bytes) to a key transport, CT_ENC_KT_UNKNOWN if none. */
enum ct_enc_kt ct_enc_kt_by_name(const char *name, size_t len);

/* ct_enc_kt_scheme gives the RSA scheme of a key transport (for ct_rsa_*). */
void ct_enc_kt_scheme(enum ct_enc_kt kt, struct ct_rsa_scheme *out);

#define CT_ENC_BLOB_LEN 41
#define CT_ENC_BLOB_VERSION 0x01

/* ct_enc_blob_make writes 0x01 || uint64be(t) || key (PROFILE 4.2). */
void ct_enc_blob_make(uint8_t blob[CT_ENC_BLOB_LEN], const uint8_t key[CT_ENC_KEY_LEN], uint64_t t);

/*
 * ct_enc_wrap wraps the blob of key and t under the RSA public key with kt and appends the
 * wrapped bytes to out. Returns 0, CT_ERR_INVALID_ARG (not an RSA key, or too small for the
 * scheme), CT_ERR_NOMEM.
 */
int ct_enc_wrap(struct ct_buf *out, EVP_PKEY *pub, enum ct_enc_kt kt,
                const uint8_t key[CT_ENC_KEY_LEN], uint64_t t);

/*
 * The server's memory of accepted blobs (ENC-KT-5): SHA-256 of each blob and when it was seen,
 * kept for 2W seconds.
 */
struct ct_enc_replay {
    uint64_t window;       /* W in seconds: 300 by default, at most 3600 */
    uint8_t (*hash)[32];
    uint64_t *seen;
    size_t n;
    size_t cap;
};

#define CT_ENC_DEFAULT_WINDOW 300u
#define CT_ENC_MAX_WINDOW 3600u

/* ct_enc_replay_init prepares an empty cache with window W (0: the default). */
void ct_enc_replay_init(struct ct_enc_replay *r, uint64_t window);
void ct_enc_replay_cleanup(struct ct_enc_replay *r);

/*
 * ct_enc_unwrap is the server's key transport (ENC-KT-3, 4, 5): it decrypts wrapped with the
 * private key and checks the blob (length, version, timestamp within r->window of now, not
 * seen in r). It ALWAYS fills key: with K when everything holds, and otherwise with random
 * bytes, so that a caller continues exactly as on success and cannot turn the failure into an
 * oracle. Returns 0, or CT_ERR_CRYPTO on any key-transport failure -- which the caller must
 * not show on the wire -- or CT_ERR_NOMEM/CT_ERR_INTERNAL (key still filled). r may be NULL
 * (no replay check: for tests and tools only).
 */
int ct_enc_unwrap(uint8_t key[CT_ENC_KEY_LEN], EVP_PKEY *priv, enum ct_enc_kt kt,
                  const uint8_t *wrapped, size_t n, uint64_t now, struct ct_enc_replay *r);

#endif
