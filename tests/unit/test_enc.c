/*
 * The profile engine: key schedule, encrypted fields in every algorithm and every tamper class,
 * key transport, negotiation texts, certificates.
 */
#include "testlib.h"

#include "base/ct_b64.h"
#include "crypto/ct_enc.h"
#include "crypto/ct_enc_cert.h"
#include "crypto/ct_enc_kt.h"
#include "crypto/ct_enc_nego.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const uint8_t test_key[CT_ENC_KEY_LEN] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};
static const struct ct_enc_binding binding = {
    .offer = "syncml-enc/1;alg=aes128-gcm;kt=rsa-oaep-sha256;parts=cred,devinf,data;kid=00;key=AA==",
    .session_id = "42",
    .device_id = "IMEI:4711",
};

static void session(struct ct_enc_session *s, const struct ct_enc_alg *alg)
{
    ck_assert_int_eq(ct_enc_session_init(s, alg, CT_ENC_PART_CRED | CT_ENC_PART_DEVINF | CT_ENC_PART_DATA,
                                         test_key, &binding, NULL),
                     CT_OK);
}

static struct ct_enc_aad field(enum ct_enc_dir dir)
{
    return (struct ct_enc_aad){.dir = dir, .part = CT_ENC_PART_DATA, .session_id = "42",
                               .msg_id = "3", .cmd_id = "7", .db = "contacts", .loc_uri = "1001"};
}

static char *seal(struct ct_enc_session *s, const struct ct_enc_aad *a, const char *pt)
{
    struct ct_buf out;
    ct_buf_init(&out, 0);
    ck_assert_int_eq(ct_enc_seal(s, a, (const uint8_t *)pt, strlen(pt), &out), CT_OK);
    return (char *)ct_buf_steal(&out, NULL);
}

/* Open and return the error code; on success compare with want. */
static int open_field(struct ct_enc_session *s, const struct ct_enc_aad *a, const char *b64,
                      const char *want)
{
    struct ct_buf out;
    ct_buf_init(&out, 0);
    int rc = ct_enc_open(s, a, b64, &out);
    if (rc == CT_OK && want != NULL) {
        ck_assert_uint_eq(out.len, strlen(want));
        ck_assert(memcmp(out.data, want, out.len) == 0);
    }
    if (rc != CT_OK)
        ck_assert_uint_eq(out.len, 0); /* a failed field leaves nothing behind */
    ct_buf_cleanup(&out);
    return rc;
}

static size_t n_algs(void)
{
    size_t n;
    ct_enc_alg_table(&n);
    return n;
}

static const struct ct_enc_alg *alg_at(int i)
{
    size_t n;
    return &ct_enc_alg_table(&n)[i];
}

START_TEST(round_trip_every_size)
{
    const struct ct_enc_alg *alg = alg_at(_i);
    static const size_t sizes[] = {0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 1000, 70000};
    struct ct_enc_session tx, rx;
    session(&tx, alg);
    session(&rx, alg);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char *pt = malloc(sizes[i] + 1);
        for (size_t j = 0; j < sizes[i]; j++)
            pt[j] = (char)('a' + (j * 7 + i) % 26);
        pt[sizes[i]] = '\0';
        struct ct_enc_aad a = field(CT_ENC_C2S);
        char *b64 = seal(&tx, &a, pt);
        /* EF length: header, IV, ciphertext (padded for CBC), tag. */
        uint8_t *ef = NULL;
        size_t ef_len = 0;
        ck_assert_int_eq(ct_b64_decode(&ef, &ef_len, b64), CT_OK);
        size_t block = ct_block_size(alg->cipher);
        size_t ct_len = alg->mode == CT_ENC_MODE_GCM ? sizes[i] : (sizes[i] / block + 1) * block;
        ck_assert_uint_eq(ef_len, 2 + alg->iv_len + ct_len + alg->tag_len);
        ck_assert_uint_eq(ef[0], 0x01);
        ck_assert_uint_eq(ef[1], alg->id);
        if (alg->mode == CT_ENC_MODE_GCM) /* nonce = 0^4 || counter */
            ck_assert_uint_eq(ef[2 + 11], (uint8_t)(i + 1));
        ck_assert_int_eq(open_field(&rx, &a, b64, pt), CT_OK);
        free(ef);
        free(b64);
        free(pt);
    }
    ct_enc_session_wipe(&tx);
    ct_enc_session_wipe(&rx);
}
END_TEST

