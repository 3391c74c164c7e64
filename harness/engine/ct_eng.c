/*
 * The engine's main loop: one scenario, step by step, against one live SUT.
 *
 * The two roles meet the same steps from opposite ends. With a server SUT, conftest is the
 * client: `send` posts a message and keeps the answer, the `expect` below judges it. With a
 * client SUT, conftest is the server: `expect` waits for the client's next request and judges
 * it, the `send` below answers it. Whatever arrives is parsed, its profile texts read and its
 * encrypted fields opened with the session keys before anything judges it (ct_eng_crypto.c),
 * and the built-in variables (docs/SCENARIOS.md 4.1) are updated from it.
 */
#include "engine/ct_eng_int.h"

#include "base/ct_b64.h"
#include "crypto/ct_cipher.h"
#include "syncml/ct_auth.h"
#include "syncml/ct_view.h"

#include <jansson.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const verb_names[] = {"send", "expect", "session", "resend", "sleep", "set", "hangup"};

int eng_error(struct eng *e, unsigned line, const char *fmt, ...)
{
    if (e->error[0] != '\0')
        return CT_ERR_USAGE;
    int n = line > 0 ? snprintf(e->error, sizeof(e->error), "%s:%u: ", e->scn->file, line) : 0;
    if (n < 0 || (size_t)n >= sizeof(e->error))
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->error + n, sizeof(e->error) - (size_t)n, fmt, ap);
    va_end(ap);
    return CT_ERR_USAGE;
}

const char *eng_dir_name(const struct eng *e, bool sending)
{
    bool c2s = (e->role == CT_SCN_ROLE_SERVER) == sending;
    return c2s ? "c2s" : "s2c";
}

/* ---- sessions ---- */

static int new_session(struct eng *e)
{
    e->session_no++;
    e->msg_id = 0;
    e->nonce_len = 0;
    /* have_our_nonce stays: the last NextNonce conftest sent is the one a client's next session
     * answers (DS-CLI-1). */
    eng_crypto_session_reset(e);
    snprintf(e->url, sizeof(e->url), "%s", ct_peer_url(e->peer));
    uint8_t r[4];
    if (ct_random(r, sizeof(r)) != CT_OK)
        return CT_ERR_INTERNAL;
    char sid[16], next[40];
    snprintf(sid, sizeof(sid), "%u", ((unsigned)r[0] << 16 | (unsigned)r[1] << 8 | r[2]) % 1000000u + 1);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(next, sizeof(next), "%Y%m%dT%H%M%SZ", &tm);
    snprintf(next + strlen(next), sizeof(next) - strlen(next), "-%u", e->session_no);
    const char *prev = eng_var_get(e, "anchor.next");
    int rc = eng_var_set(e, "anchor.last", prev != NULL ? prev : "");
    if (rc == CT_OK)
        rc = eng_var_set(e, "anchor.next", next);
    if (rc == CT_OK && e->role == CT_SCN_ROLE_SERVER)
        rc = eng_var_set(e, "session", sid);
    if (rc == CT_OK)
        rc = eng_var_set(e, "url", e->url);
    return rc;
}

/* Client SUT: the settings of one session, from the scenario's header and the step's k=v. */
static const char *setting(const struct ct_scn_step *st, const struct ct_scn *scn, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; st != NULL && i < st->n_args; i++)
        if (strncmp(st->args[i], key, kl) == 0 && st->args[i][kl] == '=')
            return st->args[i] + kl + 1;
    char full[64];
    snprintf(full, sizeof(full), "client-%s", key);
    return ct_scn_param(scn, full);
}

