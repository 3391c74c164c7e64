/*
 * RSA Laboratories PKCS #1 test vectors (pkcs-1v2-1d2-vec: oaep-vect.txt with SHA-1 and
 * MGF1-SHA-1; pkcs1v15crypt-vectors.txt): "# Label:" lines followed by hex lines. Each key's
 * private components build an OpenSSL key, and every "Encryption" must decrypt to its "Message"
 * (the seeds make the encryptions reproducible, but OpenSSL takes no seed: decryption is what
 * is checked).
 */
#include "crypto/ct_cipher.h"
#include "vectors/ct_vec_int.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>

enum field { F_NONE, F_N, F_E, F_D, F_P, F_Q, F_DP, F_DQ, F_QINV, F_MSG, F_ENC, F_IGNORED, F_COUNT };

struct state {
    struct ct_buf v[F_COUNT]; /* hex digits collected per field */
    enum field cur;
    bool in_private;
    unsigned key_no, example_no;
};

static EVP_PKEY *make_key(struct state *s)
{
    static const char *const names[] = {
        [F_N] = OSSL_PKEY_PARAM_RSA_N, [F_E] = OSSL_PKEY_PARAM_RSA_E, [F_D] = OSSL_PKEY_PARAM_RSA_D,
        [F_P] = OSSL_PKEY_PARAM_RSA_FACTOR1, [F_Q] = OSSL_PKEY_PARAM_RSA_FACTOR2,
        [F_DP] = OSSL_PKEY_PARAM_RSA_EXPONENT1, [F_DQ] = OSSL_PKEY_PARAM_RSA_EXPONENT2,
        [F_QINV] = OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
    };
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *bn[F_QINV + 1] = {NULL};
    bool ok = bld != NULL;
    for (int f = F_N; ok && f <= F_QINV; f++) {
        ok = s->v[f].len > 0 && BN_hex2bn(&bn[f], (const char *)s->v[f].data) > 0 &&
             OSSL_PARAM_BLD_push_BN(bld, names[f], bn[f]) == 1;
    }
    OSSL_PARAM *params = ok ? OSSL_PARAM_BLD_to_param(bld) : NULL;
    EVP_PKEY_CTX *ctx = params != NULL ? EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL) : NULL;
    EVP_PKEY *key = NULL;
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params) != 1)
        key = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    for (int f = F_N; f <= F_QINV; f++)
        BN_clear_free(bn[f]);
    ERR_clear_error();
    return key;
}

static void run_example(struct ct_vec_file *f, struct state *s, EVP_PKEY *key, bool oaep)
{
    char id[64];
    snprintf(id, sizeof(id), "key %u example %u", s->key_no, s->example_no);
    uint8_t *msg = NULL, *enc = NULL;
    size_t msg_n = 0, enc_n = 0;
    if (key == NULL || ct_vec_hex((const char *)s->v[F_MSG].data, &msg, &msg_n) != CT_OK ||
        ct_vec_hex((const char *)s->v[F_ENC].data, &enc, &enc_n) != CT_OK) {
        ct_vec_fail(f, id, key == NULL ? "the key does not load" : "malformed example");
        free(msg);
        free(enc);
        return;
    }
    struct ct_rsa_scheme scheme = {.oaep = oaep, .md = EVP_sha1(), .mgf1_md = EVP_sha1()};
    size_t cap = (size_t)EVP_PKEY_get_size(key), n = 0;
    uint8_t *out = malloc(cap);
    bool ok = out != NULL && ct_rsa_decrypt(key, &scheme, NULL, 0, enc, enc_n, out, &n) == CT_OK &&
              n == msg_n && memcmp(out, msg, n) == 0;
    if (ok)
        ct_vec_pass(f);
    else
        ct_vec_fail(f, id, "does not decrypt to the message");
    free(out);
    free(msg);
    free(enc);
}

/* Map a "# Label:" line to a field; key and example headers change the state. */
static enum field label(struct state *s, const char *l, size_t len)
{
#define IS(text) (len >= sizeof(text) - 1 && strncmp(l, text, sizeof(text) - 1) == 0)
    if (IS("# Private key"))
        s->in_private = true;
    if (IS("# Public key"))
        s->in_private = false;
    if (IS("# Modulus:"))
        return s->in_private ? F_N : F_IGNORED;
    if (IS("# Exponent:"))
        return s->in_private ? F_D : F_IGNORED;
    if (IS("# Public exponent:"))
        return F_E;
    if (IS("# Prime 1:"))
        return F_P;
    if (IS("# Prime 2:"))
        return F_Q;
    if (IS("# Prime exponent 1:"))
        return F_DP;
    if (IS("# Prime exponent 2:"))
        return F_DQ;
    if (IS("# Coefficient:"))
        return F_QINV;
    if (IS("# Message:"))
        return F_MSG;
    if (IS("# Encryption:"))
        return F_ENC;
    return F_NONE;
#undef IS
}

int ct_vec_rsalabs(struct ct_vec_file *f, const char *text, bool oaep, struct ct_diag *diag)
{
    struct state s = {.cur = F_NONE};
    for (int i = 0; i < F_COUNT; i++)
        ct_buf_init(&s.v[i], 1 << 16);
    EVP_PKEY *key = NULL;
    const char *p = text;
    int rc = CT_OK;
    while (rc == CT_OK) {
        size_t len = strcspn(p, "\r\n");
        const char *line = p;
        bool eof = *p == '\0';
        p += len;
        while (*p == '\r' || *p == '\n')
            p++;
        bool hex = !eof && len > 0 && line[0] != '#';
        for (size_t i = 0; hex && i < len; i++)
            hex = line[i] == ' ' || line[i] == '\t' || OPENSSL_hexchar2int((unsigned char)line[i]) >= 0;
        if (hex) {
            for (size_t i = 0; i < len && rc == CT_OK && s.cur != F_NONE && s.cur != F_IGNORED; i++)
                if (line[i] != ' ' && line[i] != '\t')
                    rc = ct_buf_append(&s.v[s.cur], &line[i], 1);
            continue;
        }
        if (len == 0 && !eof)
            continue; /* blank lines separate nothing */
        /* A label, a header, a rule or the end: an encryption read so far is complete. */
        if (s.cur == F_ENC && s.v[F_ENC].len > 0) {
            if (key == NULL)
                key = make_key(&s);
            s.example_no++;
            run_example(f, &s, key, oaep);
            ct_buf_reset(&s.v[F_MSG]);
            ct_buf_reset(&s.v[F_ENC]);
        }
        s.cur = F_NONE;
        if (eof)
            break;
        if (len >= 10 && strncmp(line, "# Example ", 10) == 0 && memchr(line, ':', len) != NULL) {
            /* A new key: forget the previous one. */
            EVP_PKEY_free(key);
            key = NULL;
            s.key_no++;
            s.example_no = 0;
            for (int i = 0; i < F_COUNT; i++)
                ct_buf_reset(&s.v[i]);
            continue;
        }
        if (line[0] == '#') {
            s.cur = label(&s, line, len);
            if (s.cur != F_NONE && s.cur != F_IGNORED)
                ct_buf_reset(&s.v[s.cur]);
        }
    }
    EVP_PKEY_free(key);
    for (int i = 0; i < F_COUNT; i++)
        ct_buf_cleanup(&s.v[i]);
    if (rc != CT_OK)
        return ct_diag_set(diag, rc, "%s: a value is too long", f->name);
    return CT_OK;
}