START_TEST(keys_depend_on_everything_bound)
{
    const struct ct_enc_alg *alg = ct_enc_alg_by_name("aes256-gcm", 10);
    struct ct_enc_session base;
    session(&base, alg);
    ck_assert(memcmp(base.dir[0].enc, base.dir[1].enc, 32) != 0); /* per direction */
    struct ct_enc_binding variants[3] = {binding, binding, binding};
    variants[0].offer = "syncml-enc/1;alg=aes256-gcm";
    variants[1].session_id = "43";
    variants[2].device_id = "IMEI:4712";
    for (int i = 0; i < 3; i++) {
        struct ct_enc_session other;
        ck_assert_int_eq(ct_enc_session_init(&other, alg, 7, test_key, &variants[i], NULL), CT_OK);
        ck_assert(memcmp(base.dir[0].enc, other.dir[0].enc, 32) != 0);
        ck_assert(memcmp(base.confirm_key, other.confirm_key, 32) != 0);
    }
    /* Same inputs, same keys: known-key mode is reproducible. */
    struct ct_enc_session again;
    session(&again, alg);
    ck_assert(memcmp(base.dir[1].enc, again.dir[1].enc, 32) == 0);
    ck_assert(memcmp(base.confirm_key, again.confirm_key, 32) == 0);
}
END_TEST

/* Decode, damage one byte at `at` (negative: from the end), re-encode. */
static char *damage(const char *b64, long at, uint8_t xor_with)
{
    uint8_t *ef = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_b64_decode(&ef, &n, b64), CT_OK);
    size_t pos = at >= 0 ? (size_t)at : n - (size_t)(-at);
    ck_assert_uint_lt(pos, n);
    ef[pos] ^= xor_with;
    char *out = ct_b64_encode_alloc(ef, n);
    free(ef);
    return out;
}

static char *resize(const char *b64, long delta)
{
    uint8_t *ef = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_b64_decode(&ef, &n, b64), CT_OK);
    size_t m = (size_t)((long)n + delta);
    uint8_t *e2 = calloc(1, m + 1);
    memcpy(e2, ef, m < n ? m : n);
    char *out = ct_b64_encode_alloc(e2, m);
    free(ef);
    free(e2);
    return out;
}

START_TEST(every_tamper_class_fails_alike)
{
    const struct ct_enc_alg *alg = alg_at(_i);
    if (alg->mode == CT_ENC_MODE_CBC)
        return; /* no integrity: see insecure_cbc_detects_nothing */
    struct ct_enc_session tx, rx;
    session(&tx, alg);
    session(&rx, alg);
    struct ct_enc_aad a = field(CT_ENC_C2S);
    const char *pt = "BEGIN:VCARD\r\nFN:Alice\r\nEND:VCARD\r\n";
    char *good = seal(&tx, &a, pt);
    size_t iv_at = 2, ct_at = 2 + alg->iv_len;

    char *bad[16];
    size_t nb = 0;
    bad[nb++] = damage(good, 0, 0x02);         /* EF version */
    bad[nb++] = damage(good, 1, 0x01);         /* algorithm id */
    bad[nb++] = damage(good, (long)iv_at + 5, 0x80); /* IV / nonce */
    bad[nb++] = damage(good, (long)ct_at, 0x01);     /* ciphertext */
    bad[nb++] = damage(good, -1, 0x01);        /* tag */
    bad[nb++] = resize(good, -1);              /* truncated */
    bad[nb++] = resize(good, +1);              /* extended */
    bad[nb++] = resize(good, -(long)(alg->tag_len + 8)); /* short */
    bad[nb++] = strdup("not*base64");
    bad[nb++] = strdup("");
    bad[nb++] = strdup("AQE=");                /* header only */
    for (size_t i = 0; i < nb; i++)
        ck_assert_msg(open_field(&rx, &a, bad[i], NULL) == CT_ERR_CRYPTO, "%s: tamper %zu accepted",
                      alg->name, i);

    /* Associated data: every component is bound. */
    struct ct_enc_aad moved[8];
    for (int i = 0; i < 8; i++)
        moved[i] = a;
    moved[0].dir = CT_ENC_S2C; /* reflection: the other direction's keys, and A */
    moved[1].part = CT_ENC_PART_DEVINF;
    moved[2].session_id = "43";
    moved[3].msg_id = "4";
    moved[4].cmd_id = "8";
    moved[5].db = "calendar";
    moved[6].loc_uri = "1002";
    moved[7].loc_uri = NULL;
    for (int i = 0; i < 8; i++)
        ck_assert_msg(open_field(&rx, &moved[i], good, NULL) == CT_ERR_CRYPTO, "%s: moved field %d accepted",
                      alg->name, i);

    /* Another session's keys. */
    struct ct_enc_session stranger;
    struct ct_enc_binding other = binding;
    other.session_id = "99";
    ck_assert_int_eq(ct_enc_session_init(&stranger, alg, 7, test_key, &other, NULL), CT_OK);
    ck_assert_int_eq(open_field(&stranger, &a, good, NULL), CT_ERR_CRYPTO);

    /* After all that, the genuine field still opens; for GCM once only (nonce order). */
    ck_assert_int_eq(open_field(&rx, &a, good, pt), CT_OK);
    if (alg->mode == CT_ENC_MODE_GCM)
        ck_assert_int_eq(open_field(&rx, &a, good, NULL), CT_ERR_CRYPTO);
    for (size_t i = 0; i < nb; i++)
        free(bad[i]);
    free(good);
}
END_TEST

