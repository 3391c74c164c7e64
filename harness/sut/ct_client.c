/*
 * The reference client (see ct_client.h). One struct ct_client is one session.
 */
#include "sut/ct_client.h"

#include "crypto/ct_enc.h"
#include "crypto/ct_enc_cert.h"
#include "crypto/ct_enc_msg.h"
#include "crypto/ct_enc_nego.h"
#include "sut/ct_pack.h"
#include "syncml/ct_build.h"
#include "syncml/ct_summary.h"
#include "syncml/ct_view.h"

#include <limits.h>
#include <stdarg.h>

#ifndef CONFTEST_VERSION
#define CONFTEST_VERSION "unknown"
#endif
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum phase {
    PH_INIT,   /* Pkg#1 sent, Pkg#2 expected */
    PH_SYNC,   /* sending Pkg#3 */
    PH_RECV,   /* receiving Pkg#4 */
    PH_MAP,    /* Pkg#5 sent, Pkg#6 expected */
    PH_OVER,
};

/* The type of items stored without one (`conftest sync --add`): the DataStore's Tx-Pref. */
#define CT_CLIENT_TX_PREF "text/vcard"

/* One local change of Pkg#3, until the server's Status for it (DS-CLI-22). */
struct change {
    char luid[32];
    int state;            /* its enum ct_cstate when it was planned */
    enum ct_cmd_kind kind;
    bool acked;           /* its last command (or chunk) was answered 2xx */
    bool refused;         /* one of its commands was answered otherwise */
};

/* Where a command of Pkg#3 went, to find the change a Status answers: a large object has one
 * per chunk. */
struct sent {
    unsigned msg_id;
    unsigned long cmd_id;
    size_t change;        /* index into cdb.changes */
    bool more;            /* a chunk with MoreData: its 213 does not acknowledge the item */
};

struct cdb {
    const char *name;     /* local */
    const char *remote;   /* the server's database */
    char local_uri[80];   /* "./contacts" */
    char next[32];        /* the Next anchor of this session */
    int code;             /* the sync type in force, from the server's Alert */
    char srv_last[64];    /* the server's anchors, from its Alert (kept for tests and logs) */
    char srv_next[64];
    bool wiped;
    struct ct_outq out;   /* Pkg#3 */
    bool announced;
    struct change *changes; /* what out holds, in the same order */
    size_t n_changes;
    struct sent *sent;
    size_t n_sent;
    size_t cap_sent;
    struct {              /* GUID -> LUID of the server's Adds, for the Map */
        char guid[64];
        char luid[32];
    } *maps;
    size_t n_maps;
};

struct ct_client {
    struct ct_client_config cfg;
    struct ct_cstore *store;
    enum ct_client_state state;
    char error[256];
    enum phase phase;
    char session_id[24];
    unsigned msg_id;
    unsigned answered;          /* the MsgID of ours the reply being read answers */
    char resp_uri[512];
    unsigned long peer_msg;
    unsigned auth_tries;
    bool init_acked;            /* the first message of Pkg#2 was accepted (SyncHdr, selection) */
    bool session_auth;          /* the server answered 212: no Cred needed any more (DS-CLI-4) */
    enum ct_auth_type auth;
    uint8_t nonce[64];
    size_t nonce_len;
    struct cdb dbs[CT_CLIENT_MAX_DBS];
    size_t n_dbs;
    /* the profile */
    bool profile;               /* configured */
    bool enc;                   /* a confirmed or pending session key */
    struct ct_enc_session keys;
    struct ct_enc_offer offer;
    char *offer_text;
    uint8_t kid[CT_ENC_KID_LEN];
    EVP_PKEY *server_key;       /* borrowed from the certificate */
    struct ct_lo lo;
    struct ct_client_counts counts;
    /* the reply being built */
    struct ct_msg *out;
    const struct ct_msg *in;
};

void ct_client_config_default(struct ct_client_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->url = "http://127.0.0.1/sync";
    cfg->user = "test";
    cfg->password = "test";
    cfg->auth = CT_AUTH_MD5;
    cfg->device_id = "conftest-client";
    cfg->dbs[0] = "contacts";
    cfg->n_dbs = 1;
    cfg->mode = 200;
    cfg->encoding = CT_ENC_XML;
    cfg->max_msg_size = 64 * 1024;
    cfg->max_obj_size = 4 * 1024 * 1024;
    ct_limits_default(&cfg->limits);
    cfg->algs[0] = 0x02;
    cfg->algs[1] = 0x01;
    cfg->n_algs = 2;
    cfg->kt = CT_ENC_KT_OAEP_SHA256;
    cfg->parts = CT_ENC_PART_CRED | CT_ENC_PART_DEVINF | CT_ENC_PART_DATA;
    cfg->required = true;
}

static uint64_t now_of(const struct ct_client *c)
{
    return c->cfg.now != NULL ? c->cfg.now(c->cfg.now_ctx) : (uint64_t)time(NULL);
}

static void fail(struct ct_client *c, enum ct_client_state state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct ct_client *c, enum ct_client_state state, const char *fmt, ...)
{
    c->state = state;
    c->phase = PH_OVER;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof(c->error), fmt, ap);
    va_end(ap);
}

static int check_certificate(struct ct_client *c, struct ct_diag *diag)
{
    X509 *leaf = sk_X509_value(c->cfg.server_chain, 0);
    int rc = CT_OK;
    if (ct_bug_on(&c->cfg.bugs, CT_BUG_NO_CERT_CHECK))
        rc = CT_OK;
    else if (c->cfg.ca != NULL)
        rc = ct_enc_cert_verify(c->cfg.server_chain, c->cfg.ca, c->cfg.host,
                                /* accept-expired: the validity dates are not looked at */
                                ct_bug_on(&c->cfg.bugs, CT_BUG_ACCEPT_EXPIRED) ? (time_t)-1 : 0,
                                diag);
    else
        rc = ct_enc_cert_check_key(leaf, diag);
    if (rc != CT_OK) {
        ct_diag_prefix(diag, "server certificate refused");
        return rc;
    }
    c->server_key = X509_get0_pubkey(leaf);
    return ct_enc_cert_kid(leaf, c->kid);
}

static void pin_key(const struct ct_client *c, char *key, size_t size)
{
    snprintf(key, size, "pin:%s", c->cfg.url);
}

