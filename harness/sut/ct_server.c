/*
 * The reference server: sessions, the reply skeleton, authentication and the encryption
 * profile's Pkg#1 (docs/PROFILE.md sections 3, 4, 9). Sync logic is in ct_server_sync.c.
 */
#include "sut/ct_server_int.h"

#include "base/ct_b64.h"
#include "crypto/ct_enc_cert.h"
#include "syncml/ct_build.h"
#include "syncml/ct_summary.h"

#include <limits.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ct_server_config_default(struct ct_server_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->url = "http://127.0.0.1/sync";
    cfg->user = "test";
    cfg->password = "test";
    cfg->auth = CT_AUTH_MD5;
    cfg->dbs[0] = "contacts";
    cfg->dbs[1] = "calendar";
    cfg->dbs[2] = "notes";
    cfg->n_dbs = 3;
    cfg->max_msg_size = 64 * 1024;
    cfg->max_obj_size = 4 * 1024 * 1024;
    ct_limits_default(&cfg->limits);
    ct_enc_policy_default(&cfg->policy);
}

uint64_t srv_now(const struct ct_server *srv)
{
    return srv->cfg.now != NULL ? srv->cfg.now(srv->cfg.now_ctx) : (uint64_t)time(NULL);
}

int ct_server_new(struct ct_server **out, const struct ct_server_config *cfg,
                  struct ct_sstore *store, struct ct_diag *diag)
{
    struct ct_server *srv = calloc(1, sizeof(*srv));
    if (srv == NULL)
        return CT_ERR_NOMEM;
    srv->cfg = *cfg;
    srv->store = store;
    srv->next_token = 1;
    ct_enc_replay_init(&srv->replay, cfg->window);
    if (cfg->key != NULL) {
        if (cfg->chain == NULL || sk_X509_num(cfg->chain) == 0) {
            free(srv);
            return ct_diag_set(diag, CT_ERR_INVALID_ARG, "the profile needs the server certificate");
        }
        if (ct_enc_cert_kid(sk_X509_value(cfg->chain, 0), srv->kids[0]) != CT_OK) {
            free(srv);
            return ct_diag_set(diag, CT_ERR_INVALID_ARG, "cannot hash the server certificate");
        }
        srv->n_kids = 1;
    }
    *out = srv;
    return CT_OK;
}

static void session_reset(struct session *s)
{
    ct_enc_session_wipe(&s->keys);
    free(s->offer);
    for (size_t i = 0; i < s->n_dbs; i++)
        srv_db_cleanup(&s->dbs[i]);
    ct_lo_reset(&s->lo);
    memset(s, 0, sizeof(*s));
}

void ct_server_free(struct ct_server *srv)
{
    if (srv == NULL)
        return;
    for (size_t i = 0; i < MAX_SESSIONS; i++)
        if (srv->sessions[i].used) /* a slot is only ever filled by route(), which marks it */
            session_reset(&srv->sessions[i]);
    ct_enc_replay_cleanup(&srv->replay);
    free(srv);
}

int ct_server_cert_pem(struct ct_server *srv, struct ct_buf *out)
{
    if (srv->cfg.key == NULL)
        return CT_ERR_UNSUPPORTED;
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return CT_ERR_NOMEM;
    int rc = CT_OK;
    for (int i = 0; rc == CT_OK && i < sk_X509_num(srv->cfg.chain); i++)
        if (PEM_write_bio_X509(bio, sk_X509_value(srv->cfg.chain, i)) != 1)
            rc = CT_ERR_INTERNAL;
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);
    if (rc == CT_OK)
        rc = ct_buf_append(out, p, (size_t)n);
    BIO_free(bio);
    return rc;
}

/* ---- sessions ---- */

static unsigned token_of(const char *query)
{
    static const char key[] = "sessionid=";
    const char *p = query != NULL ? strstr(query, key) : NULL;
    if (p == NULL)
        return 0;
    uint64_t v;
    char digits[16];
    size_t n = strspn(p + sizeof(key) - 1, "0123456789");
    if (n == 0 || n >= sizeof(digits))
        return 0;
    memcpy(digits, p + sizeof(key) - 1, n);
    digits[n] = '\0';
    return ct_uint_parse(digits, &v) == CT_OK && v <= UINT32_MAX ? (unsigned)v : 0;
}