START_TEST(gcm_nonce_rules)
{
    const struct ct_enc_alg *alg = ct_enc_alg_by_name("aes128-gcm", 10);
    struct ct_enc_session tx, rx;
    session(&tx, alg);
    session(&rx, alg);
    struct ct_enc_aad a = field(CT_ENC_C2S);
    char *f1 = seal(&tx, &a, "one"), *f2 = seal(&tx, &a, "two"), *f3 = seal(&tx, &a, "three");
    /* Out of order: 2 then 1 -- the older one is refused, a later one still accepted. */
    ck_assert_int_eq(open_field(&rx, &a, f2, "two"), CT_OK);
    ck_assert_int_eq(open_field(&rx, &a, f1, NULL), CT_ERR_CRYPTO);
    ck_assert_int_eq(open_field(&rx, &a, f3, "three"), CT_OK);
    /* A valid tag under a nonce that breaks the construction (prefix not zero) is refused; the
     * same bytes with the prefix zero are accepted, so it is the prefix that is checked. */
    for (int prefix = 1; prefix >= 0; prefix--) {
        uint8_t ef[2 + 12 + 3 + 16] = {0x01, 0x01};
        uint8_t *nonce = ef + 2;
        nonce[0] = (uint8_t)prefix;
        nonce[11] = 9;
        struct ct_buf aad;
        ct_buf_init(&aad, 0);
        ck_assert_int_eq(ct_buf_append(&aad, ef, 2), CT_OK);
        ck_assert_int_eq(ct_enc_aad_bytes(&aad, &a), CT_OK);
        ck_assert_int_eq(ct_gcm_seal(tx.dir[0].enc, 16, nonce, 12, aad.data, aad.len,
                                     (const uint8_t *)"abc", 3, ef + 14, ef + 17, 16), CT_OK);
        char *b64 = ct_b64_encode_alloc(ef, sizeof(ef));
        ck_assert_int_eq(open_field(&rx, &a, b64, "abc"), prefix ? CT_ERR_CRYPTO : CT_OK);
        free(b64);
        ct_buf_cleanup(&aad);
    }
    free(f1);
    free(f2);
    free(f3);
}
END_TEST

START_TEST(insecure_cbc_detects_nothing)
{
    /* The proposal's literal CBC modes: kept for legacy peers, and shown to be malleable. */
    const struct ct_enc_alg *alg = ct_enc_alg_by_name("aes128-cbc", 10);
    ck_assert_int_eq(alg->grade, CT_ENC_INSECURE);
    struct ct_enc_session tx, rx;
    session(&tx, alg);
    session(&rx, alg);
    struct ct_enc_aad a = field(CT_ENC_C2S), moved = a;
    moved.loc_uri = "9999";
    char *f = seal(&tx, &a, "0123456789abcdef0123456789abcdef");
    ck_assert_int_eq(open_field(&rx, &moved, f, NULL), CT_OK); /* cut and paste goes through */
    char *flipped = damage(f, 2, 0x01);                       /* IV bit flip */
    ck_assert_int_eq(open_field(&rx, &a, flipped, "1123456789abcdef0123456789abcdef"), CT_OK);
    free(flipped);
    free(f);
}
END_TEST