static int start_client(struct eng *e, const struct ct_scn_step *st)
{
    /* End what runs: hang up on a pending request, give the process a moment, then the peer
     * kills it when the next one starts. */
    if (ct_peer_session_running(e->peer)) {
        ct_peer_answer(e->peer, NULL, 0, NULL);
        struct ct_outcome o;
        ct_outcome_init(&o);
        for (int i = 0; i < 4 && ct_peer_session_running(e->peer); i++) {
            ct_peer_wait(e->peer, 500, &o);
            if (o.kind == CT_OUT_MESSAGE)
                ct_peer_answer(e->peer, NULL, 0, NULL);
        }
        ct_outcome_cleanup(&o);
    }
    e->request_pending = false; /* hung up on, if it was */
    int rc = new_session(e);
    if (rc != CT_OK)
        return rc;
    char cert[1200], ca[1200];
    const char *pki = ct_scn_param(e->scn, "pki");
    snprintf(cert, sizeof(cert), "%s/pki/server-%s.pem", e->cfg->vectors,
             pki != NULL ? pki : e->sut->pki != NULL ? e->sut->pki : "2048");
    snprintf(ca, sizeof(ca), "%s/pki/ca.pem", e->cfg->vectors);
    const char *items = setting(st, e->scn, "items");
    const char *enc = ct_scn_param(e->scn, "encoding");
    struct ct_peer_session s = {
        .mode = setting(st, e->scn, "mode"),
        .password = setting(st, e->scn, "password"),
        .auth = setting(st, e->scn, "auth"),
        .profile = setting(st, e->scn, "profile"),
        .server_cert = cert,
        .ca = ca,
        .items = e->session_no == 1 && items != NULL ? (unsigned)strtoul(items, NULL, 10) : 0,
        .algs = setting(st, e->scn, "algs"),
        .kt = setting(st, e->scn, "kt"),
        .wbxml = enc != NULL ? strcmp(enc, "wbxml") == 0 : e->sut->encoding == CT_ENC_WBXML,
    };
    struct ct_diag d = {0};
    if (ct_peer_session_start(e->peer, &s, &d) != CT_OK)
        return eng_error(e, st != NULL ? st->line : 0, "%s", d.text);
    eng_record_note(e, "session %u of the client started", e->session_no);
    return CT_OK;
}

/* ---- receiving ---- */

static void set_var_if(struct eng *e, const char *name, const char *value)
{
    if (value != NULL)
        eng_var_set(e, name, value);
}

/* What every received message updates: docs/SCENARIOS.md 4.1. */
static int absorb(struct eng *e)
{
    const struct ct_hdr *h = ct_msg_hdr(e->in);
    set_var_if(e, "msgref", h->msg_id);
    if (e->role == CT_SCN_ROLE_SERVER) {
        if (h->resp_uri != NULL && h->resp_uri[0] != '\0') {
            snprintf(e->url, sizeof(e->url), "%s", h->resp_uri);
            eng_var_set(e, "respuri", h->resp_uri);
        }
        const struct ct_cmd *st = ct_msg_find_status(e->in, "0");
        if (st != NULL && st->chal.node != NULL) {
            uint8_t *nonce = NULL;
            size_t n = 0;
            if (ct_auth_chal_nonce(&st->chal, &nonce, &n) == CT_OK && n <= sizeof(e->nonce)) {
                memcpy(e->nonce, nonce, n);
                e->nonce_len = n;
                set_var_if(e, "nonce", st->chal.meta.next_nonce);
            } else {
                /* Not a nonce conftest can use: never answer with a stale one. */
                e->nonce_len = 0;
                eng_var_set(e, "nonce", "");
                eng_record_note(e, "the challenge's NextNonce is unreadable or over %zu bytes", sizeof(e->nonce));
            }
            free(nonce);
        }
    } else {
        set_var_if(e, "session", h->session_id);
        set_var_if(e, "device", h->source.uri);
        set_var_if(e, "url", h->target.uri);
        /* The first Alert of a sync: which databases, which anchors. */
        const struct ct_body *b = ct_msg_body(e->in);
        for (size_t i = 0; i < b->n_cmds; i++) {
            const struct ct_cmd *c = &b->cmds[i];
            /* Sync Alerts only (200-210): a 222 "next message" names no database. */
            uint64_t code = 0;
            if (c->kind != CT_CMD_ALERT || c->n_items == 0 || c->items[0].target.uri == NULL ||
                c->data == NULL || ct_uint_parse(c->data, &code) != CT_OK || code < 200 || code > 210)
                continue;
            set_var_if(e, "alert.code", c->data);
            set_var_if(e, "client.db", c->items[0].source.uri);
            set_var_if(e, "server.db", c->items[0].target.uri);
            eng_var_set(e, "alert.last", c->items[0].meta.anchor_last != NULL ? c->items[0].meta.anchor_last : "");
            set_var_if(e, "alert.next", c->items[0].meta.anchor_next);
            break;
        }
    }
    return CT_OK;
}