int ct_client_new(struct ct_client **out, const struct ct_client_config *cfg,
                  struct ct_cstore *store, struct ct_diag *diag)
{
    if (cfg->n_dbs == 0 || cfg->n_dbs > CT_CLIENT_MAX_DBS)
        return ct_diag_set(diag, CT_ERR_INVALID_ARG, "1 to %d databases", CT_CLIENT_MAX_DBS);
    struct ct_client *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return CT_ERR_NOMEM;
    c->cfg = *cfg;
    c->store = store;
    c->auth = cfg->auth;
    c->profile = cfg->server_chain != NULL && sk_X509_num(cfg->server_chain) > 0;
    int rc = CT_OK;
    if (c->profile) {
        rc = check_certificate(c, diag);
    } else {
        /* ENC-POL-3: a server this client has had a confirmed session with is pinned. */
        char key[600];
        pin_key(c, key, sizeof(key));
        uint8_t *pin = NULL;
        size_t len = 0;
        rc = ct_cstore_kv_get(store, key, &pin, &len);
        if (rc == CT_OK && pin != NULL)
            rc = ct_diag_set(diag, CT_ERR_PROTO,
                             "%s has completed an encrypted session with this client before: no "
                             "plain session with it (give its certificate)", cfg->url);
        free(pin);
    }
    if (rc != CT_OK) {
        free(c);
        return rc;
    }
    /* A fresh SessionID per session: it is bound into the keys and associated data. */
    uint8_t r[4];
    if (ct_random(r, sizeof(r)) != CT_OK)
        memset(r, 0, sizeof(r));
    snprintf(c->session_id, sizeof(c->session_id), "%u",
             (unsigned)(r[0] | r[1] << 8 | r[2] << 16 | (unsigned)(r[3] & 0x7F) << 24) % 1000000u + 1);
    c->n_dbs = cfg->n_dbs;
    for (size_t i = 0; i < cfg->n_dbs; i++) {
        c->dbs[i].name = cfg->dbs[i];
        c->dbs[i].remote = cfg->remote_dbs[i] != NULL ? cfg->remote_dbs[i] : cfg->dbs[i];
        snprintf(c->dbs[i].local_uri, sizeof(c->dbs[i].local_uri), "./%s", cfg->dbs[i]);
        c->dbs[i].code = cfg->mode;
    }
    /* The nonce the server gave for this session, from the last one. */
    uint8_t *nonce = NULL;
    size_t len = 0;
    rc = ct_cstore_kv_get(store, "md5-nonce", &nonce, &len);
    if (rc == CT_OK && nonce != NULL && len <= sizeof(c->nonce)) {
        memcpy(c->nonce, nonce, len);
        c->nonce_len = len;
    }
    free(nonce);
    *out = c;
    return rc;
}

void ct_client_free(struct ct_client *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n_dbs; i++) {
        ct_outq_cleanup(&c->dbs[i].out);
        free(c->dbs[i].maps);
        free(c->dbs[i].changes);
        free(c->dbs[i].sent);
    }
    ct_enc_session_wipe(&c->keys);
    free(c->offer_text);
    ct_lo_reset(&c->lo);
    ct_msg_free(c->out);
    free(c);
}

const char *ct_client_url(const struct ct_client *c)
{
    return c->resp_uri[0] != '\0' ? c->resp_uri : c->cfg.url;
}

enum ct_client_state ct_client_state(const struct ct_client *c)
{
    return c->state;
}

const char *ct_client_error(const struct ct_client *c)
{
    return c->error;
}

int ct_client_server_anchors(const struct ct_client *c, const char *db, const char **last,
                             const char **next)
{
    for (size_t i = 0; i < c->n_dbs; i++) {
        if (strcmp(c->dbs[i].name, db) == 0) {
            *last = c->dbs[i].srv_last;
            *next = c->dbs[i].srv_next;
            return CT_OK;
        }
    }
    return CT_ERR_MISSING;
}

void ct_client_counts(const struct ct_client *c, struct ct_client_counts *out)
{
    *out = c->counts;
}

/* ---- building messages ---- */

static int new_message(struct ct_client *c)
{
    ct_msg_free(c->out);
    c->out = ct_msg_new(CT_VER_1_2);
    if (c->out == NULL)
        return CT_ERR_NOMEM;
    struct ct_hdr_spec h = {
        .session_id = c->session_id, .msg_id = ++c->msg_id, .target_uri = c->cfg.url,
        .source_uri = c->cfg.device_id, .source_name = c->cfg.user,
        .max_msg_size = c->cfg.max_msg_size, .max_obj_size = c->cfg.max_obj_size,
    };
    return ct_build_hdr(c->out, &h);
}

static int log_msg(const struct ct_client *c, const char *dir, const struct ct_msg *m)
{
    if (c->cfg.log == NULL || m == NULL)
        return CT_OK;
    struct ct_buf b;
    ct_buf_init(&b, 0);
    if (ct_msg_summary(m, &b) == CT_OK)
        fprintf(c->cfg.log, "client %s %s\n", dir, (const char *)b.data);
    ct_buf_cleanup(&b);
    return CT_OK;
}

/* Seal (in the profile), serialize. */
static int finish_message(struct ct_client *c, bool final, struct ct_buf *out)
{
    if (final && ct_build_final(c->out) == NULL)
        return CT_ERR_NOMEM;
    int rc = CT_OK;
    if (c->enc) {
        struct ct_diag d = {0};
        rc = ct_enc_msg_seal(&c->keys, c->out, CT_ENC_C2S, &d); /* reindexes */
        if (ct_bug_on(&c->cfg.bugs, CT_BUG_STATIC_NONCE))
            c->keys.dir[CT_ENC_C2S].sealed = 0; /* the defect: the counter starts over */
        if (rc == CT_ERR_CRYPTO_LIMIT) {
            fail(c, CT_CLIENT_FAILED, "%s", d.text);
            return CT_OK;
        }
    } else {
        rc = ct_msg_reindex(c->out);
    }
    log_msg(c, ">>>", c->out);
    struct ct_ser_opts o = {.enc = c->cfg.encoding};
    struct ct_diag d = {0};
    return rc == CT_OK ? ct_msg_serialize(c->out, &o, out, &d) : rc;
}

static int static_iv(void *ctx, uint8_t *out, size_t n)
{
    (void)ctx;
    memset(out, 0x5A, n);
    return 0;
}