START_TEST(triple_des_budget)
{
    const struct ct_enc_alg *alg = ct_enc_alg_by_name("3des-cbc-hs256", 14);
    struct ct_enc_session tx, rx;
    session(&tx, alg);
    session(&rx, alg);
    struct ct_enc_aad a = field(CT_ENC_C2S);
    /* 2^20 blocks minus 2 used: a 7-byte field (one block) fits, a 15-byte one (two) not. */
    tx.dir[0].blocks = CT_ENC_3DES_MAX_BLOCKS - 2;
    char *f = seal(&tx, &a, "1234567");
    struct ct_buf out;
    ct_buf_init(&out, 0);
    ck_assert_int_eq(ct_enc_seal(&tx, &a, (const uint8_t *)"123456789012345", 15, &out), CT_ERR_CRYPTO_LIMIT);
    ct_buf_cleanup(&out);
    /* The receiver counts too, and closes the direction once over. */
    rx.dir[0].blocks = CT_ENC_3DES_MAX_BLOCKS - 1;
    ck_assert_int_eq(open_field(&rx, &a, f, "1234567"), CT_OK);
    char *g = seal(&tx, &a, "");
    ck_assert_int_eq(open_field(&rx, &a, g, NULL), CT_ERR_CRYPTO_LIMIT);
    ck_assert(rx.dir[0].exhausted);
    ck_assert_int_eq(open_field(&rx, &a, f, NULL), CT_ERR_CRYPTO_LIMIT);
    free(f);
    free(g);
}
END_TEST

START_TEST(triple_des_degenerate_keys)
{
    uint8_t k[24];
    for (int i = 0; i < 24; i++)
        k[i] = (uint8_t)(i * 37 + 1);
    ck_assert(!ct_enc_3des_degenerate(k));
    memcpy(k + 8, k, 8);
    ck_assert(ct_enc_3des_degenerate(k));
    for (int i = 0; i < 24; i++)
        k[i] = (uint8_t)(i * 37 + 1);
    memcpy(k + 16, k + 8, 8);
    k[16] ^= 0x01; /* parity bit only */
    ck_assert(ct_enc_3des_degenerate(k));
}
END_TEST

/* ---- key transport ---- */

static EVP_PKEY *load_key(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "pki/%s", name);
    struct ct_diag d = {0};
    EVP_PKEY *k = ct_enc_key_load(tl_vector_path(path), &d);
    ck_assert_msg(k != NULL, "%s", d.text);
    return k;
}

START_TEST(wrap_unwrap)
{
    EVP_PKEY *key = load_key("server-2048.key");
    static const enum ct_enc_kt kts[] = {CT_ENC_KT_OAEP_SHA256, CT_ENC_KT_OAEP_SHA1, CT_ENC_KT_PKCS1};
    for (size_t i = 0; i < 3; i++) {
        struct ct_enc_replay cache;
        ct_enc_replay_init(&cache, 0);
        struct ct_buf w;
        ct_buf_init(&w, 0);
        ck_assert_int_eq(ct_enc_wrap(&w, key, kts[i], test_key, 1000000), CT_OK);
        ck_assert_uint_eq(w.len, 256);
        uint8_t got[32];
        ck_assert_int_eq(ct_enc_unwrap(got, key, kts[i], w.data, w.len, 1000100, &cache), CT_OK);
        ck_assert_mem_eq(got, test_key, 32);
        /* The same blob again is a replay: refused, and a random key comes back. */
        ck_assert_int_eq(ct_enc_unwrap(got, key, kts[i], w.data, w.len, 1000200, &cache), CT_ERR_CRYPTO);
        ck_assert(memcmp(got, test_key, 32) != 0);
        /* The wrong scheme, a damaged ciphertext, a stale or future time: all the same. */
        enum ct_enc_kt other = kts[(i + 1) % 3];
        ct_enc_replay_cleanup(&cache);
        ct_enc_replay_init(&cache, 0);
        ck_assert_int_eq(ct_enc_unwrap(got, key, other, w.data, w.len, 1000100, &cache), CT_ERR_CRYPTO);
        w.data[100] ^= 1;
        ck_assert_int_eq(ct_enc_unwrap(got, key, kts[i], w.data, w.len, 1000100, &cache), CT_ERR_CRYPTO);
        w.data[100] ^= 1;
        ck_assert_int_eq(ct_enc_unwrap(got, key, kts[i], w.data, w.len - 1, 1000100, &cache), CT_ERR_CRYPTO);
        ck_assert_int_eq(ct_enc_unwrap(got, key, kts[i], w.data, w.len, 1000000 + 301, &cache), CT_ERR_CRYPTO);
        ck_assert_int_eq(ct_enc_unwrap(got, key, kts[i], w.data, w.len, 1000000 - 301, &cache), CT_ERR_CRYPTO);
        ck_assert_int_eq(ct_enc_unwrap(got, key, kts[i], w.data, w.len, 1000000 + 300, &cache), CT_OK);
        ct_buf_cleanup(&w);
        ct_enc_replay_cleanup(&cache);
    }
    /* Well-formed RSA, wrong blob: 40 bytes, or version 2. */
    struct ct_rsa_scheme s;
    ct_enc_kt_scheme(CT_ENC_KT_OAEP_SHA256, &s);
    uint8_t blob[CT_ENC_BLOB_LEN], ct[256], got[32];
    size_t ct_len;
    ct_enc_blob_make(blob, test_key, 5000);
    ck_assert_int_eq(ct_rsa_encrypt(key, &s, NULL, 0, blob, 40, ct, &ct_len), CT_OK);
    ck_assert_int_eq(ct_enc_unwrap(got, key, CT_ENC_KT_OAEP_SHA256, ct, ct_len, 5000, NULL), CT_ERR_CRYPTO);
    blob[0] = 2;
    ck_assert_int_eq(ct_rsa_encrypt(key, &s, NULL, 0, blob, sizeof(blob), ct, &ct_len), CT_OK);
    ck_assert_int_eq(ct_enc_unwrap(got, key, CT_ENC_KT_OAEP_SHA256, ct, ct_len, 5000, NULL), CT_ERR_CRYPTO);
    EVP_PKEY_free(key);
}
END_TEST