static void copy_str(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* The session a request belongs to: by RespURI token, else by SessionID and device (clients that
 * ignore RespURI), else a new one (the least recently used slot is recycled). */
static struct session *route(struct ct_server *srv, const struct ct_request *req,
                             const struct ct_hdr *h)
{
    unsigned token = token_of(req->query);
    for (size_t i = 0; token != 0 && i < MAX_SESSIONS; i++)
        if (srv->sessions[i].used && srv->sessions[i].token == token)
            return &srv->sessions[i];
    bool first = h->msg_id != NULL && strcmp(h->msg_id, "1") == 0;
    for (size_t i = 0; i < MAX_SESSIONS; i++) {
        struct session *s = &srv->sessions[i];
        if (s->used && s->phase != PH_DONE && !first && h->session_id != NULL &&
            strcmp(s->session_id, h->session_id) == 0 && h->source.uri != NULL &&
            strcmp(s->device, h->source.uri) == 0)
            return s;
    }
    struct session *slot = &srv->sessions[0];
    for (size_t i = 0; i < MAX_SESSIONS; i++) {
        if (!srv->sessions[i].used) {
            slot = &srv->sessions[i];
            break;
        }
        if (srv->sessions[i].last_used < slot->last_used)
            slot = &srv->sessions[i];
    }
    session_reset(slot);
    slot->used = true;
    slot->token = srv->next_token++;
    copy_str(slot->session_id, sizeof(slot->session_id), h->session_id);
    copy_str(slot->device, sizeof(slot->device), h->source.uri);
    return slot;
}

/* ---- replies ---- */

xmlNode *srv_status(struct turn *t, const struct ct_cmd *c, const char *target_ref,
                    const char *source_ref, unsigned code)
{
    xmlNode *st = ct_build_status(t->rep, t->msg_ref, c->cmd_id, c->name, target_ref, source_ref, code);
    /* NoResp (RepPro: the sender wants no Status for this command): the Status is built, so
     * that callers can go on filling it, and kept out of the reply. */
    if (st != NULL && c->no_resp) {
        xmlUnlinkNode(st);
        if (t->unsent == NULL)
            t->unsent = xmlNewNode(NULL, (const xmlChar *)"unsent");
        if (t->unsent == NULL || xmlAddChild(t->unsent, st) == NULL) {
            xmlFreeNode(st);
            return NULL;
        }
    }
    return st;
}

static int start_reply(struct turn *t)
{
    const struct ct_hdr *h = ct_msg_hdr(t->req);
    enum ct_ver ver = ct_msg_version(t->req) == CT_VER_1_1 ? CT_VER_1_1 : CT_VER_1_2;
    t->rep = ct_msg_new(ver);
    if (t->rep == NULL)
        return CT_ERR_NOMEM;
    char resp_uri[512];
    snprintf(resp_uri, sizeof(resp_uri), "%s%ssessionid=%u", t->srv->cfg.url,
             strchr(t->srv->cfg.url, '?') != NULL ? "&" : "?", t->s->token);
    struct ct_hdr_spec spec = {
        .session_id = h->session_id != NULL ? h->session_id : "",
        .msg_id = ++t->s->last_out,
        .target_uri = h->source.uri != NULL ? h->source.uri : "",
        .source_uri = t->srv->cfg.url,
        .resp_uri = resp_uri,
        .max_msg_size = t->srv->cfg.max_msg_size,
        .max_obj_size = t->srv->cfg.max_obj_size,
    };
    return ct_build_hdr(t->rep, &spec);
}

/* The SyncHdr Status; it is always the first command of a reply. */
static xmlNode *hdr_status(struct turn *t, unsigned code)
{
    const struct ct_hdr *h = ct_msg_hdr(t->req);
    return ct_build_status(t->rep, t->msg_ref, "0", "SyncHdr", h->target.uri, h->source.uri, code);
}

static int add_hdr_emi(struct turn *t, const char *text)
{
    xmlNode *hdr = ct_msg_hdr_node(t->rep);
    xmlNode *meta = NULL;
    for (xmlNode *c = hdr->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "Meta") == 0)
            meta = c;
    if (meta == NULL)
        meta = ct_el_add(hdr, "Meta", NULL);
    return ct_el_add_metinf(meta, "EMI", text) != NULL ? CT_OK : CT_ERR_NOMEM;
}