/* The profile's part of Pkg#1: a new key, its wrapping, the offer (ENC-NEG-1, ENC-KT-1). */
static int make_offer(struct ct_client *c)
{
    uint8_t key[CT_ENC_KEY_LEN];
    struct ct_buf wrapped, text;
    ct_buf_init(&wrapped, CT_ENC_MAX_WRAPPED);
    ct_buf_init(&text, 0);
    int rc = CT_OK;
    if (c->cfg.test_key != NULL)
        memcpy(key, c->cfg.test_key, sizeof(key));
    else
        rc = ct_random(key, sizeof(key));
    if (rc == CT_OK)
        rc = ct_enc_wrap(&wrapped, c->server_key, c->cfg.kt, key, now_of(c));
    if (rc == CT_OK) {
        memset(&c->offer, 0, sizeof(c->offer));
        memcpy(c->offer.algs, c->cfg.algs, sizeof(c->offer.algs));
        c->offer.n_algs = c->cfg.n_algs;
        c->offer.kt = c->cfg.kt;
        c->offer.parts = c->cfg.parts;
        memcpy(c->offer.kid, c->kid, CT_ENC_KID_LEN);
        memcpy(c->offer.wrapped, wrapped.data, wrapped.len);
        c->offer.wrapped_len = wrapped.len;
        rc = ct_enc_offer_format(&text, &c->offer);
    }
    if (rc == CT_OK) {
        /* The parts exactly as written, for checking the selection. */
        const char *p = strstr((const char *)text.data, ";parts=");
        size_t n = p != NULL ? strcspn(p + 7, ";") : 0;
        snprintf(c->offer.parts_text, sizeof(c->offer.parts_text), "%.*s", (int)n, p != NULL ? p + 7 : "");
        free(c->offer_text);
        c->offer_text = (char *)ct_buf_steal(&text, NULL);
        rc = c->offer_text != NULL ? CT_OK : CT_ERR_NOMEM;
    }
    const struct ct_enc_alg *alg = ct_enc_alg_by_id(c->cfg.algs[0]);
    if (rc == CT_OK && alg == NULL)
        rc = CT_ERR_INVALID_ARG;
    if (rc == CT_OK) {
        struct ct_enc_binding b = {c->offer_text, c->session_id, c->cfg.device_id};
        struct ct_enc_rand fixed = {static_iv, NULL};
        ct_enc_session_wipe(&c->keys);
        rc = ct_enc_session_init(&c->keys, alg, c->cfg.parts, key, &b,
                                 ct_bug_on(&c->cfg.bugs, CT_BUG_STATIC_NONCE) ? &fixed : NULL);
        if (rc == CT_ERR_CRYPTO && c->cfg.test_key == NULL) /* degenerate 3DES keys: draw again */
            rc = make_offer(c);
    }
    ct_wipe(key, sizeof(key));
    ct_buf_cleanup(&wrapped);
    ct_buf_cleanup(&text);
    if (rc == CT_OK) {
        c->enc = true;
        xmlNode *meta = NULL;
        for (xmlNode *n = ct_msg_hdr_node(c->out)->children; n != NULL; n = n->next)
            if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "Meta") == 0)
                meta = n;
        rc = ct_el_add_metinf(meta, "EMI", c->offer_text) != NULL ? CT_OK : CT_ERR_NOMEM;
    }
    return rc;
}

/*
 * The Next anchor of this session: the time, to the second, and a counter after it when the time
 * is the one Last begins with (two syncs in one second). Each sync's Next must be new and differ
 * from Last (DS-CLI-10): a server that saw Next == Last could not tell the sessions apart.
 */
static void next_anchor(const struct ct_client *c, const char *last, char *out, size_t size)
{
    time_t t = (time_t)now_of(c);
    struct tm tm;
    char stamp[32];
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    size_t n = strlen(stamp);
    if (last == NULL || strncmp(last, stamp, n) != 0) {
        snprintf(out, size, "%s", stamp);
        return;
    }
    /* Last is this second's ("...Z") or a later one of it ("...Z-k"): k + 1 differs from it. */
    unsigned long k = last[n] == '-' ? strtoul(last + n + 1, NULL, 10) : 0;
    snprintf(out, size, "%s-%lu", stamp, k + 1);
}

static int add_devinf(struct ct_client *c, xmlNode *parent_data)
{
    xmlNode *di = ct_el_add_ns(parent_data, CT_NS_DEVINF, "DevInf", NULL);
    ct_el_add(di, "VerDTD", "1.2");
    ct_el_add(di, "Man", "conftest");
    ct_el_add(di, "Mod", "reference client");
    /* DevInf 1.2 requires FwV, SwV and HwV, and Rx-Pref and Tx-Pref in each DataStore. */
    ct_el_add(di, "FwV", "-");
    ct_el_add(di, "SwV", CONFTEST_VERSION);
    ct_el_add(di, "HwV", "-");
    ct_el_add(di, "DevID", c->cfg.device_id);
    ct_el_add(di, "DevTyp", "workstation");
    ct_el_add(di, "SupportLargeObjs", NULL);
    for (size_t i = 0; i < c->n_dbs; i++) {
        xmlNode *ds = ct_el_add(di, "DataStore", NULL);
        ct_el_add(ds, "SourceRef", c->dbs[i].local_uri);
        ct_el_add(ds, "DisplayName", c->dbs[i].name);
        for (int tx = 0; tx < 2; tx++) {
            xmlNode *pref = ct_el_add(ds, tx ? "Tx-Pref" : "Rx-Pref", NULL);
            ct_el_add(pref, "CTType", CT_CLIENT_TX_PREF);
            ct_el_add(pref, "VerCT", "3.0");
        }
        xmlNode *cap = ct_el_add(ds, "SyncCap", NULL);
        for (int k = 1; k <= 6; k++) {
            char n[4];
            snprintf(n, sizeof(n), "%d", k);
            ct_el_add(cap, "SyncType", n);
        }
    }
    return di != NULL ? CT_OK : CT_ERR_NOMEM;
}

/* The credential in the SyncHdr of the message being built, for the last NextNonce received
 * (md5). In the profile, finish_message seals it with the other fields of the cred part. */
static int add_cred(struct ct_client *c)
{
    return ct_auth_cred_add(ct_msg_hdr_node(c->out), c->auth, c->cfg.user, c->cfg.password,
                            c->nonce, c->nonce_len) != NULL
               ? CT_OK
               : CT_ERR_NOMEM;
}

