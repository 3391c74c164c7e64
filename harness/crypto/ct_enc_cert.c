#include "crypto/ct_enc_cert.h"

#include "base/ct_buf.h"
#include "crypto/ct_cipher.h"

#include <openssl/err.h>
#include <stdlib.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Certificates and keys are small; a bound keeps a hostile download in check. */
#define MAX_PEM ((size_t)1 << 20)

int ct_enc_chain_from_pem(STACK_OF(X509) **out, const uint8_t *pem, size_t n, struct ct_diag *diag)
{
    if (n > MAX_PEM)
        return ct_diag_set(diag, CT_ERR_TOO_BIG, "certificate chain of %zu bytes is too large", n);
    BIO *bio = BIO_new_mem_buf(pem, (int)n);
    STACK_OF(X509) *chain = sk_X509_new_null();
    if (bio == NULL || chain == NULL) {
        BIO_free(bio);
        sk_X509_free(chain);
        return CT_ERR_NOMEM;
    }
    X509 *cert;
    while ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (sk_X509_push(chain, cert) <= 0) {
            X509_free(cert);
            break;
        }
    }
    /* The loop ends on "no more PEM" (expected) or on a broken certificate. */
    unsigned long err = ERR_peek_last_error();
    bool clean_end = ERR_GET_REASON(err) == PEM_R_NO_START_LINE || err == 0;
    ERR_clear_error();
    BIO_free(bio);
    if (sk_X509_num(chain) == 0 || !clean_end) {
        ct_enc_chain_free(chain);
        return ct_diag_set(diag, CT_ERR_PARSE, "%s",
                           clean_end ? "no PEM certificate found" : "a PEM certificate is broken");
    }
    *out = chain;
    return CT_OK;
}

/*
 * Chains read from files, kept for the process: a run of scenarios opens the same one or two
 * (the SUT's, the test PKI's) for every scenario, and decoding PEM cost more than the rest of a
 * scenario's crypto set-up (make bench). An entry serves only while the file keeps its device,
 * inode, size and mtime; every caller gets a stack of its own, of up-referenced certificates.
 */
#define CHAIN_CACHE 4
static struct {
    char path[1024];
    struct stat st;
    STACK_OF(X509) *chain;
} chain_cache[CHAIN_CACHE];
static size_t chain_cache_next;
static pthread_mutex_t chain_cache_mu = PTHREAD_MUTEX_INITIALIZER;

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* A copy of the cached chain of path, or NULL. */
static STACK_OF(X509) *chain_cached(const char *path, const struct stat *st)
{
    STACK_OF(X509) *copy = NULL;
    pthread_mutex_lock(&chain_cache_mu);
    for (size_t i = 0; i < CHAIN_CACHE && copy == NULL; i++)
        if (chain_cache[i].chain != NULL && strcmp(chain_cache[i].path, path) == 0 &&
            same_file(&chain_cache[i].st, st))
            copy = X509_chain_up_ref(chain_cache[i].chain);
    pthread_mutex_unlock(&chain_cache_mu);
    return copy;
}

static void chain_keep(const char *path, const struct stat *st, const STACK_OF(X509) *chain)
{
    STACK_OF(X509) *keep = X509_chain_up_ref((STACK_OF(X509) *)chain);
    if (keep == NULL)
        return; /* not kept: the caller has its chain all the same */
    pthread_mutex_lock(&chain_cache_mu);
    size_t slot = chain_cache_next++ % CHAIN_CACHE;
    ct_enc_chain_free(chain_cache[slot].chain);
    snprintf(chain_cache[slot].path, sizeof(chain_cache[slot].path), "%s", path);
    chain_cache[slot].st = *st;
    chain_cache[slot].chain = keep;
    pthread_mutex_unlock(&chain_cache_mu);
}

int ct_enc_chain_load(STACK_OF(X509) **out, const char *path, struct ct_diag *diag)
{
    struct stat st;
    bool cacheable = stat(path, &st) == 0 && strlen(path) < sizeof(chain_cache[0].path);
    if (cacheable && (*out = chain_cached(path, &st)) != NULL)
        return CT_OK;
    struct ct_buf b;
    ct_buf_init(&b, MAX_PEM);
    int rc = ct_buf_read_file(&b, path);
    if (rc == CT_OK)
        rc = ct_enc_chain_from_pem(out, b.data, b.len, diag);
    else
        ct_diag_set(diag, rc, "cannot read %s", path);
    if (rc != CT_OK)
        ct_diag_prefix(diag, "%s", path);
    ct_buf_cleanup(&b);
    if (rc == CT_OK && cacheable)
        chain_keep(path, &st, *out);
    return rc;
}

void ct_enc_chain_free(STACK_OF(X509) *chain)
{
    sk_X509_pop_free(chain, X509_free);
}

EVP_PKEY *ct_enc_key_load(const char *path, struct ct_diag *diag)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        ct_diag_set(diag, CT_ERR_IO, "%s: cannot open", path);
        return NULL;
    }
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    ERR_clear_error();
    if (key == NULL)
        ct_diag_set(diag, CT_ERR_PARSE, "%s: no PEM private key", path);
    return key;
}

int ct_enc_cert_kid(X509 *cert, uint8_t kid[32])
{
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);
    if (n <= 0)
        return CT_ERR_INVALID_ARG;
    int rc = ct_sha256(kid, der, (size_t)n);
    OPENSSL_free(der);
    return rc;
}