/* ---- authentication and the profile (Pkg#1) ---- */

static int add_capabilities(struct turn *t)
{
    struct ct_enc_caps caps = {.n_algs = t->srv->cfg.policy.n_algs, .kts = t->srv->cfg.policy.kts,
                               .required = t->srv->cfg.policy.required};
    memcpy(caps.algs, t->srv->cfg.policy.algs, sizeof(caps.algs));
    memcpy(caps.kid, t->srv->kids[0], CT_ENC_KID_LEN);
    struct ct_buf text;
    ct_buf_init(&text, 0);
    int rc = ct_enc_caps_format(&text, &caps);
    if (rc == CT_OK)
        rc = add_hdr_emi(t, (const char *)text.data);
    ct_buf_cleanup(&text);
    return rc;
}

/* The profile text of the request's SyncHdr Meta, or NULL. */
static const char *offer_of(const struct ct_msg *m)
{
    const struct ct_hdr *h = ct_msg_hdr(m);
    for (size_t i = 0; i < h->meta.n_emi; i++)
        if (ct_enc_is_profile_text(h->meta.emi[i]))
            return h->meta.emi[i];
    return NULL;
}

/*
 * ENC-NEG-3/4, ENC-KT-3/4/5: set up the session keys from an offer, or say 406. Whatever goes
 * wrong with the wrapped key is invisible here: the keys are then random (ct_enc_unwrap).
 */
static int accept_offer(struct turn *t, const char *offer_text, bool *refuse)
{
    struct ct_server *srv = t->srv;
    struct session *s = t->s;
    struct ct_enc_offer o;
    const struct ct_enc_alg *alg = NULL;
    *refuse = true;
    if (ct_enc_offer_parse(&o, offer_text, NULL) != CT_OK ||
        ct_enc_offer_check(&o, &srv->cfg.policy, (const uint8_t(*)[CT_ENC_KID_LEN])srv->kids,
                           srv->n_kids, &alg, NULL) != CT_OK)
        return CT_OK;
    uint8_t key[CT_ENC_KEY_LEN];
    bool replay_bug = ct_bug_on(&srv->cfg.bugs, CT_BUG_REPLAY_ACCEPTED);
    uint64_t now = srv_now(srv);
    /* replay-accepted: no cache, and a blob's time is taken to be now. */
    int rc = ct_enc_unwrap(key, srv->cfg.key, o.kt, o.wrapped, o.wrapped_len, now,
                           replay_bug ? NULL : &srv->replay);
    if (rc == CT_ERR_CRYPTO && replay_bug) {
        struct ct_rsa_scheme scheme;
        ct_enc_kt_scheme(o.kt, &scheme);
        uint8_t blob[512];
        size_t len = 0;
        if (ct_rsa_decrypt(srv->cfg.key, &scheme, NULL, 0, o.wrapped, o.wrapped_len, blob, &len) == CT_OK &&
            len == CT_ENC_BLOB_LEN && blob[0] == CT_ENC_BLOB_VERSION) {
            memcpy(key, blob + 9, CT_ENC_KEY_LEN);
            rc = CT_OK;
        }
        ct_wipe(blob, sizeof(blob));
    }
    if (rc == CT_ERR_CRYPTO && ct_bug_on(&srv->cfg.bugs, CT_BUG_PKCS1_ORACLE)) {
        ct_wipe(key, sizeof(key));
        return CT_OK; /* the oracle: a distinct answer (406) for a bad wrapping */
    }
    const struct ct_hdr *h = ct_msg_hdr(t->req);
    struct ct_enc_binding b = {offer_text, h->session_id != NULL ? h->session_id : "",
                               h->source.uri != NULL ? h->source.uri : ""};
    ct_enc_session_wipe(&s->keys);
    rc = ct_enc_session_init(&s->keys, alg, o.parts, key, &b, NULL);
    if (rc == CT_ERR_CRYPTO) {
        /* Degenerate 3DES keys are a key-transport failure too: random keys, same path. */
        ct_random(key, sizeof(key));
        rc = ct_enc_session_init(&s->keys, alg, o.parts, key, &b, NULL);
    }
    ct_wipe(key, sizeof(key));
    if (rc != CT_OK)
        return rc;
    free(s->offer);
    s->offer = strdup(offer_text);
    if (s->offer == NULL)
        return CT_ERR_NOMEM;
    copy_str(s->parts, sizeof(s->parts), o.parts_text);
    s->enc = true;
    *refuse = false;
    return CT_OK;
}