static int build_pkg1(struct ct_client *c, struct ct_buf *out)
{
    int rc = new_message(c);
    if (rc != CT_OK)
        return rc;
    if (c->profile && !(c->auth_tries > 0 && ct_bug_on(&c->cfg.bugs, CT_BUG_CLEAR_FALLBACK) && !c->enc))
        rc = make_offer(c);
    if (rc == CT_OK)
        rc = add_cred(c);
    xmlNode *put = rc == CT_OK ? ct_build_cmd(c->out, NULL, "Put") : NULL;
    if (put != NULL) {
        ct_el_add_metinf(ct_el_add(put, "Meta", NULL), "Type", "application/vnd.syncml-devinf+xml");
        xmlNode *item = ct_el_add(put, "Item", NULL);
        ct_el_add_locus(item, "Source", "./devinf12", NULL);
        rc = add_devinf(c, ct_el_add(item, "Data", NULL));
    }
    for (size_t i = 0; rc == CT_OK && i < c->n_dbs; i++) {
        struct cdb *d = &c->dbs[i];
        char *last = NULL;
        rc = ct_cstore_anchor_get(c->store, d->name, &last);
        if (rc != CT_OK)
            break;
        next_anchor(c, last, d->next, sizeof(d->next));
        /* Without a last anchor there is nothing to be incremental against: slow sync. */
        int code = c->cfg.mode == 200 && last == NULL ? 201 : c->cfg.mode;
        char code_text[8];
        snprintf(code_text, sizeof(code_text), "%d", code);
        xmlNode *al = ct_build_cmd(c->out, NULL, "Alert");
        ct_el_add(al, "Data", code_text);
        xmlNode *item = ct_el_add(al, "Item", NULL);
        ct_el_add_locus(item, "Target", d->remote, NULL);
        ct_el_add_locus(item, "Source", d->local_uri, NULL);
        xmlNode *meta = ct_el_add(item, "Meta", NULL);
        xmlNode *anchor = ct_el_add_metinf(meta, "Anchor", NULL);
        if (last != NULL)
            ct_el_add(anchor, "Last", last);
        ct_el_add(anchor, "Next", d->next);
        char obj[24];
        snprintf(obj, sizeof(obj), "%lu", c->cfg.max_obj_size);
        if (ct_el_add_metinf(meta, "MaxObjSize", obj) == NULL)
            rc = CT_ERR_NOMEM;
        free(last);
    }
    if (rc != CT_OK)
        return rc;
    c->phase = PH_INIT;
    return finish_message(c, true, out);
}

int ct_client_start(struct ct_client *c, struct ct_buf *out, const char **type)
{
    *type = ct_enc_content_type(c->cfg.encoding);
    return build_pkg1(c, out);
}

/* ---- receiving ---- */

static struct cdb *db_by_uri(struct ct_client *c, const char *uri)
{
    for (size_t i = 0; uri != NULL && i < c->n_dbs; i++) {
        const char *u = uri;
        if (strcmp(u, c->dbs[i].local_uri) == 0 || strcmp(u, c->dbs[i].name) == 0)
            return &c->dbs[i];
    }
    return NULL;
}

static xmlNode *status_for(struct ct_client *c, const struct ct_cmd *cmd, const char *tref,
                           const char *sref, unsigned code)
{
    const char *msg_ref = ct_msg_hdr(c->in)->msg_id;
    return ct_build_status(c->out, msg_ref != NULL ? msg_ref : "0", cmd->cmd_id, cmd->name, tref,
                           sref, code);
}

static int hdr_status(struct ct_client *c)
{
    const struct ct_hdr *h = ct_msg_hdr(c->in);
    const char *msg_ref = h->msg_id != NULL ? h->msg_id : "0";
    return ct_build_status(c->out, msg_ref, "0", "SyncHdr", h->target.uri, h->source.uri, 200) != NULL
               ? CT_OK
               : CT_ERR_NOMEM;
}

static int store_nonce(struct ct_client *c, const struct ct_chal *chal)
{
    if (chal->node == NULL || chal->meta.next_nonce == NULL)
        return CT_OK;
    uint8_t *nonce = NULL;
    size_t len = 0;
    int rc = ct_auth_chal_nonce(chal, &nonce, &len);
    if (rc == CT_OK && len <= sizeof(c->nonce)) {
        memcpy(c->nonce, nonce, len);
        c->nonce_len = len;
        rc = ct_cstore_kv_set(c->store, "md5-nonce", nonce, len);
    }
    free(nonce);
    return rc == CT_ERR_BASE64 ? CT_OK : rc;
}

/* The selection of the server's reply (ENC-NEG-7). */
static const char *selection_of(const struct ct_msg *m)
{
    const struct ct_hdr *h = ct_msg_hdr(m);
    for (size_t i = 0; i < h->meta.n_emi; i++)
        if (ct_enc_is_profile_text(h->meta.emi[i]))
            return h->meta.emi[i];
    return NULL;
}

/*
 * The SyncHdr status of every reply: go on, retry Pkg#1 (in answer to Pkg#1 only), or stop. A
 * status other than 200/212 ends the session in any phase (DS-CLI-17): after a 500 for Pkg#3
 * the client must not take its changes as stored nor go on to Pkg#5.
 */
static int on_hdr_status(struct ct_client *c, struct ct_buf *out, bool *handled)
{
    const struct ct_cmd *st = ct_msg_find_status(c->in, "0");
    uint64_t code = 0;
    *handled = false;
    if (st == NULL || st->data == NULL || ct_uint_parse(st->data, &code) != CT_OK) {
        fail(c, CT_CLIENT_FAILED, "the reply has no SyncHdr status");
        *handled = true;
        return CT_OK;
    }
    /* Any reply may bring a NextNonce: the next Cred uses the last one (DS-CLI-1, DS-CLI-5). */
    int rc = store_nonce(c, &st->chal);
    if (rc != CT_OK)
        return rc;
    bool pkg1_answer = c->phase == PH_INIT && !c->init_acked;
    if ((code == 401 || code == 407) && pkg1_answer) {
        *handled = true;
        /* One retry, for the challenge: a refused retry cannot succeed by repeating it
         * (DS-CLI-3). */
        if (++c->auth_tries > 1) {
            fail(c, CT_CLIENT_FAILED, "authentication failed (%llu)", (unsigned long long)code);
            return CT_OK;
        }
        /* A challenge may ask for another type. */
        enum ct_auth_type asked = ct_auth_type_of(st->chal.meta.type);
        if (asked == CT_AUTH_BASIC || asked == CT_AUTH_MD5)
            c->auth = asked;
        return build_pkg1(c, out);
    }
    if (code == 406 && c->profile && pkg1_answer) {
        *handled = true;
        if (ct_bug_on(&c->cfg.bugs, CT_BUG_CLEAR_FALLBACK) && c->auth_tries++ < 2) {
            c->enc = false;
            return build_pkg1(c, out); /* the defect: the same session, in clear */
        }
        fail(c, CT_CLIENT_REFUSED, "the server refused the offer (406)%s%s",
             selection_of(c->in) != NULL ? ": " : "", selection_of(c->in) ? selection_of(c->in) : "");
        return CT_OK;
    }
    if (code != 200 && code != 212) {
        *handled = true;
        fail(c, CT_CLIENT_FAILED, "the server answered the SyncHdr with %llu", (unsigned long long)code);
        return CT_OK;
    }
    /* 212 authenticates the session (DS-CLI-4); 200 only the message it answers, so the next
     * messages carry the Cred again until a 212 (DS-CLI-5). */
    if (code == 212)
        c->session_auth = true;
    if (!pkg1_answer)
        return CT_OK;
    c->init_acked = true; /* the selection comes once, in the first message of Pkg#2 */
    if (c->profile && !ct_bug_on(&c->cfg.bugs, CT_BUG_SKIP_CONFIRM)) {
        struct ct_diag d = {0};
        if (ct_enc_selection_check(&c->keys, c->offer_text, &c->offer, selection_of(c->in), &d) != CT_OK) {
            *handled = true;
            /* No selection at all: the server does not know the profile (ENC-POL-2). */
            fail(c, selection_of(c->in) == NULL ? CT_CLIENT_REFUSED : CT_CLIENT_FAILED,
                 "the server did not confirm the offer: %s", d.text);
            return CT_OK;
        }
    }
    return CT_OK;
}