/* ---- negotiation ---- */

static void make_offer(struct ct_enc_offer *o)
{
    memset(o, 0, sizeof(*o));
    o->algs[0] = 0x02;
    o->algs[1] = 0x01;
    o->n_algs = 2;
    o->kt = CT_ENC_KT_OAEP_SHA256;
    o->parts = CT_ENC_PART_CRED | CT_ENC_PART_DATA;
    for (int i = 0; i < 32; i++)
        o->kid[i] = (uint8_t)i;
    memset(o->wrapped, 0x5A, 256);
    o->wrapped_len = 256;
}

START_TEST(offer_round_trip)
{
    struct ct_enc_offer o, p;
    make_offer(&o);
    struct ct_buf t;
    ct_buf_init(&t, 0);
    ck_assert_int_eq(ct_enc_offer_format(&t, &o), CT_OK);
    ck_assert(strncmp((char *)t.data,
                      "syncml-enc/1;alg=aes256-gcm,aes128-gcm;kt=rsa-oaep-sha256;parts=cred,data;kid="
                      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f;key=WlpaWlpa",
                      150) == 0);
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_enc_offer_parse(&p, (char *)t.data, &d), CT_OK);
    ck_assert_uint_eq(p.n_algs, 2);
    ck_assert_uint_eq(p.algs[0], 0x02);
    ck_assert_int_eq(p.kt, CT_ENC_KT_OAEP_SHA256);
    ck_assert_uint_eq(p.parts, CT_ENC_PART_CRED | CT_ENC_PART_DATA);
    ck_assert_str_eq(p.parts_text, "cred,data");
    ck_assert_mem_eq(p.kid, o.kid, 32);
    ck_assert_uint_eq(p.wrapped_len, 256);
    ck_assert_mem_eq(p.wrapped, o.wrapped, 256);
    ct_buf_cleanup(&t);
    /* Any order, unknown parameters and algorithms are tolerated. */
    ck_assert_int_eq(ct_enc_offer_parse(&p, "syncml-enc/1;x-future=1;key=AQ==;kid=0000000000000000000000000000000000000000000000000000000000000000;parts=devinf;kt=rsa-pkcs1;alg=chacha,aes128-gcm", &d), CT_OK);
    ck_assert_uint_eq(p.algs[0], 0);
    ck_assert_uint_eq(p.algs[1], 0x01);
    ck_assert_int_eq(p.kt, CT_ENC_KT_PKCS1);
}
END_TEST