/* Bugs that change what opening the fields means (ct_server's seeded defects). */
static void apply_field_bugs(struct turn *t);

/* The outcome of the credential field, CT_OK when there is none to worry about. */
static int cred_outcome(const struct turn *t)
{
    for (size_t i = 0; i < t->n_fields; i++)
        if (t->fields[i].part == CT_ENC_PART_CRED)
            return t->fields[i].rc;
    return CT_OK;
}

static int new_nonce(struct turn *t, uint8_t nonce[16])
{
    if (ct_bug_on(&t->srv->cfg.bugs, CT_BUG_MD5_NONCE_REUSE))
        memcpy(nonce, "conftest-nonce!!", 16);
    else if (ct_random(nonce, 16) != CT_OK)
        return CT_ERR_INTERNAL;
    return ct_sstore_nonce_set(t->srv->store, t->s->device, nonce, 16);
}

/* A challenge for the next attempt or session: md5 gets a fresh nonce. */
static int add_chal(struct turn *t, xmlNode *status)
{
    uint8_t nonce[16];
    enum ct_auth_type type = t->srv->cfg.auth;
    if (type == CT_AUTH_MD5) {
        int rc = new_nonce(t, nonce);
        if (rc != CT_OK)
            return rc;
    }
    return ct_auth_chal_add(status, type, nonce, type == CT_AUTH_MD5 ? 16 : 0) != NULL ? CT_OK
                                                                                      : CT_ERR_NOMEM;
}

/*
 * The SyncHdr of a message of an unauthenticated session: the profile's offer, then the
 * credential. Sets *code to the SyncHdr status.
 */
static int authenticate(struct turn *t, unsigned *code)
{
    struct ct_server *srv = t->srv;
    struct session *s = t->s;
    const struct ct_hdr *h = ct_msg_hdr(t->req);
    const char *offer = offer_of(t->req);
    int rc = CT_OK;
    /* Every Pkg#1 attempt brings its own offer and key (ENC-KT-1). */
    s->enc = false;
    if (srv->cfg.key != NULL) {
        bool refuse = false;
        if (offer != NULL)
            rc = accept_offer(t, offer, &refuse);
        else if (srv->cfg.policy.required && !ct_bug_on(&srv->cfg.bugs, CT_BUG_PLAIN_WHEN_REQUIRED))
            refuse = true;
        if (rc != CT_OK)
            return rc;
        if (refuse && offer != NULL && ct_bug_on(&srv->cfg.bugs, CT_BUG_REFUSED_OFFER_500))
            return CT_ERR_UNSUPPORTED; /* the defect: the whole message fails, HTTP 500 */
        if (refuse) {
            *code = 406;
            return hdr_status(t, 406) != NULL ? add_capabilities(t) : CT_ERR_NOMEM;
        }
    }
    /* Open every field now: the credential decides the SyncHdr, the rest is used if it passes. */
    rc = ct_enc_msg_open(s->enc ? &s->keys : NULL, t->req, CT_ENC_C2S, &t->fields, &t->n_fields);
    if (rc != CT_OK)
        return rc;
    apply_field_bugs(t);
    h = ct_msg_hdr(t->req);

    if (h->source.name != NULL && ct_bug_on(&srv->cfg.bugs, CT_BUG_LOCNAME_OVERFLOW)) {
        /* locname-overflow: the classic fixed buffer (kept out of the optimiser's sight). */
        char name[64];
        volatile char *sink = name;
        strcpy(name, h->source.name);
        (void)sink[0];
    }

    struct ct_auth_expect exp = {.user = srv->cfg.user, .password = srv->cfg.password};
    uint8_t nonce[64];
    size_t nonce_len = 0;
    rc = ct_sstore_nonce_get(srv->store, s->device, nonce, &nonce_len);
    if (rc != CT_OK)
        return rc;
    exp.nonce = nonce;
    exp.nonce_len = nonce_len;
    int verdict;
    if (h->cred.node == NULL)
        verdict = CT_ERR_MISSING;
    else if (cred_outcome(t) != CT_OK)
        verdict = CT_ERR_AUTH; /* ENC-ERR-2: exactly as a wrong password */
    else
        verdict = ct_auth_verify(&h->cred, h->source.name, &exp, NULL);

    xmlNode *st;
    if (verdict == CT_OK) {
        *code = 212;
        s->authed = true;
        st = hdr_status(t, 212);
        rc = st != NULL && srv->cfg.auth == CT_AUTH_MD5 ? add_chal(t, st) : st != NULL ? CT_OK : CT_ERR_NOMEM;
        if (rc == CT_OK && s->enc) {
            struct ct_buf sel;
            ct_buf_init(&sel, 0);
            rc = ct_enc_selection_format(&sel, &s->keys, s->offer, s->parts);
            if (rc == CT_OK)
                rc = add_hdr_emi(t, (const char *)sel.data);
            ct_buf_cleanup(&sel);
        }
        return rc;
    }
    *code = verdict == CT_ERR_MISSING && !ct_bug_on(&srv->cfg.bugs, CT_BUG_401_FOR_407) ? 407 : 401;
    st = hdr_status(t, *code);
    /* The session keys go: a new attempt brings a new offer. */
    s->enc = false;
    ct_enc_session_wipe(&s->keys);
    return st != NULL ? add_chal(t, st) : CT_ERR_NOMEM;
}

