/*
 * The profile's own known answers (vectors/profile/profile_kat.json, schema
 * conftest_profile_kat_v1) against ct_enc: made by an independent implementation of
 * docs/PROFILE.md (vectors/profile/gen-profile-kat.mjs).
 */
#include "crypto/ct_enc.h"
#include "crypto/ct_enc_cert.h"
#include "crypto/ct_enc_kt.h"
#include "crypto/ct_enc_nego.h"
#include "vectors/ct_vec_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SESSIONS 32

struct named_session {
    const char *id;
    struct ct_enc_session s;
};

static bool hex_is(const char *hex, const uint8_t *p, size_t n)
{
    uint8_t *b = NULL;
    size_t len = 0;
    bool ok = hex != NULL && ct_vec_hex(hex, &b, &len) == CT_OK && len == n && memcmp(b, p, n) == 0;
    free(b);
    return ok;
}

static void check_session(struct ct_vec_file *f, const json_t *j, struct named_session *out,
                          bool *usable)
{
    char id[96];
    snprintf(id, sizeof(id), "session %s", ct_vec_str(j, "id") ? ct_vec_str(j, "id") : "?");
    *usable = false;
    const char *alg_name = ct_vec_str(j, "alg");
    const struct ct_enc_alg *alg = alg_name ? ct_enc_alg_by_name(alg_name, strlen(alg_name)) : NULL;
    uint8_t *key = NULL;
    size_t key_len = 0;
    struct ct_enc_binding b = {ct_vec_str(j, "offer"), ct_vec_str(j, "sessionId"), ct_vec_str(j, "deviceId")};
    if (alg == NULL || ct_vec_jhex(j, "key", &key, &key_len) != CT_OK || key_len != CT_ENC_KEY_LEN ||
        ct_enc_session_init(&out->s, alg, CT_ENC_PART_CRED | CT_ENC_PART_DEVINF | CT_ENC_PART_DATA,
                            key, &b, NULL) != CT_OK) {
        free(key);
        ct_vec_fail(f, id, "cannot set up the session");
        return;
    }
    free(key);
    out->id = ct_vec_str(j, "id");
    *usable = true;
    struct ct_enc_session *s = &out->s;
    /* The key schedule, byte for byte. */
    if (!hex_is(ct_vec_str(j, "c2sEnc"), s->dir[0].enc, alg->enc_len) ||
        !hex_is(ct_vec_str(j, "c2sMac"), s->dir[0].mac, alg->mac_len) ||
        !hex_is(ct_vec_str(j, "s2cEnc"), s->dir[1].enc, alg->enc_len) ||
        !hex_is(ct_vec_str(j, "s2cMac"), s->dir[1].mac, alg->mac_len) ||
        !hex_is(ct_vec_str(j, "confirmKey"), s->confirm_key, sizeof(s->confirm_key))) {
        ct_vec_fail(f, id, "derived keys differ");
        return;
    }
    ct_vec_pass(f);
    /* The selection the server sends, and the client's check of it. */
    struct ct_buf sel;
    ct_buf_init(&sel, 0);
    const char *want = ct_vec_str(j, "selection");
    struct ct_enc_offer o;
    bool ok = want != NULL && ct_enc_selection_format(&sel, s, b.offer, "cred,devinf,data") == CT_OK &&
              strcmp((const char *)sel.data, want) == 0 && ct_enc_offer_parse(&o, b.offer, NULL) == CT_OK &&
              ct_enc_selection_check(s, b.offer, &o, want, NULL) == CT_OK;
    ct_buf_cleanup(&sel);
    if (ok)
        ct_vec_pass(f);
    else
        ct_vec_fail(f, id, "selection differs or does not check");
}

/* A fixed IV for resealing a CBC vector. */
struct fixed_iv {
    const uint8_t *iv;
    size_t n;
};

static int give_iv(void *ctx, uint8_t *out, size_t n)
{
    const struct fixed_iv *fi = ctx;
    if (n != fi->n)
        return -1;
    memcpy(out, fi->iv, n);
    return 0;
}