static int receive(struct eng *e)
{
    ct_msg_free(e->in);
    e->in = NULL;
    e->in_error[0] = '\0';
    free(e->fields);
    e->fields = NULL;
    e->n_fields = 0;
    e->cred_state = ENG_CRED_NONE;
    e->crypto.got_offer = e->crypto.got_selection = false;
    int rc = CT_OK;
    if (e->out.kind == CT_OUT_MESSAGE) {
        struct ct_diag d = {0};
        enum ct_enc enc = ct_enc_from_content_type(e->out.content_type);
        if (e->out.body.len == 0)
            snprintf(e->in_error, sizeof(e->in_error), "an empty body");
        else if (ct_msg_parse(&e->in, e->out.body.data, e->out.body.len, enc, NULL, &d) != CT_OK)
            snprintf(e->in_error, sizeof(e->in_error), "%s", d.text);
        if (e->in != NULL) {
            rc = eng_crypto_receive(e);
            if (rc == CT_OK)
                rc = absorb(e);
        }
    }
    eng_record(e, false, e->out.body.data, e->out.body.len, e->out.content_type, &e->out);
    return rc;
}

/* Client SUT: remember the NextNonce conftest put in a challenge, to check the next credential. */
static void note_our_nonce(struct eng *e, const uint8_t *data, size_t len, const char *ctype)
{
    struct ct_msg *m = NULL;
    if (ct_msg_parse(&m, data, len, ct_enc_from_content_type(ctype), NULL, NULL) != CT_OK)
        return;
    const struct ct_cmd *st = ct_msg_find_status(m, "0");
    if (st != NULL && st->chal.node != NULL) {
        uint8_t *nonce = NULL;
        size_t n = 0;
        e->have_our_nonce = false;
        if (ct_auth_chal_nonce(&st->chal, &nonce, &n) == CT_OK && n <= sizeof(e->our_nonce)) {
            memcpy(e->our_nonce, nonce, n);
            e->our_nonce_len = n;
            e->have_our_nonce = true;
        }
        free(nonce);
    }
    ct_msg_free(m);
}

/* ---- steps ---- */

static int keep_sent(struct eng *e, const uint8_t *data, size_t len, const char *ctype)
{
    if (e->n_sent == ENG_MAX_SENT)
        return CT_OK;
    struct eng_sent *s = &e->sent[e->n_sent];
    s->data = malloc(len > 0 ? len : 1);
    if (s->data == NULL)
        return CT_ERR_NOMEM;
    memcpy(s->data, data, len);
    s->len = len;
    snprintf(s->content_type, sizeof(s->content_type), "%s", ctype);
    e->n_sent++;
    return CT_OK;
}

static int transmit(struct eng *e, const struct ct_scn_step *st, const uint8_t *data, size_t len, const char *ctype)
{
    eng_record(e, true, data, len, ctype, NULL);
    if (e->role == CT_SCN_ROLE_SERVER) {
        int rc = ct_peer_exchange(e->peer, e->url, data, len, ctype, e->timeout_ms, &e->out);
        if (rc != CT_OK)
            return rc;
        e->have_out = true;
        return receive(e);
    }
    if (!e->request_pending)
        return eng_error(e, st->line, "%s: no request from the client to answer (an expect must come before)",
                         verb_names[st->verb]);
    e->request_pending = false;
    note_our_nonce(e, data, len, ctype);
    return ct_peer_answer(e->peer, data, len, ctype) == CT_OK ? CT_OK
                                                               : eng_error(e, st->line, "the client's request is gone");
}

