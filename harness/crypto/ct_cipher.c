#include "crypto/ct_cipher.h"

#include "base/ct_err.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <string.h>

/*
 * Algorithms are fetched from the provider once: OpenSSL 3 otherwise repeats the lookup on
 * every EVP_*Init with the legacy getters, which costs more than encrypting a small field.
 * The fetched objects live for the process (they stay reachable, so leak checkers agree).
 */
static struct {
    EVP_CIPHER *gcm[3];  /* AES-128/192/256-GCM */
    EVP_CIPHER *cbc[3];  /* AES-128/192/256-CBC */
    EVP_CIPHER *des3;    /* DES-EDE3-CBC */
    EVP_MAC *hmac;
    EVP_KDF *hkdf;
} algs;
static pthread_once_t algs_once = PTHREAD_ONCE_INIT;

static void fetch_algs(void)
{
    static const char *const gcm[3] = {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"};
    static const char *const cbc[3] = {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC"};
    for (int i = 0; i < 3; i++) {
        algs.gcm[i] = EVP_CIPHER_fetch(NULL, gcm[i], NULL);
        algs.cbc[i] = EVP_CIPHER_fetch(NULL, cbc[i], NULL);
    }
    algs.des3 = EVP_CIPHER_fetch(NULL, "DES-EDE3-CBC", NULL);
    algs.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    algs.hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
}

static void ensure_algs(void)
{
    pthread_once(&algs_once, fetch_algs);
}

/* The AES variant for a key length, or NULL. */
static const EVP_CIPHER *aes_by_key(EVP_CIPHER *const table[3], size_t key_len)
{
    ensure_algs();
    switch (key_len) {
    case 16: return table[0];
    case 24: return table[1];
    case 32: return table[2];
    default: return NULL;
    }
}

/* An input length for EVP's int-based API. */
static bool fits_int(size_t n)
{
    return n <= (size_t)INT32_MAX;
}

int ct_gcm_seal(const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len,
                const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t n, uint8_t *out,
                uint8_t *tag, size_t tag_len)
{
    const EVP_CIPHER *c = aes_by_key(algs.gcm, key_len);
    if (c == NULL || iv_len == 0 || iv_len > 128 || tag_len < 4 || tag_len > CT_GCM_TAG_LEN ||
        !fits_int(n) || !fits_int(aad_len))
        return CT_ERR_INVALID_ARG;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return CT_ERR_NOMEM;
    int len = 0;
    size_t ivl = iv_len;
    uint8_t none[16]; /* GCM's final step writes no bytes */
    OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivl),
                           OSSL_PARAM_construct_end()};
    bool ok = EVP_EncryptInit_ex2(ctx, c, NULL, NULL, params) == 1 &&
              EVP_EncryptInit_ex2(ctx, NULL, key, iv, NULL) == 1 &&
              (aad_len == 0 || EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aad_len) == 1) &&
              (n == 0 || EVP_EncryptUpdate(ctx, out, &len, in, (int)n) == 1) &&
              EVP_EncryptFinal_ex(ctx, none, &len) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)tag_len, tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        ERR_clear_error();
        return CT_ERR_INVALID_ARG;
    }
    return CT_OK;
}

int ct_gcm_open(const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len,
                const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t n,
                const uint8_t *tag, size_t tag_len, uint8_t *out)
{
    const EVP_CIPHER *c = aes_by_key(algs.gcm, key_len);
    if (c == NULL || iv_len == 0 || iv_len > 128 || tag_len < 4 || tag_len > CT_GCM_TAG_LEN ||
        !fits_int(n) || !fits_int(aad_len))
        return CT_ERR_INVALID_ARG;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return CT_ERR_NOMEM;
    int len = 0;
    size_t ivl = iv_len;
    uint8_t none[16]; /* GCM's final step writes no bytes */
    uint8_t tag_copy[CT_GCM_TAG_LEN];
    memcpy(tag_copy, tag, tag_len);
    OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivl),
                           OSSL_PARAM_construct_end()};
    bool setup = EVP_DecryptInit_ex2(ctx, c, NULL, NULL, params) == 1 &&
                 EVP_DecryptInit_ex2(ctx, NULL, key, iv, NULL) == 1 &&
                 EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag_len, tag_copy) == 1;
    bool ok = setup &&
              (aad_len == 0 || EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aad_len) == 1) &&
              (n == 0 || EVP_DecryptUpdate(ctx, out, &len, in, (int)n) == 1) &&
              EVP_DecryptFinal_ex(ctx, none, &len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    ERR_clear_error();
    if (!setup)
        return CT_ERR_INVALID_ARG;
    if (!ok) {
        ct_wipe(out, n);
        return CT_ERR_CRYPTO;
    }
    return CT_OK;
}