START_TEST(offer_parse_errors)
{
    static const char kid[] = "kid=0000000000000000000000000000000000000000000000000000000000000000";
    static const struct {
        const char *text;
        const char *says;
    } bad[] = {
        {"syncml-enc/2;alg=aes128-gcm", "version"},
        {"syncml-enc/1;alg=aes128-gcm;kt=rsa-oaep-sha256;parts=cred", "'kid' is missing"},
        {"syncml-enc/1;alg=aes128-gcm;alg=aes256-gcm", "repeated"},
        {"syncml-enc/1;alg=;kt=x;parts=cred;KID;key=AQ==", "'alg' is empty"},
        {"syncml-enc/1;alg=aes128-gcm,;kt=x;parts=cred;KID;key=AQ==", "comma"},
        {"syncml-enc/1;alg=aes128-gcm;kt=x;parts=cred,photos;KID;key=AQ==", "unknown part"},
        {"syncml-enc/1;alg=aes128-gcm;kt=x;parts=cred,cred;KID;key=AQ==", "repeated"},
        {"syncml-enc/1;alg=aes128-gcm;kt=x;parts=cred;kid=00;key=AQ==", "hex"},
        {"syncml-enc/1;alg=aes128-gcm;kt=x;parts=cred;KID;key=***", "base64"},
        {"syncml-enc/1;alg", "name=value"},
        {"syncml-enc/1 ;alg=aes128-gcm", "version"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        /* KID in a row stands for a well-formed kid parameter. */
        char text[512];
        const char *at = strstr(bad[i].text, "KID");
        if (at == NULL)
            snprintf(text, sizeof(text), "%s", bad[i].text);
        else
            snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - bad[i].text), bad[i].text, kid, at + 3);
        struct ct_enc_offer o;
        struct ct_diag d = {0};
        ck_assert_msg(ct_enc_offer_parse(&o, text, &d) == CT_ERR_PROTO, "accepted %s", text);
        ck_assert_msg(strstr(d.text, bad[i].says) != NULL, "'%s' does not say '%s'", d.text, bad[i].says);
    }
}
END_TEST

START_TEST(offer_check_policy)
{
    struct ct_enc_offer o;
    make_offer(&o);
    struct ct_enc_policy p;
    ct_enc_policy_default(&p);
    uint8_t kids[1][32];
    memcpy(kids[0], o.kid, 32);
    const struct ct_enc_alg *alg = NULL;
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_enc_offer_check(&o, &p, kids, 1, &alg, &d), CT_OK);
    ck_assert_str_eq(alg->name, "aes256-gcm");
    /* First algorithm refused: no fallback to the second (ENC-NEG-4). */
    o.algs[0] = 0x21;
    ck_assert_int_eq(ct_enc_offer_check(&o, &p, kids, 1, &alg, &d), CT_ERR_UNSUPPORTED);
    o.algs[0] = 0; /* unknown name */
    ck_assert_int_eq(ct_enc_offer_check(&o, &p, kids, 1, &alg, &d), CT_ERR_UNSUPPORTED);
    make_offer(&o);
    o.kt = CT_ENC_KT_PKCS1;
    ck_assert_int_eq(ct_enc_offer_check(&o, &p, kids, 1, &alg, &d), CT_ERR_UNSUPPORTED);
    make_offer(&o);
    o.kid[0] ^= 1;
    ct_diag_clear(&d);
    ck_assert_int_eq(ct_enc_offer_check(&o, &p, kids, 1, &alg, &d), CT_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(d.text, "kid"));
}
END_TEST

START_TEST(selection_confirms_the_offer)
{
    struct ct_enc_offer o;
    make_offer(&o);
    strcpy(o.parts_text, "cred,data");
    struct ct_buf offer;
    ct_buf_init(&offer, 0);
    ck_assert_int_eq(ct_enc_offer_format(&offer, &o), CT_OK);
    const char *offer_text = (char *)offer.data;
    struct ct_enc_binding b = {offer_text, "5", "dev"};
    struct ct_enc_session srv, cli;
    const struct ct_enc_alg *alg = ct_enc_alg_by_id(0x02);
    ck_assert_int_eq(ct_enc_session_init(&srv, alg, o.parts, test_key, &b, NULL), CT_OK);
    ck_assert_int_eq(ct_enc_session_init(&cli, alg, o.parts, test_key, &b, NULL), CT_OK);
    struct ct_buf sel;
    ct_buf_init(&sel, 0);
    ck_assert_int_eq(ct_enc_selection_format(&sel, &srv, offer_text, o.parts_text), CT_OK);
    ck_assert(strncmp((char *)sel.data, "syncml-enc/1;sel=aes256-gcm;parts=cred,data;confirm=", 52) == 0);
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_enc_selection_check(&cli, offer_text, &o, (char *)sel.data, &d), CT_OK);

    /* A server that saw a stripped offer confirms that one: the client notices. */
    char *stripped = strdup(offer_text);
    memmove(strstr(stripped, "aes256-gcm,"), strstr(stripped, "aes128-gcm"), strlen(strstr(stripped, "aes128-gcm")) + 1);
    struct ct_buf sel2;
    ct_buf_init(&sel2, 0);
    ck_assert_int_eq(ct_enc_selection_format(&sel2, &srv, stripped, o.parts_text), CT_OK);
    ck_assert_int_eq(ct_enc_selection_check(&cli, offer_text, &o, (char *)sel2.data, &d), CT_ERR_PROTO);
    ck_assert_ptr_nonnull(strstr(d.text, "confirm"));
    /* Other algorithm, other parts, no confirm, no selection at all. */
    static const char *const wrong[] = {
        "syncml-enc/1;sel=aes128-gcm;parts=cred,data;confirm=AAAA",
        "syncml-enc/1;sel=aes256-gcm;parts=cred;confirm=AAAA",
        "syncml-enc/1;sel=aes256-gcm;parts=cred,data",
    };
    for (size_t i = 0; i < 3; i++) {
        ct_diag_clear(&d);
        ck_assert_int_eq(ct_enc_selection_check(&cli, offer_text, &o, wrong[i], &d), CT_ERR_PROTO);
    }
    ck_assert_int_eq(ct_enc_selection_check(&cli, offer_text, &o, NULL, &d), CT_ERR_PROTO);
    free(stripped);
    ct_buf_cleanup(&sel);
    ct_buf_cleanup(&sel2);
    ct_buf_cleanup(&offer);
}
END_TEST