static int add_map(struct cdb *d, const char *guid, const char *luid)
{
    void *v = realloc(d->maps, (d->n_maps + 1) * sizeof(*d->maps));
    if (v == NULL)
        return CT_ERR_NOMEM;
    d->maps = v;
    snprintf(d->maps[d->n_maps].guid, sizeof(d->maps[0].guid), "%s", guid);
    snprintf(d->maps[d->n_maps].luid, sizeof(d->maps[0].luid), "%s", luid);
    d->n_maps++;
    return CT_OK;
}

/* The change of d whose LUID is luid (NULL if none); the search starts after the last one sent,
 * since the queue goes out in order. */
static struct change *change_of(struct cdb *d, const char *luid, size_t *index)
{
    size_t from = d->n_sent > 0 ? d->sent[d->n_sent - 1].change : 0;
    for (size_t i = 0; luid != NULL && i < d->n_changes; i++) {
        size_t k = (from + i) % d->n_changes;
        if (strcmp(d->changes[k].luid, luid) == 0) {
            *index = k;
            return &d->changes[k];
        }
    }
    return NULL;
}

/* Remember the MsgID and CmdID of every change in the message just finished, so that the
 * server's Status for it can be found (DS-CLI-22). */
static int note_sent(struct ct_client *c)
{
    const struct ct_body *b = ct_msg_body(c->out);
    for (size_t i = 0; i < b->n_cmds; i++) {
        const struct ct_cmd *sync = &b->cmds[i];
        struct cdb *d = sync->kind == CT_CMD_SYNC ? db_by_uri(c, sync->source.uri) : NULL;
        for (size_t k = 0; d != NULL && k < sync->n_children; k++) {
            const struct ct_cmd *cmd = &sync->children[k];
            uint64_t id = 0;
            size_t index = 0;
            if (cmd->n_items == 0 || cmd->cmd_id == NULL || ct_uint_parse(cmd->cmd_id, &id) != CT_OK ||
                change_of(d, cmd->items[0].source.uri, &index) == NULL)
                continue;
            if (d->n_sent == d->cap_sent) {
                size_t cap = d->cap_sent != 0 ? 2 * d->cap_sent : 64;
                void *v = realloc(d->sent, cap * sizeof(*d->sent));
                if (v == NULL)
                    return CT_ERR_NOMEM;
                d->sent = v;
                d->cap_sent = cap;
            }
            d->sent[d->n_sent++] = (struct sent){.msg_id = c->msg_id, .cmd_id = (unsigned long)id,
                                                 .change = index, .more = cmd->items[0].more_data};
        }
    }
    return CT_OK;
}

/*
 * A Status for one of this client's Adds, Replaces and Deletes. A change stays pending unless
 * the server acknowledged it with 2xx (DS-CLI-22): a refused one was not executed. A Delete
 * answered 404 is done as well: the item is not on the server.
 */
static void on_change_status(struct ct_client *c, const struct ct_cmd *st)
{
    uint64_t code = 0, msg = 0, cmd = 0;
    if (st->cmd == NULL ||
        (strcmp(st->cmd, "Add") != 0 && strcmp(st->cmd, "Replace") != 0 && strcmp(st->cmd, "Delete") != 0) ||
        st->data == NULL || ct_uint_parse(st->data, &code) != CT_OK || st->cmd_ref == NULL ||
        ct_uint_parse(st->cmd_ref, &cmd) != CT_OK)
        return;
    if (st->msg_ref == NULL || ct_uint_parse(st->msg_ref, &msg) != CT_OK)
        msg = c->answered;
    for (size_t i = 0; i < c->n_dbs; i++) {
        struct cdb *d = &c->dbs[i];
        /* Newest first: a Status answers the message just sent. */
        for (size_t k = d->n_sent; k-- > 0 && d->sent[k].msg_id >= msg;) {
            const struct sent *e = &d->sent[k];
            if (e->msg_id != msg || e->cmd_id != cmd)
                continue;
            struct change *ch = &d->changes[e->change];
            bool named = st->n_source_refs == 0;
            for (size_t r = 0; r < st->n_source_refs; r++)
                named = named || strcmp(st->source_refs[r], ch->luid) == 0;
            if (!named)
                continue;
            if (!((code >= 200 && code < 300) || (ch->kind == CT_CMD_DELETE && code == 404)))
                ch->refused = true;
            else if (!e->more) /* a chunk's 213 says nothing of the item yet */
                ch->acked = true;
        }
    }
}

/*
 * The status a field of the profile earns when it did not open: 400 (ENC-ERR-3: it failed, or
 * came in clear while its part is in force, ENC-FLD-1), 413 at the 3DES limit (ENC-ALG-4); 0
 * when it opened or there is none. holder: the Item; or NULL for any field of command cmd.
 */
