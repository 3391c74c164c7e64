#include "crypto/ct_enc_kt.h"

#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    enum ct_enc_kt kt;
    const char *name;
} kt_names[] = {
    {CT_ENC_KT_OAEP_SHA256, "rsa-oaep-sha256"},
    {CT_ENC_KT_OAEP_SHA1, "rsa-oaep-sha1"},
    {CT_ENC_KT_PKCS1, "rsa-pkcs1"},
};

const char *ct_enc_kt_name(enum ct_enc_kt kt)
{
    for (size_t i = 0; i < sizeof(kt_names) / sizeof(kt_names[0]); i++)
        if (kt_names[i].kt == kt)
            return kt_names[i].name;
    return NULL;
}

enum ct_enc_kt ct_enc_kt_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(kt_names) / sizeof(kt_names[0]); i++)
        if (strlen(kt_names[i].name) == len && memcmp(kt_names[i].name, name, len) == 0)
            return kt_names[i].kt;
    return CT_ENC_KT_UNKNOWN;
}

void ct_enc_kt_scheme(enum ct_enc_kt kt, struct ct_rsa_scheme *out)
{
    switch (kt) {
    case CT_ENC_KT_OAEP_SHA1:
        *out = (struct ct_rsa_scheme){.oaep = true, .md = EVP_sha1(), .mgf1_md = EVP_sha1()};
        break;
    case CT_ENC_KT_PKCS1:
        *out = (struct ct_rsa_scheme){.oaep = false};
        break;
    case CT_ENC_KT_OAEP_SHA256:
    case CT_ENC_KT_UNKNOWN:
    default:
        *out = (struct ct_rsa_scheme){.oaep = true, .md = EVP_sha256(), .mgf1_md = EVP_sha256()};
        break;
    }
}

void ct_enc_blob_make(uint8_t blob[CT_ENC_BLOB_LEN], const uint8_t key[CT_ENC_KEY_LEN], uint64_t t)
{
    blob[0] = CT_ENC_BLOB_VERSION;
    for (int i = 8; i >= 1; i--) {
        blob[i] = (uint8_t)t;
        t >>= 8;
    }
    memcpy(blob + 9, key, CT_ENC_KEY_LEN);
}

int ct_enc_wrap(struct ct_buf *out, EVP_PKEY *pub, enum ct_enc_kt kt,
                const uint8_t key[CT_ENC_KEY_LEN], uint64_t t)
{
    if (kt == CT_ENC_KT_UNKNOWN || EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA)
        return CT_ERR_INVALID_ARG;
    struct ct_rsa_scheme scheme;
    ct_enc_kt_scheme(kt, &scheme);
    uint8_t blob[CT_ENC_BLOB_LEN];
    ct_enc_blob_make(blob, key, t);
    size_t cap = (size_t)EVP_PKEY_get_size(pub), len = 0;
    uint8_t *wrapped = malloc(cap);
    int rc = wrapped == NULL ? CT_ERR_NOMEM
                             : ct_rsa_encrypt(pub, &scheme, NULL, 0, blob, sizeof(blob), wrapped, &len);
    if (rc == CT_OK)
        rc = ct_buf_append(out, wrapped, len);
    ct_wipe(blob, sizeof(blob));
    free(wrapped);
    return rc;
}

void ct_enc_replay_init(struct ct_enc_replay *r, uint64_t window)
{
    memset(r, 0, sizeof(*r));
    r->window = window == 0 ? CT_ENC_DEFAULT_WINDOW
                            : window > CT_ENC_MAX_WINDOW ? CT_ENC_MAX_WINDOW : window;
}

void ct_enc_replay_cleanup(struct ct_enc_replay *r)
{
    free(r->hash);
    free(r->seen);
    memset(r, 0, sizeof(*r));
}

/* Forget blobs older than 2W; report whether h is still remembered. */
static bool replay_seen(struct ct_enc_replay *r, const uint8_t h[32], uint64_t now)
{
    size_t keep = 0;
    bool found = false;
    for (size_t i = 0; i < r->n; i++) {
        if (r->seen[i] + 2 * r->window < now)
            continue;
        found = found || ct_memeq(r->hash[i], h, 32);
        memmove(r->hash[keep], r->hash[i], 32);
        r->seen[keep] = r->seen[i];
        keep++;
    }
    r->n = keep;
    return found;
}

static int replay_add(struct ct_enc_replay *r, const uint8_t h[32], uint64_t now)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        uint8_t(*hash)[32] = realloc(r->hash, cap * sizeof(*hash));
        if (hash == NULL)
            return CT_ERR_NOMEM;
        r->hash = hash;
        uint64_t *seen = realloc(r->seen, cap * sizeof(*seen));
        if (seen == NULL)
            return CT_ERR_NOMEM;
        r->seen = seen;
        r->cap = cap;
    }
    memcpy(r->hash[r->n], h, 32);
    r->seen[r->n] = now;
    r->n++;
    return CT_OK;
}

int ct_enc_unwrap(uint8_t key[CT_ENC_KEY_LEN], EVP_PKEY *priv, enum ct_enc_kt kt,
                  const uint8_t *wrapped, size_t n, uint64_t now, struct ct_enc_replay *r)
{
    /* The substitute is drawn first, so that success and failure do the same work. */
    uint8_t substitute[CT_ENC_KEY_LEN];
    if (ct_random(substitute, sizeof(substitute)) != CT_OK)
        memset(substitute, 0xA5, sizeof(substitute)); /* still unknown to the peer */
    struct ct_rsa_scheme scheme;
    ct_enc_kt_scheme(kt, &scheme);
    size_t cap = (size_t)EVP_PKEY_get_size(priv), len = 0;
    uint8_t *blob = malloc(cap > 0 ? cap : 1);
    int rc = blob == NULL ? CT_ERR_NOMEM
             : kt == CT_ENC_KT_UNKNOWN || EVP_PKEY_get_base_id(priv) != EVP_PKEY_RSA
                 ? CT_ERR_CRYPTO
                 : ct_rsa_decrypt(priv, &scheme, NULL, 0, wrapped, n, blob, &len);
    if (rc == CT_ERR_INVALID_ARG)
        rc = CT_ERR_CRYPTO;
    uint64_t t = 0;
    if (rc == CT_OK) {
        if (len != CT_ENC_BLOB_LEN || blob[0] != CT_ENC_BLOB_VERSION)
            rc = CT_ERR_CRYPTO;
        for (int i = 1; i <= 8 && len == CT_ENC_BLOB_LEN; i++)
            t = t << 8 | blob[i];
        uint64_t window = r != NULL ? r->window : CT_ENC_DEFAULT_WINDOW;
        if (rc == CT_OK && (t + window < now || t > now + window))
            rc = CT_ERR_CRYPTO;
    }
    if (rc == CT_OK && r != NULL) {
        uint8_t h[32];
        rc = ct_sha256(h, blob, CT_ENC_BLOB_LEN);
        if (rc == CT_OK && replay_seen(r, h, now))
            rc = CT_ERR_CRYPTO;
        if (rc == CT_OK)
            rc = replay_add(r, h, now);
    }
    memcpy(key, rc == CT_OK ? blob + 9 : substitute, CT_ENC_KEY_LEN);
    ct_wipe(substitute, sizeof(substitute));
    if (blob != NULL)
        ct_wipe(blob, cap);
    free(blob);
    return rc;
}