START_TEST(capabilities)
{
    struct ct_enc_caps c = {.algs = {0x02, 0x01}, .n_algs = 2,
                            .kts = 1u << CT_ENC_KT_OAEP_SHA256 | 1u << CT_ENC_KT_PKCS1, .required = true};
    c.kid[31] = 0xff;
    struct ct_buf t;
    ct_buf_init(&t, 0);
    ck_assert_int_eq(ct_enc_caps_format(&t, &c), CT_OK);
    ck_assert_str_eq((char *)t.data, "syncml-enc/1;supported=aes256-gcm,aes128-gcm;kt=rsa-oaep-sha256,rsa-pkcs1;kid="
                                     "00000000000000000000000000000000000000000000000000000000000000ff;required");
    struct ct_enc_caps p;
    ck_assert_int_eq(ct_enc_caps_parse(&p, (char *)t.data, NULL), CT_OK);
    ck_assert_uint_eq(p.n_algs, 2);
    ck_assert_uint_eq(p.kts, c.kts);
    ck_assert(p.required);
    ck_assert_uint_eq(p.kid[31], 0xff);
    ct_buf_cleanup(&t);
}
END_TEST

/* ---- certificates ---- */

static STACK_OF(X509) *load_chain(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "pki/%s", name);
    STACK_OF(X509) *chain = NULL;
    struct ct_diag d = {0};
    ck_assert_msg(ct_enc_chain_load(&chain, tl_vector_path(path), &d) == CT_OK, "%s", d.text);
    return chain;
}