static void check_field(struct ct_vec_file *f, const json_t *j, struct named_session *sessions,
                        size_t n_sessions)
{
    char id[160];
    const char *comment = ct_vec_str(j, "comment");
    snprintf(id, sizeof(id), "field %lld (%s)", (long long)json_integer_value(json_object_get(j, "tcId")),
             comment ? comment : "");
    const char *sname = ct_vec_str(j, "session");
    struct named_session *ns = NULL;
    for (size_t i = 0; sname != NULL && i < n_sessions; i++)
        if (sessions[i].id != NULL && strcmp(sessions[i].id, sname) == 0)
            ns = &sessions[i];
    const char *dir = ct_vec_str(j, "dir"), *part = ct_vec_str(j, "part"), *field = ct_vec_str(j, "field");
    if (ns == NULL || dir == NULL || part == NULL || field == NULL) {
        ct_vec_fail(f, id, "malformed vector or unknown session");
        return;
    }
    struct ct_enc_aad a = {
        .dir = strcmp(dir, "s2c") == 0 ? CT_ENC_S2C : CT_ENC_C2S,
        .part = strcmp(part, "cred") == 0 ? CT_ENC_PART_CRED
                : strcmp(part, "devinf") == 0 ? CT_ENC_PART_DEVINF : CT_ENC_PART_DATA,
        .session_id = ct_vec_str(j, "sessionId"), .msg_id = ct_vec_str(j, "msgId"),
        .cmd_id = ct_vec_str(j, "cmdId"), .db = ct_vec_str(j, "db"), .loc_uri = ct_vec_str(j, "locUri"),
    };
    struct ct_buf aad, out;
    ct_buf_init(&aad, 0);
    ct_buf_init(&out, 0);
    bool valid = strcmp(ct_vec_str(j, "result") ? ct_vec_str(j, "result") : "", "valid") == 0;
    bool aad_ok = ct_enc_aad_bytes(&aad, &a) == CT_OK && hex_is(ct_vec_str(j, "aad"), aad.data, aad.len);
    /* Each field is opened by a fresh copy of the session: a tampered field must fail for its
     * tamper, not because an earlier field moved the nonce counter on. */
    struct ct_enc_session rx = ns->s;
    int rc = ct_enc_open(&rx, &a, field, &out);
    uint8_t *msg = NULL;
    size_t msg_n = 0;
    bool right = rc == CT_OK && ct_vec_jhex(j, "msg", &msg, &msg_n) == CT_OK && out.len == msg_n &&
                 (msg_n == 0 || memcmp(out.data, msg, msg_n) == 0);
    if (!aad_ok) {
        ct_vec_fail(f, id, "associated data differs");
    } else if (!valid) {
        if (rc == CT_OK)
            ct_vec_fail(f, id, "a tampered field was accepted");
        else
            ct_vec_pass(f);
    } else if (!right) {
        ct_vec_fail(f, id, rc == CT_OK ? "wrong plaintext" : "a valid field was rejected");
    } else {
        /* Sealing again with the same counter or IV gives the same bytes. */
        struct ct_enc_session tx = ns->s;
        uint8_t *iv = NULL;
        size_t iv_n = 0;
        struct fixed_iv fi = {0};
        if (tx.alg->mode == CT_ENC_MODE_GCM) {
            tx.dir[a.dir].sealed = (uint64_t)json_integer_value(json_object_get(j, "counter")) - 1;
        } else if (ct_vec_jhex(j, "iv", &iv, &iv_n) == CT_OK) {
            fi = (struct fixed_iv){iv, iv_n};
            tx.rand = (struct ct_enc_rand){give_iv, &fi};
        }
        struct ct_buf again;
        ct_buf_init(&again, 0);
        bool same = ct_enc_seal(&tx, &a, msg, msg_n, &again) == CT_OK &&
                    strcmp((const char *)again.data, field) == 0;
        if (same)
            ct_vec_pass(f);
        else
            ct_vec_fail(f, id, "sealing does not reproduce the field");
        ct_buf_cleanup(&again);
        ct_enc_session_wipe(&tx);
        free(iv);
    }
    ct_enc_session_wipe(&rx);
    free(msg);
    ct_buf_cleanup(&aad);
    ct_buf_cleanup(&out);
}