static int do_send(struct eng *e, const struct ct_scn_step *st)
{
    if (e->role == CT_SCN_ROLE_CLIENT && !e->request_pending)
        return eng_error(e, st->line, "send: no request from the client to answer (an expect must come before)");
    struct ct_buf msg;
    ct_buf_init(&msg, 16 << 20);
    char ctype[128];
    int rc = eng_build(e, st, &msg, ctype, sizeof(ctype));
    if (rc == CT_OK)
        rc = keep_sent(e, msg.data, msg.len, ctype);
    if (rc == CT_OK)
        rc = transmit(e, st, msg.data, msg.len, ctype);
    ct_buf_cleanup(&msg);
    return rc;
}

static int do_resend(struct eng *e, const struct ct_scn_step *st)
{
    unsigned long n = strtoul(st->args[0], NULL, 10);
    if (n == 0 || n > e->n_sent)
        return eng_error(e, st->line, "resend %s: conftest has sent %zu messages so far", st->args[0], e->n_sent);
    const struct eng_sent *s = &e->sent[n - 1];
    return transmit(e, st, s->data, s->len, s->content_type);
}

static void alternatives_text(const struct ct_scn_step *st, struct ct_buf *out)
{
    for (size_t a = 0; a < st->n_alts; a++) {
        const struct ct_scn_alt *alt = &st->alts[a];
        ct_buf_printf(out, "%sline %u: ", a > 0 ? "\nor " : "", alt->line);
        for (size_t i = 0; i < alt->n_dirs; i++)
            ct_buf_printf(out, "%s%s%s%s", i > 0 ? "; " : "", alt->dirs[i].name, alt->dirs[i].rest[0] ? " " : "",
                          alt->dirs[i].rest);
    }
}

static char *steal_str(struct ct_buf *b)
{
    if (ct_buf_append(b, "", 1) != CT_OK)
        return NULL;
    return (char *)ct_buf_steal(b, NULL);
}

/* Judge the outcome at hand; on failure fill the result. Returns whether it passed. */
static bool do_expect(struct eng *e, const struct ct_scn_step *st, struct ct_result *res)
{
    if (e->role == CT_SCN_ROLE_SERVER) {
        if (!e->have_out) {
            eng_error(e, st->line, "expect: nothing was sent to get an answer for");
            return false;
        }
    } else {
        if (e->request_pending) {
            eng_error(e, st->line, "expect: the client's last request has not been answered (a send must come before)");
            return false;
        }
        if (e->session_no == 0 && start_client(e, NULL) != CT_OK)
            return false;
        int rc = ct_peer_wait(e->peer, e->timeout_ms, &e->out);
        if (rc == CT_OK)
            rc = receive(e);
        if (rc != CT_OK) {
            eng_error(e, st->line, "receiving the client's request: %s", ct_strerror(rc));
            return false;
        }
        e->request_pending = e->out.kind == CT_OUT_MESSAGE;
    }
    e->have_out = false;
    if (e->cfg->probe != NULL) {
        e->cfg->probe->valid = true;
        e->cfg->probe->ms = e->out.ms;
        eng_probe_fingerprint(e, e->cfg->probe->fingerprint, sizeof(e->cfg->probe->fingerprint));
    }
    char why[16][600];
    for (size_t a = 0; a < st->n_alts; a++) {
        why[a][0] = '\0';
        if (eng_judge_alt(e, &st->alts[a], why[a], sizeof(why[a]))) {
            eng_capture_all(e, &st->alts[a]);
            for (size_t i = 0; i < st->alts[a].n_dirs; i++)
                if (strcmp(st->alts[a].dirs[i].name, "next-session") == 0 && !e->skip_session) {
                    e->skip_session = true;
                    eng_record_note(e, "next-session: the rest of session %u is skipped", e->session_no);
                }
            return e->error[0] == '\0';
        }
        if (e->error[0] != '\0')
            return false;
    }
    struct ct_buf b;
    ct_buf_init(&b, 64 << 10);
    res->verdict = CT_VERDICT_FAIL;
    ct_buf_printf(&b, "step %zu (expect, line %u)", e->step_no, st->line);
    res->where = steal_str(&b);
    ct_buf_init(&b, 64 << 10);
    alternatives_text(st, &b);
    res->expected = steal_str(&b);
    ct_buf_init(&b, 64 << 10);
    eng_fingerprint(e, &b);
    res->actual = steal_str(&b);
    ct_buf_init(&b, 64 << 10);
    for (size_t a = 0; a < st->n_alts; a++)
        ct_buf_printf(&b, "%s%s", a > 0 ? "; or " : "", why[a]);
    res->reason = steal_str(&b);
    return false;
}