int ct_enc_cert_check_key(X509 *cert, struct ct_diag *diag)
{
    EVP_PKEY *key = X509_get0_pubkey(cert);
    if (key == NULL || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
        return ct_diag_set(diag, CT_ERR_CRYPTO, "the certificate key is not RSA");
    int bits = EVP_PKEY_get_bits(key);
    if (bits < CT_ENC_MIN_RSA_BITS)
        return ct_diag_set(diag, CT_ERR_CRYPTO, "the certificate key has %d bits, fewer than %d",
                           bits, CT_ENC_MIN_RSA_BITS);
    uint32_t ku = X509_get_key_usage(cert);
    if (ku != UINT32_MAX && !(ku & KU_KEY_ENCIPHERMENT))
        return ct_diag_set(diag, CT_ERR_CRYPTO, "the certificate's key usage lacks keyEncipherment");
    return CT_OK;
}

static bool weak_signature(X509 *cert)
{
    int md = NID_undef;
    if (!OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md, NULL))
        return true;
    return md == NID_md5 || md == NID_sha1 || md == NID_md5_sha1;
}

int ct_enc_cert_verify(STACK_OF(X509) *chain, X509 *ca, const char *host, time_t at,
                       struct ct_diag *diag)
{
    if (chain == NULL || sk_X509_num(chain) == 0)
        return ct_diag_set(diag, CT_ERR_CRYPTO, "no server certificate");
    X509 *leaf = sk_X509_value(chain, 0);
    for (int i = 0; i < sk_X509_num(chain); i++)
        if (weak_signature(sk_X509_value(chain, i)))
            return ct_diag_set(diag, CT_ERR_CRYPTO,
                               "certificate %d of the chain is signed with MD5 or SHA-1", i);

    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    int rc = CT_OK;
    if (store == NULL || ctx == NULL || untrusted == NULL || X509_STORE_add_cert(store, ca) != 1)
        rc = CT_ERR_NOMEM;
    for (int i = 1; rc == CT_OK && i < sk_X509_num(chain); i++)
        if (sk_X509_push(untrusted, sk_X509_value(chain, i)) <= 0)
            rc = CT_ERR_NOMEM;
    if (rc == CT_OK && X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1)
        rc = CT_ERR_NOMEM;
    if (rc == CT_OK) {
        X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
        if (at == (time_t)-1)
            X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
        else if (at != 0)
            X509_VERIFY_PARAM_set_time(param, at);
        /* A subjectAltName must match: the CN is not a name to rely on. */
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
        if (X509_VERIFY_PARAM_set1_ip_asc(param, host) != 1) {
            ERR_clear_error();
            X509_VERIFY_PARAM_set1_host(param, host, 0);
        }
        if (X509_verify_cert(ctx) != 1) {
            int err = X509_STORE_CTX_get_error(ctx);
            rc = ct_diag_set(diag, CT_ERR_CRYPTO, "the certificate chain does not verify: %s",
                             X509_verify_cert_error_string(err));
        }
    }
    ERR_clear_error();
    sk_X509_free(untrusted);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    if (rc == CT_OK)
        rc = ct_enc_cert_check_key(leaf, diag);
    return rc;
}

EVP_PKEY *ct_enc_key_from_pem(const char *pem, struct ct_diag *diag)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (key == NULL)
        ct_diag_set(diag, CT_ERR_PARSE, "not a PEM private key");
    return key;
}

int ct_enc_cert_self_signed(EVP_PKEY *key, STACK_OF(X509) **out, char **pem)
{
    *out = NULL;
    *pem = NULL;
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509V3_CTX v3;
    int rc = x != NULL && name != NULL ? CT_OK : CT_ERR_NOMEM;
    if (rc == CT_OK &&
        (X509_set_version(x, 2) != 1 || ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1 ||
         X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
         X509_gmtime_adj(X509_getm_notAfter(x), 86400) == NULL || X509_set_pubkey(x, key) != 1 ||
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0) != 1 ||
         X509_set_subject_name(x, name) != 1 || X509_set_issuer_name(x, name) != 1))
        rc = CT_ERR_CRYPTO;
    if (rc == CT_OK) {
        X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
        X509_EXTENSION *san = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
        if (san == NULL || X509_add_ext(x, san, -1) != 1)
            rc = CT_ERR_CRYPTO;
        X509_EXTENSION_free(san);
    }
    if (rc == CT_OK && X509_sign(x, key, EVP_sha256()) <= 0)
        rc = CT_ERR_CRYPTO;
    BIO *bio = rc == CT_OK ? BIO_new(BIO_s_mem()) : NULL;
    if (rc == CT_OK && (bio == NULL || PEM_write_bio_X509(bio, x) != 1))
        rc = CT_ERR_NOMEM;
    if (rc == CT_OK) {
        char *data = NULL;
        long len = BIO_get_mem_data(bio, &data);
        *pem = malloc((size_t)len + 1);
        if (*pem == NULL) {
            rc = CT_ERR_NOMEM;
        } else {
            memcpy(*pem, data, (size_t)len);
            (*pem)[len] = '\0';
        }
    }
    if (rc == CT_OK) {
        *out = sk_X509_new_null();
        if (*out == NULL || sk_X509_push(*out, x) <= 0) {
            rc = CT_ERR_NOMEM;
        } else {
            x = NULL; /* the stack owns it */
        }
    }
    if (rc != CT_OK) {
        ct_enc_chain_free(*out);
        *out = NULL;
        free(*pem);
        *pem = NULL;
    }
    BIO_free(bio);
    X509_NAME_free(name);
    X509_free(x);
    return rc;
}