static void check_wrap(struct ct_vec_file *f, const json_t *j, EVP_PKEY *key)
{
    char id[128];
    const char *comment = ct_vec_str(j, "comment");
    snprintf(id, sizeof(id), "wrap %lld (%s, %s)", (long long)json_integer_value(json_object_get(j, "tcId")),
             ct_vec_str(j, "kt") ? ct_vec_str(j, "kt") : "?", comment ? comment : "");
    const char *kt_name = ct_vec_str(j, "kt");
    enum ct_enc_kt kt = kt_name ? ct_enc_kt_by_name(kt_name, strlen(kt_name)) : CT_ENC_KT_UNKNOWN;
    uint8_t *wrapped = NULL, *want = NULL, *blob = NULL;
    size_t wn = 0, kn = 0, bn = 0;
    if (kt == CT_ENC_KT_UNKNOWN || ct_vec_jhex(j, "wrapped", &wrapped, &wn) != CT_OK ||
        ct_vec_jhex(j, "key", &want, &kn) != CT_OK || kn != CT_ENC_KEY_LEN ||
        ct_vec_jhex(j, "blob", &blob, &bn) != CT_OK) {
        ct_vec_fail(f, id, "malformed vector");
    } else {
        bool valid = strcmp(ct_vec_str(j, "result") ? ct_vec_str(j, "result") : "", "valid") == 0;
        uint64_t t = (uint64_t)json_integer_value(json_object_get(j, "t"));
        uint64_t now = (uint64_t)json_integer_value(json_object_get(j, "now"));
        uint8_t made[CT_ENC_BLOB_LEN], got[CT_ENC_KEY_LEN];
        ct_enc_blob_make(made, want, t);
        struct ct_enc_replay cache;
        ct_enc_replay_init(&cache, 0);
        int rc = ct_enc_unwrap(got, key, kt, wrapped, wn, now, &cache);
        ct_enc_replay_cleanup(&cache);
        if (valid && (rc != CT_OK || memcmp(got, want, kn) != 0 || bn != sizeof(made) ||
                      memcmp(made, blob, bn) != 0))
            ct_vec_fail(f, id, "a valid wrapping was not unwrapped to its key");
        else if (!valid && rc == CT_OK)
            ct_vec_fail(f, id, "an invalid wrapping was accepted");
        else
            ct_vec_pass(f);
        ct_wipe(got, sizeof(got));
    }
    free(wrapped);
    free(want);
    free(blob);
}

int ct_vec_profile(struct ct_vec_file *f, const json_t *root, struct ct_diag *diag)
{
    struct named_session *sessions = calloc(MAX_SESSIONS, sizeof(*sessions));
    if (sessions == NULL)
        return CT_ERR_NOMEM;
    size_t n = 0, i;
    const json_t *j;
    json_array_foreach(json_object_get(root, "sessions"), i, j) {
        if (n == MAX_SESSIONS)
            break;
        bool usable = false;
        check_session(f, j, &sessions[n], &usable);
        if (usable)
            n++;
    }
    json_array_foreach(json_object_get(root, "fields"), i, j)
        check_field(f, j, sessions, n);

    /* The wrappings are made under the test PKI's server key, next to this file's folder. */
    const json_t *wraps = json_object_get(root, "wraps");
    int rc = CT_OK;
    if (json_array_size(wraps) > 0) {
        const char *slash = strrchr(f->name, '/');
        size_t dir_len = slash != NULL ? (size_t)(slash - f->name) : 1;
        char path[1024];
        snprintf(path, sizeof(path), "%.*s/../pki/server-2048.key", (int)dir_len,
                 slash != NULL ? f->name : ".");
        EVP_PKEY *key = ct_enc_key_load(path, diag);
        if (key == NULL) {
            rc = CT_ERR_PARSE;
        } else {
            json_array_foreach(wraps, i, j)
                check_wrap(f, j, key);
            EVP_PKEY_free(key);
        }
    }
    for (size_t k = 0; k < n; k++)
        ct_enc_session_wipe(&sessions[k].s);
    free(sessions);
    return rc;
}