static int run_step(struct eng *e, const struct ct_scn_step *st, struct ct_result *res, bool *failed)
{
    e->step = st;
    switch (st->verb) {
    case CT_SCN_SEND: return do_send(e, st);
    case CT_SCN_RESEND: return do_resend(e, st);
    case CT_SCN_EXPECT:
        *failed = !do_expect(e, st, res);
        return e->error[0] != '\0' ? CT_ERR_USAGE : CT_OK;
    case CT_SCN_SESSION:
        if (e->role == CT_SCN_ROLE_CLIENT)
            return start_client(e, st);
        if (st->n_args > 0)
            return eng_error(e, st->line, "session settings are for a client SUT; this SUT is a server");
        return new_session(e);
    case CT_SCN_HANGUP:
        if (e->role != CT_SCN_ROLE_CLIENT)
            return eng_error(e, st->line, "hangup is for a client SUT: it closes its pending request");
        if (!e->request_pending)
            return eng_error(e, st->line, "hangup: no request from the client is pending");
        e->request_pending = false;
        eng_record_note(e, "conftest hung up on the client's request");
        return ct_peer_answer(e->peer, NULL, 0, NULL) == CT_OK ? CT_OK
                                                                 : eng_error(e, st->line, "the client's request is gone");
    case CT_SCN_SLEEP: {
        unsigned long ms = strtoul(st->args[0], NULL, 10);
        if (ms > 60000)
            return eng_error(e, st->line, "sleep: at most 60000 ms");
        struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        return CT_OK;
    }
    case CT_SCN_SET: {
        struct ct_buf b;
        ct_buf_init(&b, ENG_VAR_MAX + 1);
        int rc = eng_expand(e, st->args[1], false, &b, "set", st->line);
        if (rc == CT_OK)
            rc = eng_var_set(e, st->args[0], b.data != NULL ? (const char *)b.data : "");
        ct_buf_cleanup(&b);
        return rc;
    }
    default: return eng_error(e, st->line, "unknown step");
    }
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static void fill_identity(const struct ct_scn *scn, struct ct_result *res)
{
    res->id = dup_or_null(scn->id);
    res->title = dup_or_null(scn->title);
    res->file = dup_or_null(scn->file);
    res->role = dup_or_null(ct_scn_role_name(scn->role));
    res->rules = calloc(scn->n_rules + 1, sizeof(char *));
    if (res->rules != NULL) {
        for (size_t i = 0; i < scn->n_rules; i++)
            res->rules[i] = dup_or_null(scn->rules[i]);
        res->n_rules = scn->n_rules;
    }
}

static unsigned param_uint(const struct ct_scn *scn, const char *key)
{
    const char *v = ct_scn_param(scn, key);
    return v != NULL ? (unsigned)strtoul(v, NULL, 10) : 0;
}

/* One test of a Wycheproof RSA decryption file, as a scenario's `vectors` run sees it. */
struct eng_vector {
    const char *key_pem;   /* the group's private key: the builtin server's profile key */
    long tcid;
    const char *ct_hex;
    const char *result;    /* valid, invalid, acceptable */
    const char *comment;
};

static int run_once(const struct ct_scn *scn, const struct ct_eng_config *cfg, struct ct_result *res,
                    const struct eng_vector *v)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fill_identity(scn, res);
    res->verdict = CT_VERDICT_PASS;
    struct eng *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return CT_ERR_NOMEM;
    e->scn = scn;
    e->cfg = cfg;
    e->sut = cfg->sut;
    e->role = scn->role;
    e->timeout_ms = scn->timeout_ms ? scn->timeout_ms : cfg->timeout_ms ? cfg->timeout_ms : 10000;
    ct_outcome_init(&e->out);
    e->request_pending = false;
    char tc[32];
    if (v != NULL) {
        snprintf(tc, sizeof(tc), "tc%ld", v->tcid);
        e->record_name = tc;
    }
    eng_record_open(e);

    /* A client SUT needs conftest's certificate before it starts; a server SUT's may be one made
     * for a vector key when its peer starts. */
    int rc = e->role == CT_SCN_ROLE_CLIENT ? eng_crypto_init(e) : CT_OK;
    struct ct_peer_config pc = {
        .sut = cfg->sut,
        .workdir = cfg->workdir,
        .ref_exe = cfg->ref_exe,
        .vectors = cfg->vectors,
        .ref_bugs = cfg->ref_bugs,
        .n_ref_bugs = cfg->n_ref_bugs,
        .in_process = cfg->ref_in_process,
        .timeout_ms = e->timeout_ms,
        .server_items = param_uint(scn, "server-items"),
        .server_auth = ct_scn_param(scn, "server-auth"),
        .server_require_profile = ct_scn_param(scn, "server-require-profile") != NULL &&
                                  strcmp(ct_scn_param(scn, "server-require-profile"), "yes") == 0,
        .server_max_msg = param_uint(scn, "server-max-msg-size"),
        .server_algs = ct_scn_param(scn, "server-algs"),
        .server_kts = ct_scn_param(scn, "server-kts"),
        .server_key_pem = v != NULL ? v->key_pem : NULL,
        .cert_pem = e->crypto.our_pem,
    };
    struct ct_diag d = {0};
    if (rc == CT_OK && e->error[0] == '\0' && ct_peer_open(&e->peer, &pc, &d) != CT_OK)
        eng_error(e, 0, "the SUT: %s", d.text);
    if (rc == CT_OK && e->peer != NULL && e->role == CT_SCN_ROLE_SERVER)
        rc = eng_crypto_init(e);
    if (rc == CT_OK && v != NULL) {
        char id[24];
        snprintf(id, sizeof(id), "%ld", v->tcid);
        const char *vals[][2] = {{"vec.tcid", id}, {"vec.ct", v->ct_hex}, {"vec.result", v->result},
                                 {"vec.comment", v->comment}};
        for (size_t i = 0; i < 4 && rc == CT_OK; i++)
            rc = eng_var_set(e, vals[i][0], vals[i][1] != NULL ? vals[i][1] : "");
    }
    if (rc == CT_OK && e->peer != NULL) {
        const char *vals[][2] = {{"user", cfg->sut->user},
                                 {"db", cfg->sut->db},
                                 {"db2", cfg->sut->db2},
                                 {"device", cfg->sut->device_id},
                                 {"maxmsgsize", "65536"},
                                 {"maxobjsize", "4194304"}};
        for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]) && rc == CT_OK; i++)
            rc = eng_var_set(e, vals[i][0], vals[i][1] != NULL ? vals[i][1] : "");
        /* The account's credentials, in every form a message can carry them (clear, basic). */
        if (rc == CT_OK && cfg->sut->user != NULL && cfg->sut->password != NULL) {
            char *basic = ct_auth_basic(cfg->sut->user, cfg->sut->password);
            size_t cl = strlen(cfg->sut->user) + strlen(cfg->sut->password) + 2;
            char *clear = malloc(cl);
            if (basic == NULL || clear == NULL) {
                rc = CT_ERR_NOMEM;
            } else {
                snprintf(clear, cl, "%s:%s", cfg->sut->user, cfg->sut->password);
                rc = eng_secret_add(e, basic);
                if (rc == CT_OK)
                    rc = eng_secret_add(e, clear);
            }
            free(basic);
            free(clear);
        }
        if (rc == CT_OK && e->role == CT_SCN_ROLE_SERVER)
            rc = new_session(e);
    }
    bool failed = false;
    for (size_t i = 0; rc == CT_OK && e->error[0] == '\0' && !failed && i < scn->n_steps; i++) {
        e->step_no = i + 1;
        /* `next-session` won an expect: the rest of this session does not apply. */
        if (e->skip_session && scn->steps[i].verb != CT_SCN_SESSION)
            continue;
        e->skip_session = false;
        rc = run_step(e, &scn->steps[i], res, &failed);
        /* Every failure of a step is a harness error with its line, never a silent stop. */
        if (rc != CT_OK && e->error[0] == '\0')
            eng_error(e, scn->steps[i].line, "%s failed: %s", verb_names[scn->steps[i].verb], ct_strerror(rc));
    }
    if (e->error[0] != '\0') {
        res->verdict = CT_VERDICT_ERROR;
        free(res->reason);
        res->reason = strdup(e->error);
        if (e->step != NULL) {
            char where[64];
            snprintf(where, sizeof(where), "step %zu (%s, line %u)", e->step_no, verb_names[e->step->verb], e->step->line);
            free(res->where);
            res->where = strdup(where);
        }
    }
    /* What a SUT sent reaches the result through `actual` and the reasons: mask it there too. */
    eng_redact_str(e, res->reason);
    eng_redact_str(e, res->actual);
    eng_redact_str(e, res->expected);
    if (e->role == CT_SCN_ROLE_CLIENT && e->request_pending && e->peer != NULL)
        ct_peer_answer(e->peer, NULL, 0, NULL);
    if (e->tdir[0] != '\0') {
        eng_record_note(e, "verdict: %s%s%s", ct_verdict_name(res->verdict), res->reason ? ": " : "",
                        res->reason ? res->reason : "");
        res->transcript = strdup(e->tdir);
    }
    ct_peer_close(e->peer);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

    ct_msg_free(e->in);
    free(e->fields);
    free(e->ivs);
    ct_outcome_cleanup(&e->out);
    eng_crypto_cleanup(e);
    eng_vars_free(e);
    for (size_t i = 0; i < e->n_sent; i++)
        free(e->sent[i].data);
    free(e);
    return CT_OK;
}