/* ---- seeded field bugs ---- */

/* ignore-tag: decrypt a field's ciphertext without checking its tag or MAC. */
static bool open_ignoring_tag(const struct ct_enc_session *ks, const char *b64, struct ct_buf *out)
{
    uint8_t *ef = NULL;
    size_t n = 0;
    struct ct_enc_ef e;
    if (ct_b64_decode(&ef, &n, b64) != CT_OK || ct_enc_ef_split(ef, n, &e) != CT_OK) {
        free(ef);
        return false;
    }
    const struct ct_enc_alg *alg = ks->alg;
    const struct ct_enc_dirkeys *k = &ks->dir[CT_ENC_C2S];
    uint8_t *pt = malloc(e.ct_len + 32);
    size_t len = 0;
    bool ok = false;
    if (pt != NULL && alg->mode == CT_ENC_MODE_GCM && e.iv_len == 12) {
        /* GCM is CTR from counter block nonce || 2 (RFC 5116/SP 800-38D with a 96-bit IV). */
        uint8_t ctr[16];
        memcpy(ctr, e.iv, 12);
        memcpy(ctr + 12, "\x00\x00\x00\x02", 4);
        EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, alg->enc_len == 16 ? "AES-128-CTR" : "AES-256-CTR", NULL);
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        int l1 = 0;
        ok = c != NULL && ctx != NULL && EVP_DecryptInit_ex2(ctx, c, k->enc, ctr, NULL) == 1 &&
             (e.ct_len == 0 || EVP_DecryptUpdate(ctx, pt, &l1, e.ct, (int)e.ct_len) == 1);
        len = (size_t)l1;
        EVP_CIPHER_CTX_free(ctx);
        EVP_CIPHER_free(c);
    } else if (pt != NULL && alg->mode != CT_ENC_MODE_GCM) {
        ok = ct_cbc(false, alg->cipher, k->enc, alg->enc_len, e.iv, true, e.ct, e.ct_len, pt, &len) == CT_OK;
    }
    if (ok)
        ct_buf_append(out, pt, len);
    free(pt);
    free(ef);
    return ok;
}

/* padding-oracle: whether a CBC field's padding is bad (checked before, and apart from, its MAC). */
static bool bad_padding(const struct ct_enc_session *ks, const char *b64)
{
    uint8_t *ef = NULL;
    size_t n = 0;
    struct ct_enc_ef e;
    if (ct_b64_decode(&ef, &n, b64) != CT_OK || ct_enc_ef_split(ef, n, &e) != CT_OK) {
        free(ef);
        return false;
    }
    uint8_t *pt = malloc(e.ct_len + 32);
    size_t len = 0;
    bool bad = pt != NULL && e.ct_len > 0 &&
               ct_cbc(false, ks->alg->cipher, ks->dir[CT_ENC_C2S].enc, ks->alg->enc_len, e.iv, true,
                      e.ct, e.ct_len, pt, &len) != CT_OK;
    free(pt);
    free(ef);
    return bad;
}