static unsigned field_failure(const struct ct_enc_outcome *fields, size_t n_fields,
                              const xmlNode *cmd, const xmlNode *holder)
{
    unsigned code = 0;
    for (size_t k = 0; k < n_fields; k++) {
        bool ours = holder != NULL ? fields[k].holder == holder : fields[k].cmd == cmd;
        if (ours && fields[k].rc != CT_OK)
            code = fields[k].rc == CT_ERR_CRYPTO_LIMIT ? 413 : 400;
    }
    return code;
}

/* One Add/Replace/Delete of the server's Pkg#4. */
static int apply(struct ct_client *c, struct cdb *d, const struct ct_cmd *cmd,
                 const struct ct_enc_outcome *fields, size_t n_fields)
{
    for (size_t i = 0; i < cmd->n_items; i++) {
        const struct ct_item *it = &cmd->items[i];
        unsigned code = field_failure(fields, n_fields, NULL, it->node);
        const char *ref = cmd->kind == CT_CMD_ADD ? it->source.uri : it->target.uri;
        int rc = CT_OK;
        if (code == 0 && ref == NULL)
            code = 400;
        if (code == 0 && cmd->kind == CT_CMD_DELETE) {
            rc = ct_cstore_remove(c->store, d->name, ref);
            code = rc == CT_ERR_MISSING ? 211 : 200;
            rc = rc == CT_ERR_MISSING ? CT_OK : rc;
        } else if (code == 0) {
            const char *size = it->meta.size != NULL ? it->meta.size : cmd->meta.size;
            char key[300];
            snprintf(key, sizeof(key), "%s:%s", cmd->name, ref);
            enum ct_lo_result r = ct_lo_feed(&c->lo, key, it, size, c->cfg.max_obj_size);
            switch (r) {
            case CT_LO_PARTIAL: code = 213; break;
            case CT_LO_SIZE_MISMATCH: code = 424; break;
            case CT_LO_NO_SIZE: code = 411; break;
            case CT_LO_TOO_BIG: code = 416; break;
            case CT_LO_INTERRUPTED: code = 400; break;
            case CT_LO_WHOLE:
            case CT_LO_COMPLETE:
            default: {
                const char *data = r == CT_LO_COMPLETE ? (const char *)c->lo.data.data
                                                       : (it->data != NULL ? it->data : "");
                const char *type = it->meta.type != NULL ? it->meta.type : cmd->meta.type;
                char luid[32];
                if (cmd->kind == CT_CMD_REPLACE) {
                    rc = ct_cstore_overwrite(c->store, d->name, ref, type, (const uint8_t *)data, strlen(data));
                    code = 200;
                }
                if (cmd->kind == CT_CMD_ADD || rc == CT_ERR_MISSING) {
                    rc = ct_cstore_put(c->store, d->name, type, (const uint8_t *)data, strlen(data), luid);
                    if (rc == CT_OK && cmd->kind == CT_CMD_ADD)
                        rc = add_map(d, ref, luid);
                    code = 201;
                }
                c->counts.received++;
                break;
            }
            }
            if (r != CT_LO_PARTIAL && r != CT_LO_WHOLE)
                ct_lo_reset(&c->lo);
        }
        if (rc != CT_OK)
            return rc;
        if (status_for(c, cmd, cmd->kind == CT_CMD_ADD ? NULL : ref,
                       cmd->kind == CT_CMD_ADD ? ref : NULL, code) == NULL)
            return CT_ERR_NOMEM;
    }
    return CT_OK;
}

static int on_sync(struct ct_client *c, const struct ct_cmd *sync, const struct ct_enc_outcome *fields,
                   size_t n_fields)
{
    struct cdb *d = db_by_uri(c, sync->target.uri);
    if (status_for(c, sync, sync->target.uri, sync->source.uri, d != NULL ? 200 : 404) == NULL)
        return CT_ERR_NOMEM;
    if (d == NULL)
        return CT_OK;
    if (d->code == 205 && !d->wiped) {
        int rc = ct_cstore_wipe(c->store, d->name);
        if (rc != CT_OK)
            return rc;
        d->wiped = true;
    }
    for (size_t i = 0; i < sync->n_children; i++) {
        const struct ct_cmd *cmd = &sync->children[i];
        int rc = CT_OK;
        if (cmd->kind == CT_CMD_ADD || cmd->kind == CT_CMD_REPLACE || cmd->kind == CT_CMD_DELETE)
            rc = apply(c, d, cmd, fields, n_fields);
        else if (status_for(c, cmd, NULL, NULL, 406) == NULL)
            rc = CT_ERR_NOMEM;
        if (rc != CT_OK)
            return rc;
    }
    return CT_OK;
}

