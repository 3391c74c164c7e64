/*
 * The profile's algorithms, key schedule and encrypted fields (docs/PROFILE.md sections 6-7).
 */
#include "crypto/ct_enc.h"

#include "base/ct_b64.h"

#include <stdlib.h>
#include <string.h>

static const struct ct_enc_alg alg_table[] = {
    {0x01, "aes128-gcm", CT_ENC_MODE_GCM, CT_CIPHER_AES, 16, 0, 12, 16, CT_ENC_RECOMMENDED},
    {0x02, "aes256-gcm", CT_ENC_MODE_GCM, CT_CIPHER_AES, 32, 0, 12, 16, CT_ENC_RECOMMENDED},
    {0x11, "aes128-cbc-hs256", CT_ENC_MODE_CBC_HMAC, CT_CIPHER_AES, 16, 32, 16, 32, CT_ENC_ALLOWED},
    {0x12, "aes192-cbc-hs256", CT_ENC_MODE_CBC_HMAC, CT_CIPHER_AES, 24, 32, 16, 32, CT_ENC_ALLOWED},
    {0x13, "aes256-cbc-hs256", CT_ENC_MODE_CBC_HMAC, CT_CIPHER_AES, 32, 32, 16, 32, CT_ENC_ALLOWED},
    {0x21, "3des-cbc-hs256", CT_ENC_MODE_CBC_HMAC, CT_CIPHER_3DES, 24, 32, 8, 32, CT_ENC_LEGACY},
    {0x81, "aes128-cbc", CT_ENC_MODE_CBC, CT_CIPHER_AES, 16, 0, 16, 0, CT_ENC_INSECURE},
    {0x82, "aes192-cbc", CT_ENC_MODE_CBC, CT_CIPHER_AES, 24, 0, 16, 0, CT_ENC_INSECURE},
    {0x83, "aes256-cbc", CT_ENC_MODE_CBC, CT_CIPHER_AES, 32, 0, 16, 0, CT_ENC_INSECURE},
    {0xA1, "3des-cbc", CT_ENC_MODE_CBC, CT_CIPHER_3DES, 24, 0, 8, 0, CT_ENC_INSECURE},
};

#define N_ALGS (sizeof(alg_table) / sizeof(alg_table[0]))

const struct ct_enc_alg *ct_enc_alg_table(size_t *n)
{
    *n = N_ALGS;
    return alg_table;
}

const struct ct_enc_alg *ct_enc_alg_by_id(uint8_t id)
{
    for (size_t i = 0; i < N_ALGS; i++)
        if (alg_table[i].id == id)
            return &alg_table[i];
    return NULL;
}

const struct ct_enc_alg *ct_enc_alg_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < N_ALGS; i++)
        if (strlen(alg_table[i].name) == len && memcmp(alg_table[i].name, name, len) == 0)
            return &alg_table[i];
    return NULL;
}

const char *ct_enc_dir_name(enum ct_enc_dir dir)
{
    return dir == CT_ENC_S2C ? "s2c" : "c2s";
}

const char *ct_enc_part_name(unsigned part)
{
    switch (part) {
    case CT_ENC_PART_CRED: return "cred";
    case CT_ENC_PART_DEVINF: return "devinf";
    case CT_ENC_PART_DATA: return "data";
    default: return "?";
    }
}

static const char *or_empty(const char *s)
{
    return s != NULL ? s : "";
}

/* Append a C string and, unless last, the 0x00 separator. */
static int put_field(struct ct_buf *b, const char *s, bool last)
{
    int rc = ct_buf_append_str(b, or_empty(s));
    return rc == CT_OK && !last ? ct_buf_append(b, "", 1) : rc;
}