static void copy_file(const char *from, const char *to)
{
    size_t n = 0;
    uint8_t *data = tl_read_file(from, &n);
    FILE *f = fopen(to, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    fclose(f);
    free(data);
}

/* A chain file read again is not decoded again, but a changed file is; every caller owns its
 * stack (freeing one leaves the next load whole). */
START_TEST(chain_load_again)
{
    char path[] = "/tmp/conftest-chain-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    copy_file(tl_vector_path("pki/server-2048.pem"), path);
    STACK_OF(X509) *a = NULL, *b = NULL, *c = NULL;
    ck_assert_int_eq(ct_enc_chain_load(&a, path, NULL), CT_OK);
    ck_assert_int_eq(ct_enc_chain_load(&b, path, NULL), CT_OK);
    ck_assert_ptr_ne(a, b);
    ck_assert_ptr_eq(sk_X509_value(a, 0), sk_X509_value(b, 0)); /* the same decoded certificate */
    ct_enc_chain_free(a);
    ck_assert_int_eq(X509_cmp(sk_X509_value(b, 0), sk_X509_value(b, 0)), 0);
    /* Another certificate in the same file (another size): read and decoded anew. */
    copy_file(tl_vector_path("pki/server-3072.pem"), path);
    ck_assert_int_eq(ct_enc_chain_load(&c, path, NULL), CT_OK);
    ck_assert_int_ne(X509_cmp(sk_X509_value(b, 0), sk_X509_value(c, 0)), 0);
    ck_assert_int_eq(EVP_PKEY_get_bits(X509_get0_pubkey(sk_X509_value(c, 0))), 3072);
    ct_enc_chain_free(b);
    ct_enc_chain_free(c);
    unlink(path);
}
END_TEST

START_TEST(certificate_checks)
{
    STACK_OF(X509) *ca = load_chain("ca.pem");
    X509 *ca_cert = sk_X509_value(ca, 0);
    static const struct {
        const char *file;
        const char *host;
        const char *fails; /* NULL: must pass */
    } cases[] = {
        {"server-2048.pem", "localhost", NULL},
        {"server-2048.pem", "127.0.0.1", NULL},
        {"server-3072.pem", "localhost", NULL},
        {"server-2048.pem", "sync.example.org", "does not verify"},
        {"server-wrongname.pem", "localhost", "hostname mismatch"},
        {"server-expired.pem", "localhost", "expired"},
        {"server-wrongca.pem", "localhost", "issuer"},
        {"server-1024.pem", "localhost", "1024 bits"},
        {"server-wrongku.pem", "localhost", "keyEncipherment"},
        {"server-sha1.pem", "localhost", "SHA-1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        STACK_OF(X509) *chain = load_chain(cases[i].file);
        struct ct_diag d = {0};
        int rc = ct_enc_cert_verify(chain, ca_cert, cases[i].host, 0, &d);
        if (cases[i].fails == NULL) {
            ck_assert_msg(rc == CT_OK, "%s: %s", cases[i].file, d.text);
        } else {
            ck_assert_msg(rc == CT_ERR_CRYPTO, "%s for %s passed", cases[i].file, cases[i].host);
            ck_assert_msg(strstr(d.text, cases[i].fails) != NULL, "%s: '%s' lacks '%s'",
                          cases[i].file, d.text, cases[i].fails);
        }
        ct_enc_chain_free(chain);
    }
    /* Time is a parameter: in 2100 the good certificate has not expired yet, in 1990 it is not
     * valid yet (the CA was made in 2026, valid for 100 years). */
    STACK_OF(X509) *good2048 = load_chain("server-2048.pem");
    ck_assert_int_eq(ct_enc_cert_verify(good2048, ca_cert, "localhost", 4102444800 /* 2100 */, NULL), CT_OK);
    struct ct_diag early = {0};
    ck_assert_int_eq(ct_enc_cert_verify(good2048, ca_cert, "localhost", 631152000 /* 1990 */, &early), CT_ERR_CRYPTO);
    ck_assert_ptr_nonnull(strstr(early.text, "not yet valid"));
    ct_enc_chain_free(good2048);
    /* Pre-configured mode: only the key checks apply. */
    STACK_OF(X509) *small = load_chain("server-1024.pem");
    ck_assert_int_eq(ct_enc_cert_check_key(sk_X509_value(small, 0), NULL), CT_ERR_CRYPTO);
    ct_enc_chain_free(small);
    /* The kid is the SHA-256 of the DER, as make-pki.sh's KIDS file lists it. */
    STACK_OF(X509) *good = load_chain("server-2048.pem");
    uint8_t kid[32];
    ck_assert_int_eq(ct_enc_cert_kid(sk_X509_value(good, 0), kid), CT_OK);
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", kid[i]);
    size_t kids_len;
    char *kids = (char *)tl_read_file(tl_vector_path("pki/KIDS"), &kids_len);
    ck_assert_ptr_nonnull(strstr(kids, hex));
    free(kids);
    ct_enc_chain_free(good);
    /* Broken PEM is an error, not a crash. */
    STACK_OF(X509) *none = NULL;
    static const char junk[] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    ck_assert_int_eq(ct_enc_chain_from_pem(&none, (const uint8_t *)junk, strlen(junk), NULL), CT_ERR_PARSE);
    ck_assert_int_eq(ct_enc_chain_from_pem(&none, (const uint8_t *)"hello", 5, NULL), CT_ERR_PARSE);
    ct_enc_chain_free(ca);
}
END_TEST

Suite *suite_enc(void)
{
    Suite *s = suite_create("enc");
    TCase *tc = tcase_create("enc");
    int n = (int)n_algs();
    tcase_add_loop_test(tc, round_trip_every_size, 0, n);
    tcase_add_test(tc, keys_depend_on_everything_bound);
    tcase_add_loop_test(tc, every_tamper_class_fails_alike, 0, n);
    tcase_add_test(tc, gcm_nonce_rules);
    tcase_add_test(tc, insecure_cbc_detects_nothing);
    tcase_add_test(tc, triple_des_budget);
    tcase_add_test(tc, triple_des_degenerate_keys);
    tcase_add_test(tc, wrap_unwrap);
    tcase_add_test(tc, offer_round_trip);
    tcase_add_test(tc, offer_parse_errors);
    tcase_add_test(tc, offer_check_policy);
    tcase_add_test(tc, selection_confirms_the_offer);
    tcase_add_test(tc, capabilities);
    tcase_add_test(tc, certificate_checks);
    tcase_add_test(tc, chain_load_again);
    suite_add_tcase(s, tc);
    return s;
}