/* The server's Alerts (the sync type in force) and its requests. */
static int on_commands(struct ct_client *c, const struct ct_enc_outcome *fields, size_t n_fields)
{
    const struct ct_body *b = ct_msg_body(c->in);
    for (size_t i = 0; i < b->n_cmds; i++) {
        const struct ct_cmd *cmd = &b->cmds[i];
        int rc = CT_OK;
        switch (cmd->kind) {
        case CT_CMD_STATUS: {
            uint64_t code = 0;
            if (cmd->cmd != NULL && strcmp(cmd->cmd, "Alert") == 0 && cmd->data != NULL &&
                ct_uint_parse(cmd->data, &code) == CT_OK && code >= 400 && code != 508)
                fail(c, CT_CLIENT_FAILED, "the server refused a sync alert with %llu", (unsigned long long)code);
            on_change_status(c, cmd);
            break;
        }
        case CT_CMD_ALERT: {
            uint64_t code = 0;
            if (cmd->data != NULL && ct_uint_parse(cmd->data, &code) == CT_OK && code >= 200 && code <= 205 &&
                cmd->n_items > 0) {
                struct cdb *d = db_by_uri(c, cmd->items[0].target.uri);
                if (d != NULL) {
                    const struct ct_item *it = &cmd->items[0];
                    d->code = (int)code;
                    snprintf(d->srv_last, sizeof(d->srv_last), "%s", it->meta.anchor_last ? it->meta.anchor_last : "");
                    snprintf(d->srv_next, sizeof(d->srv_next), "%s", it->meta.anchor_next ? it->meta.anchor_next : "");
                }
                xmlNode *st = status_for(c, cmd, cmd->items[0].target.uri, cmd->items[0].source.uri,
                                         d ? 200 : 404);
                rc = st != NULL ? CT_OK : CT_ERR_NOMEM;
                /* The Status confirms the server's Next anchor by echoing it, in the metinf
                 * namespace as the server does for ours (DS-CLI-19). */
                const char *next = cmd->items[0].meta.anchor_next;
                if (rc == CT_OK && d != NULL && next != NULL) {
                    xmlNode *anchor = ct_el_add_metinf(ct_el_add(ct_el_add(st, "Item", NULL), "Data", NULL),
                                                       "Anchor", NULL);
                    if (ct_el_add(anchor, "Next", next) == NULL)
                        rc = CT_ERR_NOMEM;
                }
            } else {
                rc = status_for(c, cmd, NULL, NULL, 200) != NULL ? CT_OK : CT_ERR_NOMEM;
            }
            break;
        }
        case CT_CMD_RESULTS:
        case CT_CMD_PUT: {
            /* The server's DevInf is a field of the devinf part: one that failed to open, or came
             * in clear while the part is in force, is refused with its command (ENC-ERR-3,
             * ENC-FLD-1), exactly as an item. */
            unsigned code = field_failure(fields, n_fields, cmd->node, NULL);
            rc = status_for(c, cmd, NULL, NULL, code != 0 ? code : 200) != NULL ? CT_OK : CT_ERR_NOMEM;
            break;
        }
        case CT_CMD_GET: {
            rc = status_for(c, cmd, NULL, NULL, 200) != NULL ? CT_OK : CT_ERR_NOMEM;
            xmlNode *res = rc == CT_OK ? ct_build_cmd(c->out, NULL, "Results") : NULL;
            if (res != NULL) {
                ct_el_add(res, "MsgRef", ct_msg_hdr(c->in)->msg_id);
                ct_el_add(res, "CmdRef", cmd->cmd_id);
                ct_el_add_metinf(ct_el_add(res, "Meta", NULL), "Type", "application/vnd.syncml-devinf+xml");
                xmlNode *item = ct_el_add(res, "Item", NULL);
                ct_el_add_locus(item, "Source", "./devinf12", NULL);
                rc = add_devinf(c, ct_el_add(item, "Data", NULL));
            }
            break;
        }
        case CT_CMD_SYNC:
            rc = on_sync(c, cmd, fields, n_fields);
            break;
        case CT_CMD_UNKNOWN:
            break;
        default:
            rc = status_for(c, cmd, NULL, NULL, 406) != NULL ? CT_OK : CT_ERR_NOMEM;
            break;
        }
        if (rc != CT_OK)
            return rc;
    }
    return CT_OK;
}

/* What this client sends in Pkg#3 for each database, by the sync type in force. */
static int plan_changes(struct ct_client *c)
{
    for (size_t i = 0; i < c->n_dbs; i++) {
        struct cdb *d = &c->dbs[i];
        struct ct_record *v = NULL;
        size_t n = 0;
        int rc = CT_OK;
        if (d->code == 204 || d->code == 205)
            continue;
        bool all = d->code == 201 || d->code == 203;
        rc = all ? ct_cstore_live(c->store, d->name, &v, &n) : ct_cstore_changes(c->store, d->name, &v, &n);
        if (rc == CT_OK && n > 0) {
            d->changes = calloc(n, sizeof(*d->changes));
            rc = d->changes != NULL ? CT_OK : CT_ERR_NOMEM;
        }
        for (size_t k = 0; rc == CT_OK && k < n; k++) {
            const struct ct_record *r = &v[k];
            enum ct_cmd_kind kind = all || r->state == CT_CSTATE_ADDED ? CT_CMD_ADD
                                    : r->state == CT_CSTATE_DELETED    ? CT_CMD_DELETE
                                                                       : CT_CMD_REPLACE;
            /* An item stored without a type (`conftest sync --add`) is what the DataStore sends,
             * its Tx-Pref: without a Meta Type the server cannot know what it stores. */
            const char *type = r->type != NULL ? r->type : CT_CLIENT_TX_PREF;
            rc = ct_outq_push(&d->out, kind, NULL, r->id, type, r->data, r->len);
            struct change *ch = &d->changes[d->n_changes++];
            snprintf(ch->luid, sizeof(ch->luid), "%s", r->id);
            ch->state = r->state;
            ch->kind = kind;
            c->counts.sent++;
        }
        ct_records_free(v, n);
        if (rc != CT_OK)
            return rc;
    }
    return CT_OK;
}

/* The next message of Pkg#3; final when all changes have gone. */
static int send_changes(struct ct_client *c, struct ct_buf *out)
{
    size_t limit = c->peer_msg != 0 ? c->peer_msg : SIZE_MAX / 4;
    size_t used = CT_PACK_BASE_COST + CT_PACK_STATUS_COST * ct_msg_body(c->out)->n_cmds;
    size_t budget = limit > used ? limit - used : 4 * CT_PACK_MIN_CHUNK + 2000;
    bool done = true;
    for (size_t i = 0; i < c->n_dbs; i++) {
        struct cdb *d = &c->dbs[i];
        if (d->announced && ct_outq_done(&d->out))
            continue;
        d->announced = true;
        bool progress;
        int rc = ct_pack_sync(c->out, d->remote, d->local_uri, &d->out, &budget,
                              c->enc && (c->keys.parts & CT_ENC_PART_DATA), &progress);
        if (rc != CT_OK)
            return rc;
        done = done && ct_outq_done(&d->out);
    }
    c->phase = done ? PH_RECV : PH_SYNC;
    int rc = finish_message(c, done, out);
    return rc == CT_OK && c->state == CT_CLIENT_RUNNING ? note_sent(c) : rc;
}

static int send_map(struct ct_client *c, struct ct_buf *out)
{
    for (size_t i = 0; i < c->n_dbs; i++) {
        struct cdb *d = &c->dbs[i];
        if (d->n_maps == 0)
            continue;
        xmlNode *map = ct_build_cmd(c->out, NULL, "Map");
        ct_el_add_locus(map, "Target", d->remote, NULL);
        ct_el_add_locus(map, "Source", d->local_uri, NULL);
        for (size_t k = 0; k < d->n_maps; k++) {
            xmlNode *mi = ct_el_add(map, "MapItem", NULL);
            ct_el_add_locus(mi, "Target", d->maps[k].guid, NULL);
            if (ct_el_add_locus(mi, "Source", d->maps[k].luid, NULL) == NULL)
                return CT_ERR_NOMEM;
        }
    }
    c->phase = PH_MAP;
    return finish_message(c, true, out);
}

static bool all_acked(const struct cdb *d)
{
    for (size_t k = 0; k < d->n_changes; k++)
        if (!d->changes[k].acked || d->changes[k].refused)
            return false;
    return true;
}