/* ---- scenarios run once per test vector ---- */

static void append_reason(char **dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void append_reason(char **dst, const char *fmt, ...)
{
    char add[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(add, sizeof(add), fmt, ap);
    va_end(ap);
    size_t old = *dst != NULL ? strlen(*dst) : 0;
    char *p = realloc(*dst, old + strlen(add) + 1);
    if (p == NULL)
        return;
    memcpy(p + old, add, strlen(add) + 1);
    *dst = p;
}

/*
 * A scenario with `vectors FILE` runs once per test of that Wycheproof RSA decryption file: the
 * group's key becomes the builtin server's profile key (with a certificate made for it), and
 * ${vec.ct}, ${vec.tcid}, ${vec.result}, ${vec.comment} describe the test. The scenario's verdict
 * is PASS when every run passed, else FAIL (or ERROR) naming the tests that did not.
 */
static int run_vectors(const struct ct_scn *scn, const struct ct_eng_config *cfg, struct ct_result *res,
                       const char *file)
{
    char path[1200];
    snprintf(path, sizeof(path), "%s/%s", cfg->vectors, file);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    fill_identity(scn, res);
    json_t *groups = json_object_get(root, "testGroups");
    if (root == NULL || !json_is_array(groups)) {
        res->verdict = CT_VERDICT_ERROR;
        char msg[1400];
        snprintf(msg, sizeof(msg), "%s: vectors %s: %s", scn->file, path, root == NULL ? jerr.text : "no testGroups");
        res->reason = strdup(msg);
        json_decref(root);
        return CT_OK;
    }
    struct ct_eng_config sub = *cfg;
    char tdir[1200], wdir[1200];
    if (cfg->transcripts != NULL) {
        snprintf(tdir, sizeof(tdir), "%s/%s", cfg->transcripts, scn->id);
        sub.transcripts = tdir;
    }
    size_t total = 0, failed = 0, errors = 0;
    double seconds = 0;
    res->verdict = CT_VERDICT_PASS;
    size_t gi;
    json_t *g;
    json_array_foreach(groups, gi, g) {
        const char *key = json_string_value(json_object_get(g, "privateKeyPem"));
        json_t *tests = json_object_get(g, "tests");
        size_t ti;
        json_t *t;
        json_array_foreach(tests, ti, t) {
            struct eng_vector v = {key, (long)json_integer_value(json_object_get(t, "tcId")),
                                   json_string_value(json_object_get(t, "ct")),
                                   json_string_value(json_object_get(t, "result")),
                                   json_string_value(json_object_get(t, "comment"))};
            /* Each run gets a scratch directory of its own (a child server keeps its data there). */
            snprintf(wdir, sizeof(wdir), "%s/tc%ld", cfg->workdir, v.tcid);
            mkdir(wdir, 0700);
            sub.workdir = wdir;
            struct ct_result one = {0};
            run_once(scn, &sub, &one, &v);
            total++;
            seconds += one.seconds;
            if (one.verdict != CT_VERDICT_PASS) {
                bool err = one.verdict == CT_VERDICT_ERROR;
                errors += err;
                failed += !err;
                if (failed + errors <= 3)
                    append_reason(&res->reason, "%stcId %ld (%s%s%s): %s", failed + errors > 1 ? "; " : "", v.tcid,
                                  v.result != NULL ? v.result : "?", v.comment != NULL && v.comment[0] ? ", " : "",
                                  v.comment != NULL ? v.comment : "", one.reason != NULL ? one.reason : "?");
                if (res->where == NULL && one.where != NULL) {
                    res->where = one.where;
                    res->expected = one.expected;
                    res->actual = one.actual;
                    one.where = one.expected = one.actual = NULL;
                }
                if (res->transcript == NULL && one.transcript != NULL) {
                    res->transcript = one.transcript;
                    one.transcript = NULL;
                }
            }
            ct_result_cleanup(&one);
        }
    }
    json_decref(root);
    char head[160];
    if (failed + errors > 0) {
        res->verdict = errors > 0 ? CT_VERDICT_ERROR : CT_VERDICT_FAIL;
        snprintf(head, sizeof(head), "%zu of %zu vectors of %s did not pass: ", failed + errors, total, file);
        char *r = NULL;
        append_reason(&r, "%s%s", head, res->reason != NULL ? res->reason : "");
        free(res->reason);
        res->reason = r;
    } else {
        snprintf(head, sizeof(head), "all %zu vectors of %s", total, file);
        res->reason = strdup(head);
        if (total == 0) {
            res->verdict = CT_VERDICT_ERROR;
            free(res->reason);
            res->reason = strdup("the vector file has no tests");
        }
    }
    res->seconds = seconds;
    return CT_OK;
}

int ct_eng_run(const struct ct_scn *scn, const struct ct_eng_config *cfg, struct ct_result *res)
{
    const char *file = ct_scn_param(scn, "vectors");
    return file != NULL ? run_vectors(scn, cfg, res, file) : run_once(scn, cfg, res, NULL);
}