#define RC_PADDING_ORACLE (-1000) /* internal outcome: answered 500 by the padding-oracle bug */

static void apply_field_bugs(struct turn *t)
{
    const struct ct_bugs *bugs = &t->srv->cfg.bugs;
    bool changed = false;
    for (size_t i = 0; i < t->n_fields; i++) {
        struct ct_enc_outcome *o = &t->fields[i];
        if (o->rc == CT_OK)
            continue;
        xmlNode *data = NULL;
        for (xmlNode *c = o->holder->children; c != NULL; c = c->next)
            if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "Data") == 0)
                data = c;
        char *b64 = data != NULL ? (char *)xmlNodeGetContent(data) : NULL;
        if (!o->marked && o->rc == CT_ERR_PROTO && ct_bug_on(bugs, CT_BUG_ACCEPT_CLEAR_FIELDS)) {
            o->rc = CT_OK; /* used as plain data */
        } else if (o->marked && o->rc == CT_ERR_CRYPTO && t->s->enc && b64 != NULL) {
            if (ct_bug_on(bugs, CT_BUG_PADDING_ORACLE) && t->s->keys.alg->mode != CT_ENC_MODE_GCM &&
                bad_padding(&t->s->keys, b64)) {
                o->rc = RC_PADDING_ORACLE;
            } else if (ct_bug_on(bugs, CT_BUG_IGNORE_TAG)) {
                struct ct_buf pt;
                ct_buf_init(&pt, 0);
                if (open_ignoring_tag(&t->s->keys, b64, &pt) && pt.data != NULL) {
                    xmlNodeSetContent(data, NULL);
                    xmlNodeAddContentLen(data, pt.data, (int)pt.len);
                    o->rc = CT_OK;
                    changed = true;
                }
                ct_buf_cleanup(&pt);
            }
        }
        xmlFree(b64);
    }
    if (changed)
        ct_msg_reindex(t->req);
}

int srv_field_status(const struct turn *t, const xmlNode *cmd, const xmlNode *holder)
{
    for (size_t i = 0; i < t->n_fields; i++) {
        const struct ct_enc_outcome *o = &t->fields[i];
        if (o->cmd != cmd || (holder != NULL && o->holder != holder))
            continue;
        switch (o->rc) {
        case CT_OK: break;
        case CT_ERR_CRYPTO_LIMIT: return 413;
        case RC_PADDING_ORACLE: return 500;
        default: return 400;
        }
    }
    return 0;
}

/* ---- the request ---- */

const char *srv_db_name(const struct ct_server *srv, const char *uri)
{
    if (uri == NULL)
        return NULL;
    const char *name = strncmp(uri, "./", 2) == 0 ? uri + 2 : uri;
    for (size_t i = 0; i < srv->cfg.n_dbs; i++)
        if (strcmp(srv->cfg.dbs[i], name) == 0)
            return srv->cfg.dbs[i];
    return NULL;
}

static void log_msg(const struct ct_server *srv, const char *dir, const struct ct_msg *m)
{
    if (srv->cfg.log == NULL || m == NULL)
        return;
    struct ct_buf b;
    ct_buf_init(&b, 0);
    if (ct_msg_summary(m, &b) == CT_OK)
        fprintf(srv->cfg.log, "server %s %s\n", dir, (const char *)b.data);
    ct_buf_cleanup(&b);
}

static int text_response(struct ct_response *resp, int status, const char *text)
{
    resp->http_status = status;
    resp->content_type = "text/plain";
    int rc = ct_buf_append_str(&resp->body, text);
    return rc == CT_OK ? ct_buf_append_str(&resp->body, "\n") : rc;
}

static void peer_limits(struct session *s, const struct ct_hdr *h)
{
    uint64_t v;
    if (h->meta.max_msg_size != NULL && ct_uint_parse(h->meta.max_msg_size, &v) == CT_OK)
        s->peer_msg = v > ULONG_MAX ? ULONG_MAX : (unsigned long)v;
    if (h->meta.max_obj_size != NULL && ct_uint_parse(h->meta.max_obj_size, &v) == CT_OK)
        s->peer_obj = v > ULONG_MAX ? ULONG_MAX : (unsigned long)v;
}