/*
 * Some changes of d were refused or never answered: they stay pending, to go again in the next
 * sync (DS-CLI-22), and the others are synced. ct_cstore marks whole databases only, so each
 * acknowledged item is made clean by writing it back (ct_cstore_overwrite) and the tombstones
 * all stay: a Delete acknowledged now goes once more, and its 200/211/404 then completes it.
 */
static int mark_acked(struct ct_client *c, const struct cdb *d)
{
    for (size_t k = 0; k < d->n_changes; k++) {
        const struct change *ch = &d->changes[k];
        bool acked = ch->acked && !ch->refused;
        if (ch->state == CT_CSTATE_DELETED)
            continue;
        struct ct_record r;
        int rc = ct_cstore_get(c->store, d->name, ch->luid, &r);
        if (rc == CT_ERR_MISSING) /* removed since by the server's Pkg#4 */
            continue;
        if (rc != CT_OK)
            return rc;
        if (acked && r.state != CT_CSTATE_CLEAN)
            rc = ct_cstore_overwrite(c->store, d->name, ch->luid, NULL, r.data, r.len);
        else if (!acked && r.state == CT_CSTATE_CLEAN && ch->state == CT_CSTATE_CLEAN)
            /* A clean item sent by a slow or refresh sync, refused: a change again, so that the
             * next two-way sync sends it (a Replace of an unknown item is an Add, DS-SYNC-18). */
            rc = ct_cstore_replace(c->store, d->name, ch->luid, r.data, r.len);
        ct_record_cleanup(&r);
        if (rc != CT_OK)
            return rc;
    }
    return CT_OK;
}

/* More of the server's package to come (a message without Final): acknowledge what came and ask
 * for the next message with Alert 222, without Final (DS-CLI-15). */
static int ask_more(struct ct_client *c, struct ct_buf *out)
{
    xmlNode *al = ct_build_cmd(c->out, NULL, "Alert");
    ct_el_add(al, "Data", "222");
    xmlNode *item = ct_el_add(al, "Item", NULL);
    ct_el_add_locus(item, "Target", c->cfg.url, NULL);
    if (ct_el_add_locus(item, "Source", c->cfg.device_id, NULL) == NULL)
        return CT_ERR_NOMEM;
    return finish_message(c, false, out);
}

/* Pkg#6 acknowledged everything: the local store is in step with the server, but for the
 * changes the server did not acknowledge. */
static int complete(struct ct_client *c)
{
    int rc = ct_cstore_begin(c->store);
    for (size_t i = 0; rc == CT_OK && i < c->n_dbs; i++) {
        const struct cdb *d = &c->dbs[i];
        rc = all_acked(d) ? ct_cstore_mark_synced(c->store, d->name) : mark_acked(c, d);
        if (rc == CT_OK)
            rc = ct_cstore_anchor_set(c->store, c->dbs[i].name, c->dbs[i].next);
    }
    if (rc == CT_OK && c->enc) {
        char key[600];
        pin_key(c, key, sizeof(key));
        rc = ct_cstore_kv_set(c->store, key, c->kid, CT_ENC_KID_LEN);
    }
    if (rc == CT_OK)
        rc = ct_cstore_commit(c->store);
    else
        ct_cstore_rollback(c->store);
    if (rc == CT_OK) {
        c->state = CT_CLIENT_DONE;
        c->phase = PH_OVER;
    }
    return rc;
}

int ct_client_receive(struct ct_client *c, const uint8_t *body, size_t len, const char *type,
                      struct ct_buf *out, bool *done)
{
    *done = false;
    if (c->phase == PH_OVER) {
        *done = true;
        return CT_OK;
    }
    struct ct_msg *m = NULL;
    struct ct_diag diag = {0};
    int rc = ct_msg_parse(&m, body, len, ct_enc_from_content_type(type), &c->cfg.limits, &diag);
    if (rc != CT_OK) {
        fail(c, CT_CLIENT_FAILED, "the server's reply does not parse: %s", diag.text);
        *done = true;
        return CT_OK;
    }
    log_msg(c, "<<<", m);
    c->in = m;
    c->answered = c->msg_id;
    const struct ct_hdr *h = ct_msg_hdr(m);
    if (h->resp_uri != NULL)
        snprintf(c->resp_uri, sizeof(c->resp_uri), "%s", h->resp_uri);
    uint64_t v;
    if (h->meta.max_msg_size != NULL && ct_uint_parse(h->meta.max_msg_size, &v) == CT_OK)
        c->peer_msg = (unsigned long)(v > ULONG_MAX ? ULONG_MAX : v);

    struct ct_enc_outcome *fields = NULL;
    size_t n_fields = 0;
    bool handled = false;
    rc = on_hdr_status(c, out, &handled);
    if (rc == CT_OK && !handled && c->state == CT_CLIENT_RUNNING)
        rc = ct_enc_msg_open(c->enc ? &c->keys : NULL, m, CT_ENC_S2C, &fields, &n_fields);
    if (rc == CT_OK && !handled && c->state == CT_CLIENT_RUNNING) {
        c->in = m;
        rc = new_message(c);
        if (rc == CT_OK && !c->session_auth)
            rc = add_cred(c); /* DS-CLI-5: only 212 made it unnecessary */
        if (rc == CT_OK)
            rc = hdr_status(c);
        if (rc == CT_OK)
            rc = ct_cstore_begin(c->store);
        if (rc == CT_OK) {
            rc = on_commands(c, fields, n_fields);
            if (rc == CT_OK)
                rc = ct_cstore_commit(c->store);
            else
                ct_cstore_rollback(c->store);
        }
        bool final = ct_msg_body(m)->final;
        if (rc == CT_OK && c->state == CT_CLIENT_RUNNING) {
            switch (c->phase) {
            case PH_INIT:
                if (!final) { /* Pkg#3 starts after the whole of Pkg#2 (DS-CLI-15) */
                    rc = ask_more(c, out);
                    break;
                }
                rc = plan_changes(c);
                if (rc == CT_OK)
                    rc = send_changes(c, out);
                break;
            case PH_SYNC: /* the server acknowledged a message of Pkg#3 */
                rc = send_changes(c, out);
                break;
            case PH_RECV:
                rc = final ? send_map(c, out) : ask_more(c, out);
                break;
            case PH_MAP: /* the session is over at the Final of Pkg#6 only (DS-CLI-15) */
                rc = final ? complete(c) : ask_more(c, out);
                break;
            case PH_OVER:
            default:
                break;
            }
        }
    }
    free(fields);
    c->in = NULL;
    ct_msg_free(m);
    *done = c->phase == PH_OVER;
    return rc;
}