int ct_enc_session_init(struct ct_enc_session *s, const struct ct_enc_alg *alg, unsigned parts,
                        const uint8_t key[CT_ENC_KEY_LEN], const struct ct_enc_binding *bind,
                        const struct ct_enc_rand *rand)
{
    if (alg == NULL || bind == NULL || bind->offer == NULL || bind->session_id == NULL ||
        bind->device_id == NULL)
        return CT_ERR_INVALID_ARG;
    memset(s, 0, sizeof(*s));
    s->alg = alg;
    s->parts = parts;
    if (rand != NULL)
        s->rand = *rand;

    uint8_t salt[CT_SHA256_LEN], prk[CT_SHA256_LEN];
    int rc = ct_sha256(salt, (const uint8_t *)bind->offer, strlen(bind->offer));
    if (rc == CT_OK)
        rc = ct_hkdf_extract(prk, salt, sizeof(salt), key, CT_ENC_KEY_LEN);

    struct ct_buf info;
    ct_buf_init(&info, 0);
    for (int d = 0; rc == CT_OK && d < 2; d++) {
        uint8_t okm[64];
        ct_buf_reset(&info);
        rc = ct_buf_printf(&info, CT_ENC_VERSION " key %s", ct_enc_dir_name((enum ct_enc_dir)d));
        if (rc == CT_OK)
            rc = ct_buf_append(&info, "", 1);
        if (rc == CT_OK)
            rc = put_field(&info, alg->name, false);
        if (rc == CT_OK)
            rc = put_field(&info, bind->session_id, false);
        if (rc == CT_OK)
            rc = put_field(&info, bind->device_id, true);
        if (rc == CT_OK)
            rc = ct_hkdf_expand(okm, alg->enc_len + alg->mac_len, prk, info.data, info.len);
        if (rc == CT_OK) {
            memcpy(s->dir[d].enc, okm, alg->enc_len);
            memcpy(s->dir[d].mac, okm + alg->enc_len, alg->mac_len);
        }
        ct_wipe(okm, sizeof(okm));
    }
    if (rc == CT_OK) {
        ct_buf_reset(&info);
        rc = put_field(&info, CT_ENC_VERSION " confirm", false);
        if (rc == CT_OK)
            rc = put_field(&info, bind->session_id, false);
        if (rc == CT_OK)
            rc = put_field(&info, bind->device_id, true);
        if (rc == CT_OK)
            rc = ct_hkdf_expand(s->confirm_key, sizeof(s->confirm_key), prk, info.data, info.len);
    }
    ct_buf_cleanup(&info);
    ct_wipe(prk, sizeof(prk));
    /* Degenerate 3DES keys are a key-transport failure (ENC-KT-3). */
    if (rc == CT_OK && alg->cipher == CT_CIPHER_3DES &&
        (ct_enc_3des_degenerate(s->dir[0].enc) || ct_enc_3des_degenerate(s->dir[1].enc)))
        rc = CT_ERR_CRYPTO;
    if (rc != CT_OK)
        ct_enc_session_wipe(s);
    return rc;
}

void ct_enc_session_wipe(struct ct_enc_session *s)
{
    ct_wipe(s, sizeof(*s));
}

bool ct_enc_3des_degenerate(const uint8_t key[24])
{
    bool k1k2 = true, k2k3 = true;
    for (int i = 0; i < 8; i++) {
        /* The low bit of each byte is DES parity and takes no part in the key. */
        k1k2 = k1k2 && (key[i] & 0xFE) == (key[8 + i] & 0xFE);
        k2k3 = k2k3 && (key[8 + i] & 0xFE) == (key[16 + i] & 0xFE);
    }
    return k1k2 || k2k3;
}

