/*
 * Project Wycheproof vectors (C2SP/wycheproof testvectors_v1) against ct_cipher: AeadTest
 * (AES-GCM), IndCpaTest (AES-CBC-PKCS5), RsaesOaepDecrypt and RsaesPkcs1Decrypt.
 */
#include "crypto/ct_cipher.h"
#include "vectors/ct_vec_int.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

enum expect { VALID, INVALID, ACCEPTABLE };

/* One test's bytes, freed together. */
struct bytes {
    uint8_t *p;
    size_t n;
};

static void free_all(struct bytes *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(b[i].p);
}

static const char *test_id(const json_t *t, char *buf, size_t size)
{
    const char *comment = ct_vec_str(t, "comment");
    snprintf(buf, size, "tcId %lld%s%s%s", (long long)json_integer_value(json_object_get(t, "tcId")),
             comment != NULL && comment[0] != '\0' ? " (" : "", comment != NULL ? comment : "",
             comment != NULL && comment[0] != '\0' ? ")" : "");
    return buf;
}

static enum expect expectation(const json_t *t)
{
    const char *r = ct_vec_str(t, "result");
    if (r != NULL && strcmp(r, "valid") == 0)
        return VALID;
    if (r != NULL && strcmp(r, "acceptable") == 0)
        return ACCEPTABLE;
    return INVALID;
}

/* Judge "did it work, and with the expected output" against the expectation. */
static void judge(struct ct_vec_file *f, const char *id, enum expect e, bool worked, bool right)
{
    if (e == ACCEPTABLE || (e == VALID && worked && right) || (e == INVALID && !worked))
        ct_vec_pass(f);
    else if (e == VALID)
        ct_vec_fail(f, id, worked ? "wrong output" : "rejected a valid vector");
    else
        ct_vec_fail(f, id, "accepted an invalid vector");
}