static int handle(struct turn *t, bool *final)
{
    const struct ct_hdr *h = ct_msg_hdr(t->req);
    *final = true;
    /* DS 1.2 or 1.1 only: others get 513 and nothing else. */
    if (h->ver_proto == NULL ||
        (strcmp(h->ver_proto, "SyncML/1.2") != 0 && strcmp(h->ver_proto, "SyncML/1.1") != 0))
        return hdr_status(t, 513) != NULL ? CT_OK : CT_ERR_NOMEM;
    if (h->ver_dtd == NULL || (strcmp(h->ver_dtd, "1.2") != 0 && strcmp(h->ver_dtd, "1.1") != 0))
        return hdr_status(t, 505) != NULL ? CT_OK : CT_ERR_NOMEM;
    peer_limits(t->s, h);
    if (!t->s->authed) {
        unsigned code = 0;
        int rc = authenticate(t, &code);
        if (rc != CT_OK || code != 212)
            return rc;
    } else {
        int rc = ct_enc_msg_open(t->s->enc ? &t->s->keys : NULL, t->req, CT_ENC_C2S, &t->fields,
                                 &t->n_fields);
        if (rc != CT_OK)
            return rc;
        apply_field_bugs(t);
        if (hdr_status(t, 200) == NULL)
            return CT_ERR_NOMEM;
    }
    int rc = srv_body(t);
    if (rc != CT_OK)
        return rc;
    return srv_pkg4(t, final);
}

int ct_server_handle(struct ct_server *srv, const struct ct_request *req, struct ct_response *resp)
{
    ct_buf_init(&resp->body, 0);
    resp->http_status = 200;
    struct ct_diag diag = {0};
    struct ct_msg *m = NULL;
    enum ct_enc enc = ct_enc_from_content_type(req->content_type);
    int rc = ct_msg_parse(&m, req->body, req->len, enc, &srv->cfg.limits, &diag);
    if (rc != CT_OK)
        return text_response(resp, ct_err_is_fatal(rc) ? 500 : 400, diag.text);
    log_msg(srv, "<<<", m);
    const struct ct_hdr *h = ct_msg_hdr(m);
    if (h->node == NULL || ct_msg_body(m)->node == NULL) {
        ct_msg_free(m);
        return text_response(resp, 400, "not a SyncML message: no SyncHdr or SyncBody");
    }
    struct turn t = {.srv = srv, .req = m, .msg_ref = h->msg_id != NULL ? h->msg_id : "0"};
    t.s = route(srv, req, h);
    t.s->last_used = srv_now(srv);
    t.s->encoding = ct_msg_encoding(m);
    /* A message is applied whole or not at all. */
    rc = ct_sstore_begin(srv->store);
    if (rc == CT_OK)
        rc = start_reply(&t);
    bool final = true;
    if (rc == CT_OK)
        rc = handle(&t, &final);
    if (rc == CT_OK)
        rc = ct_sstore_commit(srv->store);
    else
        ct_sstore_rollback(srv->store);
    if (rc == CT_OK && final && ct_build_final(t.rep) == NULL)
        rc = CT_ERR_NOMEM;
    if (rc == CT_OK && t.s->enc && t.s->authed) {
        struct ct_diag d = {0};
        rc = ct_enc_msg_seal(&t.s->keys, t.rep, CT_ENC_S2C, &d); /* reindexes */
    } else if (rc == CT_OK) {
        rc = ct_msg_reindex(t.rep);
    }
    log_msg(srv, ">>>", t.rep);
    if (rc == CT_OK) {
        struct ct_ser_opts opts = {.enc = t.s->encoding};
        rc = ct_msg_serialize(t.rep, &opts, &resp->body, &diag);
        resp->content_type = ct_enc_content_type(t.s->encoding);
    }
    free(t.fields);
    ct_msg_free(t.rep);
    xmlFreeNode(t.unsent);
    ct_msg_free(m);
    if (rc == CT_ERR_NOMEM || rc == CT_ERR_IO || rc == CT_ERR_INTERNAL)
        return rc;
    if (rc != CT_OK) {
        ct_buf_reset(&resp->body);
        return text_response(resp, 500, diag.code != CT_OK ? diag.text : ct_strerror(rc));
    }
    return CT_OK;
}