int ct_enc_aad_bytes(struct ct_buf *out, const struct ct_enc_aad *a)
{
    int rc = put_field(out, CT_ENC_VERSION, false);
    if (rc == CT_OK)
        rc = put_field(out, ct_enc_dir_name(a->dir), false);
    if (rc == CT_OK)
        rc = put_field(out, ct_enc_part_name(a->part), false);
    if (rc == CT_OK)
        rc = put_field(out, a->session_id, false);
    if (rc == CT_OK)
        rc = put_field(out, a->msg_id, false);
    if (rc == CT_OK)
        rc = put_field(out, a->cmd_id, false);
    if (rc == CT_OK)
        rc = put_field(out, a->db, false);
    if (rc == CT_OK)
        rc = put_field(out, a->loc_uri, true);
    return rc;
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* The HMAC of CBC-HS256: 0x01 || id || uint32be(len(A)) || A || IV || C. */
static int cbc_tag(uint8_t tag[CT_SHA256_LEN], const struct ct_enc_dirkeys *k,
                   const uint8_t header[2], const struct ct_buf *aad, const uint8_t *iv,
                   size_t iv_len, const uint8_t *ct, size_t ct_len)
{
    uint8_t alen[4];
    put_be(alen, aad->len, 4);
    const struct ct_bytes parts[] = {
        {header, 2}, {alen, 4}, {aad->data, aad->len}, {iv, iv_len}, {ct, ct_len},
    };
    return ct_hmac_sha256(tag, k->mac, 32, parts, sizeof(parts) / sizeof(parts[0]));
}

static int fresh_iv(struct ct_enc_session *s, uint8_t *iv, size_t n)
{
    if (s->rand.bytes != NULL)
        return s->rand.bytes(s->rand.ctx, iv, n) == 0 ? CT_OK : CT_ERR_INTERNAL;
    return ct_random(iv, n);
}

int ct_enc_seal(struct ct_enc_session *s, const struct ct_enc_aad *a, const uint8_t *pt, size_t n,
                struct ct_buf *out)
{
    const struct ct_enc_alg *alg = s->alg;
    struct ct_enc_dirkeys *k = &s->dir[a->dir == CT_ENC_S2C ? 1 : 0];
    size_t block = ct_block_size(alg->cipher);
    size_t padded = alg->mode == CT_ENC_MODE_GCM ? n : (n / block + 1) * block;
    if (alg->cipher == CT_CIPHER_3DES &&
        (k->exhausted || padded / 8 > CT_ENC_3DES_MAX_BLOCKS - k->blocks))
        return CT_ERR_CRYPTO_LIMIT;
    if (alg->mode == CT_ENC_MODE_GCM && k->sealed == UINT64_MAX)
        return CT_ERR_CRYPTO_LIMIT;
    if (n > SIZE_MAX / 2)
        return CT_ERR_INVALID_ARG;

    size_t ef_len = CT_ENC_EF_HEADER_LEN + alg->iv_len + padded + alg->tag_len;
    uint8_t *ef = malloc(ef_len);
    struct ct_buf aad;
    ct_buf_init(&aad, 0);
    if (ef == NULL)
        return CT_ERR_NOMEM;
    ef[0] = CT_ENC_EF_VERSION;
    ef[1] = alg->id;
    uint8_t *iv = ef + CT_ENC_EF_HEADER_LEN;
    uint8_t *ct = iv + alg->iv_len;
    int rc = ct_enc_aad_bytes(&aad, a);
    size_t ct_len = 0;
    switch (alg->mode) {
    case CT_ENC_MODE_GCM: {
        memset(iv, 0, 4);
        put_be(iv + 4, k->sealed + 1, 8);
        /* GCM's associated data: the EF header, then A. */
        struct ct_buf gaad;
        ct_buf_init(&gaad, 0);
        if (rc == CT_OK)
            rc = ct_buf_append(&gaad, ef, CT_ENC_EF_HEADER_LEN);
        if (rc == CT_OK)
            rc = ct_buf_append(&gaad, aad.data, aad.len);
        if (rc == CT_OK)
            rc = ct_gcm_seal(k->enc, alg->enc_len, iv, alg->iv_len, gaad.data, gaad.len, pt, n,
                             ct, ct + n, alg->tag_len);
        ct_buf_cleanup(&gaad);
        ct_len = n;
        if (rc == CT_OK)
            k->sealed++;
        break;
    }
    case CT_ENC_MODE_CBC_HMAC:
    case CT_ENC_MODE_CBC:
    default:
        if (rc == CT_OK)
            rc = fresh_iv(s, iv, alg->iv_len);
        if (rc == CT_OK)
            rc = ct_cbc(true, alg->cipher, k->enc, alg->enc_len, iv, true, pt, n, ct, &ct_len);
        if (rc == CT_OK && alg->mode == CT_ENC_MODE_CBC_HMAC)
            rc = cbc_tag(ct + ct_len, k, ef, &aad, iv, alg->iv_len, ct, ct_len);
        if (rc == CT_OK && alg->cipher == CT_CIPHER_3DES)
            k->blocks += ct_len / 8;
        break;
    }
    if (rc == CT_OK) {
        size_t total = CT_ENC_EF_HEADER_LEN + alg->iv_len + ct_len + alg->tag_len;
        char *b64 = ct_b64_encode_alloc(ef, total);
        rc = b64 != NULL ? ct_buf_append_str(out, b64) : CT_ERR_NOMEM;
        free(b64);
    }
    ct_buf_cleanup(&aad);
    free(ef);
    return rc;
}

int ct_enc_seal_bad_padding(struct ct_enc_session *s, const struct ct_enc_aad *a, const uint8_t *pt,
                            size_t n, struct ct_buf *out)
{
    const struct ct_enc_alg *alg = s->alg;
    if (alg->mode != CT_ENC_MODE_CBC_HMAC && alg->mode != CT_ENC_MODE_CBC)
        return CT_ERR_UNSUPPORTED;
    struct ct_enc_dirkeys *k = &s->dir[a->dir == CT_ENC_S2C ? 1 : 0];
    size_t block = ct_block_size(alg->cipher);
    /* The plaintext, then a last block whose final byte is 0: never valid PKCS#7. */
    size_t padded = (n / block + 1) * block;
    size_t ef_len = CT_ENC_EF_HEADER_LEN + alg->iv_len + padded + alg->tag_len;
    uint8_t *ef = malloc(ef_len), *in = calloc(1, padded);
    struct ct_buf aad;
    ct_buf_init(&aad, 0);
    int rc = ef != NULL && in != NULL ? CT_OK : CT_ERR_NOMEM;
    if (rc == CT_OK) {
        memcpy(in, pt, n);
        ef[0] = CT_ENC_EF_VERSION;
        ef[1] = alg->id;
        rc = ct_enc_aad_bytes(&aad, a);
    }
    uint8_t *iv = ef != NULL ? ef + CT_ENC_EF_HEADER_LEN : NULL;
    size_t ct_len = 0;
    if (rc == CT_OK)
        rc = fresh_iv(s, iv, alg->iv_len);
    if (rc == CT_OK)
        rc = ct_cbc(true, alg->cipher, k->enc, alg->enc_len, iv, false, in, padded, iv + alg->iv_len, &ct_len);
    if (rc == CT_OK && alg->mode == CT_ENC_MODE_CBC_HMAC)
        rc = cbc_tag(iv + alg->iv_len + ct_len, k, ef, &aad, iv, alg->iv_len, iv + alg->iv_len, ct_len);
    if (rc == CT_OK) {
        char *b64 = ct_b64_encode_alloc(ef, CT_ENC_EF_HEADER_LEN + alg->iv_len + ct_len + alg->tag_len);
        rc = b64 != NULL ? ct_buf_append_str(out, b64) : CT_ERR_NOMEM;
        free(b64);
    }
    if (in != NULL)
        ct_wipe(in, padded);
    free(in);
    free(ef);
    ct_buf_cleanup(&aad);
    return rc;
}

int ct_enc_ef_split(const uint8_t *ef, size_t n, struct ct_enc_ef *out)
{
    if (n < CT_ENC_EF_HEADER_LEN)
        return CT_ERR_PARSE;
    const struct ct_enc_alg *alg = ct_enc_alg_by_id(ef[1]);
    if (alg == NULL || n < CT_ENC_EF_HEADER_LEN + alg->iv_len + alg->tag_len)
        return CT_ERR_PARSE;
    out->version = ef[0];
    out->id = ef[1];
    out->iv = ef + CT_ENC_EF_HEADER_LEN;
    out->iv_len = alg->iv_len;
    out->ct = out->iv + alg->iv_len;
    out->ct_len = n - CT_ENC_EF_HEADER_LEN - alg->iv_len - alg->tag_len;
    out->tag = out->ct + out->ct_len;
    out->tag_len = alg->tag_len;
    return CT_OK;
}

/* The checks of open, after base64: every failure is the same CT_ERR_CRYPTO. */
static int open_ef(struct ct_enc_session *s, struct ct_enc_dirkeys *k, const struct ct_buf *aad,
                   const uint8_t *ef, size_t n, uint8_t *pt, size_t *pt_len)
{
    const struct ct_enc_alg *alg = s->alg;
    struct ct_enc_ef e;
    if (ct_enc_ef_split(ef, n, &e) != CT_OK || e.version != CT_ENC_EF_VERSION || e.id != alg->id)
        return CT_ERR_CRYPTO;
    size_t block = ct_block_size(alg->cipher);
    if (alg->mode == CT_ENC_MODE_GCM) {
        static const uint8_t zero4[4];
        uint64_t counter = get_be64(e.iv + 4);
        if (!ct_memeq(e.iv, zero4, 4) || counter <= k->accepted)
            return CT_ERR_CRYPTO;
        struct ct_buf gaad;
        ct_buf_init(&gaad, 0);
        int rc = ct_buf_append(&gaad, ef, CT_ENC_EF_HEADER_LEN);
        if (rc == CT_OK)
            rc = ct_buf_append(&gaad, aad->data, aad->len);
        if (rc == CT_OK)
            rc = ct_gcm_open(k->enc, alg->enc_len, e.iv, e.iv_len, gaad.data, gaad.len, e.ct,
                             e.ct_len, e.tag, e.tag_len, pt);
        ct_buf_cleanup(&gaad);
        if (rc != CT_OK)
            return rc == CT_ERR_NOMEM ? rc : CT_ERR_CRYPTO;
        k->accepted = counter;
        *pt_len = e.ct_len;
        return CT_OK;
    }
    if (e.ct_len == 0 || e.ct_len % block != 0)
        return CT_ERR_CRYPTO;
    if (alg->mode == CT_ENC_MODE_CBC_HMAC) {
        uint8_t want[CT_SHA256_LEN];
        int rc = cbc_tag(want, k, ef, aad, e.iv, e.iv_len, e.ct, e.ct_len);
        bool ok = rc == CT_OK && ct_memeq(want, e.tag, CT_SHA256_LEN);
        ct_wipe(want, sizeof(want));
        if (!ok)
            return rc == CT_ERR_NOMEM ? rc : CT_ERR_CRYPTO;
    }
    int rc = ct_cbc(false, alg->cipher, k->enc, alg->enc_len, e.iv, true, e.ct, e.ct_len, pt,
                    pt_len);
    if (rc != CT_OK)
        return CT_ERR_CRYPTO;
    if (alg->cipher == CT_CIPHER_3DES)
        k->blocks += e.ct_len / 8;
    return CT_OK;
}

int ct_enc_open(struct ct_enc_session *s, const struct ct_enc_aad *a, const char *b64,
                struct ct_buf *out)
{
    struct ct_enc_dirkeys *k = &s->dir[a->dir == CT_ENC_S2C ? 1 : 0];
    if (k->exhausted)
        return CT_ERR_CRYPTO_LIMIT;
    uint8_t *ef = NULL;
    size_t n = 0;
    int rc = ct_b64_decode(&ef, &n, b64 != NULL ? b64 : "");
    if (rc == CT_ERR_NOMEM)
        return rc;
    if (rc != CT_OK)
        return CT_ERR_CRYPTO;
    /* The 3DES budget is public (it counts ciphertext), so it is checked before anything else. */
    if (s->alg->cipher == CT_CIPHER_3DES && n > CT_ENC_EF_HEADER_LEN + s->alg->iv_len + s->alg->tag_len) {
        size_t ct_len = n - CT_ENC_EF_HEADER_LEN - s->alg->iv_len - s->alg->tag_len;
        if (ct_len / 8 > CT_ENC_3DES_MAX_BLOCKS - k->blocks) {
            k->exhausted = true;
            free(ef);
            return CT_ERR_CRYPTO_LIMIT;
        }
    }
    struct ct_buf aad;
    ct_buf_init(&aad, 0);
    uint8_t *pt = malloc(n + 16);
    size_t pt_len = 0;
    rc = pt == NULL ? CT_ERR_NOMEM : ct_enc_aad_bytes(&aad, a);
    if (rc == CT_OK)
        rc = open_ef(s, k, &aad, ef, n, pt, &pt_len);
    if (rc == CT_OK)
        rc = ct_buf_append(out, pt, pt_len);
    ct_wipe(pt, pt != NULL ? n + 16 : 0);
    free(pt);
    free(ef);
    ct_buf_cleanup(&aad);
    return rc;
}