size_t ct_block_size(enum ct_block_cipher cipher)
{
    return cipher == CT_CIPHER_3DES ? 8 : 16;
}

int ct_cbc(bool encrypt, enum ct_block_cipher cipher, const uint8_t *key, size_t key_len,
           const uint8_t *iv, bool pad, const uint8_t *in, size_t n, uint8_t *out,
           size_t *out_len)
{
    const EVP_CIPHER *c;
    if (cipher == CT_CIPHER_3DES) {
        ensure_algs();
        c = key_len == 24 ? algs.des3 : NULL;
    } else {
        c = aes_by_key(algs.cbc, key_len);
    }
    if (c == NULL || !fits_int(n))
        return CT_ERR_INVALID_ARG;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return CT_ERR_NOMEM;
    int len = 0, fin = 0;
    bool setup = EVP_CipherInit_ex2(ctx, c, key, iv, encrypt ? 1 : 0, NULL) == 1 &&
                 EVP_CIPHER_CTX_set_padding(ctx, pad ? 1 : 0) == 1;
    bool ok = setup && EVP_CipherUpdate(ctx, out, &len, in, (int)n) == 1 &&
              EVP_CipherFinal_ex(ctx, out + len, &fin) == 1;
    EVP_CIPHER_CTX_free(ctx);
    ERR_clear_error();
    if (!setup)
        return CT_ERR_INVALID_ARG;
    if (!ok) {
        ct_wipe(out, n);
        return CT_ERR_CRYPTO;
    }
    *out_len = (size_t)len + (size_t)fin;
    return CT_OK;
}

int ct_hmac_sha256(uint8_t out[CT_SHA256_LEN], const uint8_t *key, size_t key_len,
                   const struct ct_bytes *parts, size_t n_parts)
{
    ensure_algs();
    if (algs.hmac == NULL)
        return CT_ERR_INTERNAL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(algs.hmac);
    if (ctx == NULL)
        return CT_ERR_NOMEM;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    size_t len = 0;
    bool ok = EVP_MAC_init(ctx, key, key_len, params) == 1;
    for (size_t i = 0; ok && i < n_parts; i++)
        ok = parts[i].n == 0 || EVP_MAC_update(ctx, parts[i].p, parts[i].n) == 1;
    ok = ok && EVP_MAC_final(ctx, out, &len, CT_SHA256_LEN) == 1 && len == CT_SHA256_LEN;
    EVP_MAC_CTX_free(ctx);
    ERR_clear_error();
    return ok ? CT_OK : CT_ERR_INTERNAL;
}

int ct_sha256(uint8_t out[CT_SHA256_LEN], const uint8_t *in, size_t n)
{
    unsigned int len = 0;
    return EVP_Digest(in, n, out, &len, EVP_sha256(), NULL) == 1 ? CT_OK : CT_ERR_INTERNAL;
}