static bool same(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static int aead_test(struct ct_vec_file *f, const json_t *group, const json_t *t)
{
    enum { KEY, IV, AAD, MSG, CT, TAG, N };
    static const char *const names[N] = {"key", "iv", "aad", "msg", "ct", "tag"};
    struct bytes b[N] = {{0}};
    char id[256];
    test_id(t, id, sizeof(id));
    for (int i = 0; i < N; i++)
        if (ct_vec_jhex(t, names[i], &b[i].p, &b[i].n) != CT_OK) {
            free_all(b, N);
            ct_vec_fail(f, id, "member '%s' missing or not hex", names[i]);
            return CT_OK;
        }
    size_t tag_len = (size_t)json_integer_value(json_object_get(group, "tagSize")) / 8;
    enum expect e = expectation(t);
    if (b[IV].n == 0 || b[IV].n > 128) {
        /* OpenSSL 3.0 takes GCM IVs of 1 to 128 bytes; the profile uses 12. */
        if (e == INVALID)
            ct_vec_pass(f);
        else
            ct_vec_skip(f, "GCM IV outside OpenSSL's 8..1024 bits; the profile uses 96");
        free_all(b, N);
        return CT_OK;
    }
    uint8_t *pt = malloc(b[CT].n + 1), *ct = malloc(b[MSG].n + 1);
    uint8_t tag[CT_GCM_TAG_LEN];
    if (pt == NULL || ct == NULL) {
        free(pt);
        free(ct);
        free_all(b, N);
        return CT_ERR_NOMEM;
    }
    /* A tag of another length than the group's is a truncated (or extended) tag. */
    bool opened = b[TAG].n == tag_len &&
                  ct_gcm_open(b[KEY].p, b[KEY].n, b[IV].p, b[IV].n, b[AAD].p, b[AAD].n, b[CT].p,
                              b[CT].n, b[TAG].p, b[TAG].n, pt) == CT_OK;
    bool right = opened && same(pt, b[CT].n, b[MSG].p, b[MSG].n);
    if (right && e == VALID) {
        /* The sealing direction must give the same bytes. */
        right = ct_gcm_seal(b[KEY].p, b[KEY].n, b[IV].p, b[IV].n, b[AAD].p, b[AAD].n, b[MSG].p,
                            b[MSG].n, ct, tag, tag_len) == CT_OK &&
                same(ct, b[MSG].n, b[CT].p, b[CT].n) && same(tag, tag_len, b[TAG].p, b[TAG].n);
    }
    judge(f, id, e, opened, right);
    free(pt);
    free(ct);
    free_all(b, N);
    return CT_OK;
}

static int cbc_test(struct ct_vec_file *f, const json_t *t)
{
    enum { KEY, IV, MSG, CT, N };
    static const char *const names[N] = {"key", "iv", "msg", "ct"};
    struct bytes b[N] = {{0}};
    char id[256];
    test_id(t, id, sizeof(id));
    for (int i = 0; i < N; i++)
        if (ct_vec_jhex(t, names[i], &b[i].p, &b[i].n) != CT_OK) {
            free_all(b, N);
            ct_vec_fail(f, id, "member '%s' missing or not hex", names[i]);
            return CT_OK;
        }
    uint8_t *out = malloc(b[CT].n + b[MSG].n + 32);
    if (out == NULL) {
        free_all(b, N);
        return CT_ERR_NOMEM;
    }
    size_t len = 0;
    bool opened = b[IV].n == 16 && ct_cbc(false, CT_CIPHER_AES, b[KEY].p, b[KEY].n, b[IV].p, true,
                                          b[CT].p, b[CT].n, out, &len) == CT_OK;
    bool right = opened && same(out, len, b[MSG].p, b[MSG].n);
    enum expect e = expectation(t);
    if (right && e == VALID)
        right = ct_cbc(true, CT_CIPHER_AES, b[KEY].p, b[KEY].n, b[IV].p, true, b[MSG].p, b[MSG].n,
                       out, &len) == CT_OK &&
                same(out, len, b[CT].p, b[CT].n);
    judge(f, id, e, opened, right);
    free(out);
    free_all(b, N);
    return CT_OK;
}

/* "SHA-256" and friends as Wycheproof writes them. */
static const EVP_MD *digest(const char *name)
{
    if (name == NULL)
        return NULL;
    if (strcmp(name, "SHA-1") == 0)
        return EVP_sha1();
    if (strcmp(name, "SHA-224") == 0)
        return EVP_sha224();
    if (strcmp(name, "SHA-256") == 0)
        return EVP_sha256();
    if (strcmp(name, "SHA-384") == 0)
        return EVP_sha384();
    if (strcmp(name, "SHA-512") == 0)
        return EVP_sha512();
    return NULL;
}

static int rsa_test(struct ct_vec_file *f, EVP_PKEY *key, const struct ct_rsa_scheme *s,
                    const json_t *t)
{
    char id[256];
    test_id(t, id, sizeof(id));
    struct bytes msg = {0}, ct = {0}, label = {0};
    if (ct_vec_jhex(t, "msg", &msg.p, &msg.n) != CT_OK || ct_vec_jhex(t, "ct", &ct.p, &ct.n) != CT_OK ||
        (json_object_get(t, "label") != NULL && ct_vec_jhex(t, "label", &label.p, &label.n) != CT_OK)) {
        free(msg.p);
        free(ct.p);
        free(label.p);
        ct_vec_fail(f, id, "members missing or not hex");
        return CT_OK;
    }
    size_t cap = (size_t)EVP_PKEY_get_size(key), len = 0;
    uint8_t *out = malloc(cap);
    if (out == NULL) {
        free(msg.p);
        free(ct.p);
        free(label.p);
        return CT_ERR_NOMEM;
    }
    bool opened = ct_rsa_decrypt(key, s, label.p, label.n, ct.p, ct.n, out, &len) == CT_OK;
    judge(f, id, expectation(t), opened, opened && same(out, len, msg.p, msg.n));
    free(out);
    free(msg.p);
    free(ct.p);
    free(label.p);
    return CT_OK;
}

static EVP_PKEY *group_key(const json_t *group)
{
    uint8_t *der = NULL;
    size_t n = 0;
    if (ct_vec_jhex(group, "privateKeyPkcs8", &der, &n) != CT_OK)
        return NULL;
    const unsigned char *p = der;
    EVP_PKEY *key = d2i_AutoPrivateKey(NULL, &p, (long)n);
    ERR_clear_error();
    free(der);
    return key;
}

int ct_vec_wycheproof(struct ct_vec_file *f, const json_t *root, struct ct_diag *diag)
{
    const char *schema_file = ct_vec_str(root, "schema");
    if (schema_file == NULL)
        return ct_diag_set(diag, CT_ERR_PARSE, "%s: no schema", f->name);
    /* "aead_test_schema_v1.json" names the schema file; compare without the extension. */
    char schema[64];
    snprintf(schema, sizeof(schema), "%.*s", (int)strcspn(schema_file, "."), schema_file);
    /* Schemas are shared by algorithms: run only the ones whose primitive this is. */
    const char *alg = ct_vec_str(root, "algorithm");
    bool handled = alg != NULL &&
                   ((strcmp(schema, "aead_test_schema_v1") == 0 && strcmp(alg, "AES-GCM") == 0) ||
                    (strcmp(schema, "ind_cpa_test_schema_v1") == 0 && strcmp(alg, "AES-CBC-PKCS5") == 0) ||
                    strcmp(schema, "rsaes_oaep_decrypt_schema_v1") == 0 ||
                    strcmp(schema, "rsaes_pkcs1_decrypt_schema_v1") == 0);
    if (!handled) {
        /* Say so: a vector file that silently runs nothing would look like a pass. */
        if (f->log != NULL)
            fprintf(f->log, "%s: not run (%s for %s is not a primitive conftest uses)\n", f->name,
                    schema, alg != NULL ? alg : "?");
        return CT_OK;
    }
    const json_t *groups = json_object_get(root, "testGroups");
    size_t gi;
    const json_t *group;
    json_array_foreach(groups, gi, group) {
        const json_t *tests = json_object_get(group, "tests");
        EVP_PKEY *key = NULL;
        struct ct_rsa_scheme scheme = {0};
        bool rsa = strncmp(schema, "rsaes_", 6) == 0;
        if (rsa) {
            key = group_key(group);
            if (key == NULL)
                return ct_diag_set(diag, CT_ERR_PARSE, "%s: group %zu: unreadable privateKeyPkcs8",
                                   f->name, gi);
            scheme.oaep = strcmp(schema, "rsaes_oaep_decrypt_schema_v1") == 0;
            if (scheme.oaep) {
                scheme.md = digest(ct_vec_str(group, "sha"));
                scheme.mgf1_md = digest(ct_vec_str(group, "mgfSha"));
                if (scheme.md == NULL || scheme.mgf1_md == NULL) {
                    EVP_PKEY_free(key);
                    return ct_diag_set(diag, CT_ERR_PARSE, "%s: group %zu: unknown hash", f->name, gi);
                }
            }
        }
        size_t ti;
        const json_t *t;
        int rc = CT_OK;
        json_array_foreach(tests, ti, t) {
            if (rc != CT_OK)
                break;
            if (rsa)
                rc = rsa_test(f, key, &scheme, t);
            else if (strcmp(schema, "aead_test_schema_v1") == 0)
                rc = aead_test(f, group, t);
            else if (strcmp(schema, "ind_cpa_test_schema_v1") == 0)
                rc = cbc_test(f, t);
        }
        EVP_PKEY_free(key);
        if (rc != CT_OK)
            return rc;
    }
    return CT_OK;
}