static int hkdf(int mode, uint8_t *out, size_t out_len, const uint8_t *key, size_t key_len,
                const uint8_t *salt, size_t salt_len, const uint8_t *info, size_t info_len)
{
    ensure_algs();
    if (algs.hkdf == NULL)
        return CT_ERR_INTERNAL;
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(algs.hkdf);
    if (ctx == NULL)
        return CT_ERR_NOMEM;
    char digest[] = "SHA256";
    OSSL_PARAM params[6];
    size_t i = 0;
    params[i++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[i++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (salt != NULL)
        params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
    if (info != NULL)
        params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    params[i] = OSSL_PARAM_construct_end();
    int ok = EVP_KDF_derive(ctx, out, out_len, params);
    EVP_KDF_CTX_free(ctx);
    ERR_clear_error();
    return ok == 1 ? CT_OK : CT_ERR_INVALID_ARG;
}

int ct_hkdf_extract(uint8_t prk[CT_SHA256_LEN], const uint8_t *salt, size_t salt_len,
                    const uint8_t *ikm, size_t ikm_len)
{
    /* RFC 5869: an absent salt is HashLen zero bytes. */
    static const uint8_t zeros[CT_SHA256_LEN];
    if (salt == NULL || salt_len == 0) {
        salt = zeros;
        salt_len = sizeof(zeros);
    }
    return hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, prk, CT_SHA256_LEN, ikm, ikm_len, salt, salt_len,
                NULL, 0);
}

int ct_hkdf_expand(uint8_t *out, size_t out_len, const uint8_t prk[CT_SHA256_LEN],
                   const uint8_t *info, size_t info_len)
{
    if (out_len == 0 || out_len > 255 * CT_SHA256_LEN)
        return CT_ERR_INVALID_ARG;
    static const uint8_t empty[1];
    return hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, out, out_len, prk, CT_SHA256_LEN, NULL, 0,
                info != NULL ? info : empty, info_len);
}

/* A context set up for one RSA operation with scheme s. */
static EVP_PKEY_CTX *rsa_ctx(EVP_PKEY *key, bool encrypt, const struct ct_rsa_scheme *s,
                             const uint8_t *label, size_t label_len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (ctx == NULL)
        return NULL;
    bool ok = (encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx, s->oaep ? RSA_PKCS1_OAEP_PADDING : RSA_PKCS1_PADDING) == 1;
    if (ok && s->oaep) {
        ok = EVP_PKEY_CTX_set_rsa_oaep_md(ctx, s->md) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, s->mgf1_md) == 1;
        if (ok && label != NULL && label_len > 0) {
            /* OpenSSL takes ownership of the label. */
            void *copy = OPENSSL_memdup(label, label_len);
            ok = copy != NULL && EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, (int)label_len) == 1;
            if (!ok)
                OPENSSL_free(copy);
        }
    }
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int ct_rsa_encrypt(EVP_PKEY *key, const struct ct_rsa_scheme *s, const uint8_t *label,
                   size_t label_len, const uint8_t *in, size_t n, uint8_t *out, size_t *out_len)
{
    EVP_PKEY_CTX *ctx = rsa_ctx(key, true, s, label, label_len);
    if (ctx == NULL) {
        ERR_clear_error();
        return CT_ERR_INVALID_ARG;
    }
    size_t len = (size_t)EVP_PKEY_get_size(key);
    int ok = EVP_PKEY_encrypt(ctx, out, &len, in, n);
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    if (ok != 1)
        return CT_ERR_INVALID_ARG; /* the message is too long for the key and scheme */
    *out_len = len;
    return CT_OK;
}

int ct_rsa_decrypt(EVP_PKEY *key, const struct ct_rsa_scheme *s, const uint8_t *label,
                   size_t label_len, const uint8_t *in, size_t n, uint8_t *out, size_t *out_len)
{
    EVP_PKEY_CTX *ctx = rsa_ctx(key, false, s, label, label_len);
    if (ctx == NULL) {
        ERR_clear_error();
        return CT_ERR_INVALID_ARG;
    }
    size_t len = (size_t)EVP_PKEY_get_size(key);
    int ok = EVP_PKEY_decrypt(ctx, out, &len, in, n);
    EVP_PKEY_CTX_free(ctx);
    /* The reason is secret-dependent (which padding check failed): drop it. */
    ERR_clear_error();
    if (ok != 1)
        return CT_ERR_CRYPTO;
    *out_len = len;
    return CT_OK;
}

int ct_random(uint8_t *out, size_t n)
{
    while (n > 0) {
        int chunk = n > 1u << 20 ? 1 << 20 : (int)n;
        if (RAND_bytes(out, chunk) != 1)
            return CT_ERR_INTERNAL;
        out += chunk;
        n -= (size_t)chunk;
    }
    return CT_OK;
}

bool ct_memeq(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

void ct_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0)
        OPENSSL_cleanse(p, n);
}
