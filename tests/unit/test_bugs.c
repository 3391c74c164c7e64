/*
 * Every seeded bug of the reference SUT, shown on the wire: the same input with the bug off
 * and on, and the difference a conformance scenario would see. Bugs that crash or hang are
 * run in a child process that must die (and, with the bug off, must not).
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "testlib.h"

#include "base/ct_b64.h"
#include "crypto/ct_enc.h"
#include "crypto/ct_enc_cert.h"
#include "crypto/ct_enc_msg.h"
#include "crypto/ct_enc_nego.h"
#include "sut/ct_loop.h"
#include "syncml/ct_build.h"
#include "syncml/ct_view.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- a scripted client: the harness's view of a server ---- */

struct drv {
    struct ct_sstore *store;
    struct ct_server_config cfg;
    struct ct_server *srv;
    EVP_PKEY *key;
    STACK_OF(X509) *chain;
    uint8_t kid[32];
    char query[64];
    unsigned msg_id;
    char sid[16];
    bool enc;
    struct ct_enc_session keys;
    char offer[4096];
    struct ct_buf last;   /* the last request as sent */
    struct ct_bugs bugs;
};

static void drv_open(struct drv *d, struct ct_bugs bugs, bool profile)
{
    memset(d, 0, sizeof(*d));
    ck_assert_int_eq(ct_sstore_open(&d->store, ":memory:", NULL), CT_OK);
    ct_server_config_default(&d->cfg);
    d->cfg.bugs = bugs;
    d->bugs = bugs;
    if (profile) {
        d->key = ct_enc_key_load(tl_vector_path("pki/server-2048.key"), NULL);
        ck_assert_int_eq(ct_enc_chain_load(&d->chain, tl_vector_path("pki/server-2048.pem"), NULL), CT_OK);
        d->cfg.key = d->key;
        d->cfg.chain = d->chain;
        ck_assert_int_eq(ct_enc_cert_kid(sk_X509_value(d->chain, 0), d->kid), CT_OK);
    }
    snprintf(d->sid, sizeof(d->sid), "%d", 100 + rand() % 800);
    ct_buf_init(&d->last, 0);
}

static void drv_start_server(struct drv *d)
{
    if (d->srv == NULL)
        ck_assert_int_eq(ct_server_new(&d->srv, &d->cfg, d->store, NULL), CT_OK);
}

static void drv_close(struct drv *d)
{
    ct_server_free(d->srv);
    ct_sstore_close(d->store);
    EVP_PKEY_free(d->key);
    ct_enc_chain_free(d->chain);
    ct_buf_cleanup(&d->last);
    ct_enc_session_wipe(&d->keys);
}

static struct ct_msg *drv_message(struct drv *d)
{
    struct ct_msg *m = ct_msg_new(CT_VER_1_2);
    struct ct_hdr_spec h = {.session_id = d->sid, .msg_id = ++d->msg_id, .target_uri = d->cfg.url,
                            .source_uri = "dev-1", .source_name = "test", .max_msg_size = 65536};
    ck_assert_int_eq(ct_build_hdr(m, &h), CT_OK);
    ck_assert_int_eq(ct_msg_reindex(m), CT_OK);
    return m;
}

/* Send bytes as they are; parse and open the reply. */
static struct ct_msg *drv_raw(struct drv *d, const uint8_t *bytes, size_t len)
{
    drv_start_server(d);
    struct ct_request req = {bytes, len, CT_CONTENT_TYPE_XML, d->query[0] ? d->query : NULL};
    struct ct_response resp;
    ck_assert_int_eq(ct_server_handle(d->srv, &req, &resp), CT_OK);
    ck_assert_msg(resp.http_status == 200, "HTTP %d: %s", resp.http_status, (char *)resp.body.data);
    struct ct_msg *rep = tl_parse(resp.body.data, resp.body.len);
    ct_buf_cleanup(&resp.body);
    const char *ru = ct_msg_hdr(rep)->resp_uri;
    if (ru != NULL && strchr(ru, '?') != NULL)
        snprintf(d->query, sizeof(d->query), "%s", strchr(ru, '?') + 1);
    struct ct_enc_outcome *o = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_enc_msg_open(d->enc ? &d->keys : NULL, rep, CT_ENC_S2C, &o, &n), CT_OK);
    free(o);
    return rep;
}

/* Seal (when a key is in force), optionally tamper, send. Takes m. */
static struct ct_msg *drv_send(struct drv *d, struct ct_msg *m, void (*tamper)(struct drv *, struct ct_msg *))
{
    ck_assert_ptr_nonnull(ct_build_final(m));
    if (d->enc)
        ck_assert_int_eq(ct_enc_msg_seal(&d->keys, m, CT_ENC_C2S, NULL), CT_OK);
    if (tamper != NULL)
        tamper(d, m);
    ct_buf_reset(&d->last);
    ck_assert_int_eq(ct_msg_serialize(m, NULL, &d->last, NULL), CT_OK);
    ct_msg_free(m);
    return drv_raw(d, d->last.data, d->last.len);
}

struct p1 {
    bool no_cred;
    const char *password;
    const char *locname;
    bool offer;
    const char *alg;
    enum ct_enc_kt kt;
    bool garbage_wrap;
    long long t_delta;
};

static void set_locname(struct ct_msg *m, const char *name)
{
    const xmlNode *src = ct_msg_hdr(m)->source.node;
    xmlNode *ln = NULL;
    for (xmlNode *c = src->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "LocName") == 0)
            ln = c;
    xmlNodeSetContent(ln, (const xmlChar *)name);
}

static struct ct_msg *drv_pkg1(struct drv *d, const struct p1 *o)
{
    struct ct_msg *m = drv_message(d);
    if (o->locname != NULL)
        set_locname(m, o->locname);
    d->enc = false;
    if (o->offer) {
        uint8_t key[32];
        ck_assert_int_eq(ct_random(key, 32), CT_OK);
        struct ct_enc_offer of = {.n_algs = 1, .kt = o->kt ? o->kt : CT_ENC_KT_OAEP_SHA256,
                                  .parts = CT_ENC_PART_CRED | CT_ENC_PART_DEVINF | CT_ENC_PART_DATA};
        const char *alg = o->alg != NULL ? o->alg : "aes128-gcm";
        of.algs[0] = ct_enc_alg_by_name(alg, strlen(alg))->id;
        memcpy(of.kid, d->kid, 32);
        struct ct_buf w;
        ct_buf_init(&w, 0);
        if (o->garbage_wrap) {
            uint8_t junk[256];
            ck_assert_int_eq(ct_random(junk, sizeof(junk)), CT_OK);
            junk[0] &= 0x3F; /* below the modulus */
            ct_buf_append(&w, junk, sizeof(junk));
        } else {
            ck_assert_int_eq(ct_enc_wrap(&w, d->key, of.kt, key, (uint64_t)((long long)time(NULL) + o->t_delta)), CT_OK);
        }
        memcpy(of.wrapped, w.data, w.len);
        of.wrapped_len = w.len;
        ct_buf_cleanup(&w);
        struct ct_buf text;
        ct_buf_init(&text, 0);
        ck_assert_int_eq(ct_enc_offer_format(&text, &of), CT_OK);
        snprintf(d->offer, sizeof(d->offer), "%s", (char *)text.data);
        ct_buf_cleanup(&text);
        xmlNode *meta = NULL;
        for (xmlNode *c = ct_msg_hdr_node(m)->children; c != NULL; c = c->next)
            if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "Meta") == 0)
                meta = c;
        ck_assert_ptr_nonnull(ct_el_add_metinf(meta, "EMI", d->offer));
        struct ct_enc_binding b = {d->offer, d->sid, "dev-1"};
        ck_assert_int_eq(ct_enc_session_init(&d->keys, ct_enc_alg_by_name(alg, strlen(alg)), of.parts, key, &b, NULL), CT_OK);
        d->enc = true;
    }
    if (!o->no_cred) {
        uint8_t nonce[64];
        size_t n = 0;
        ck_assert_int_eq(ct_sstore_nonce_get(d->store, "dev-1", nonce, &n), CT_OK);
        ck_assert_ptr_nonnull(ct_auth_cred_add(ct_msg_hdr_node(m), d->cfg.auth, "test",
                                               o->password ? o->password : "test", nonce, n));
    }
    xmlNode *al = ct_build_cmd(m, NULL, "Alert");
    ct_el_add(al, "Data", "201");
    xmlNode *item = ct_el_add(al, "Item", NULL);
    ct_el_add_locus(item, "Target", "contacts", NULL);
    ct_el_add_locus(item, "Source", "./contacts", NULL);
    ct_el_add(ct_el_add_metinf(ct_el_add(item, "Meta", NULL), "Anchor", NULL), "Next", "1");
    ck_assert_int_eq(ct_msg_reindex(m), CT_OK);
    return drv_send(d, m, NULL);
}

/* A Pkg#3 with one Add per text; tamper sees it sealed. */
static struct ct_msg *drv_adds(struct drv *d, const char *const *texts, size_t n,
                               void (*tamper)(struct drv *, struct ct_msg *))
{
    struct ct_msg *m = drv_message(d);
    xmlNode *sync = ct_build_cmd(m, NULL, "Sync");
    ct_el_add_locus(sync, "Target", "contacts", NULL);
    ct_el_add_locus(sync, "Source", "./contacts", NULL);
    for (size_t i = 0; i < n; i++) {
        xmlNode *add = ct_build_cmd(m, sync, "Add");
        xmlNode *item = ct_el_add(add, "Item", NULL);
        char luid[16];
        snprintf(luid, sizeof(luid), "%zu", i + 1);
        ct_el_add_locus(item, "Source", luid, NULL);
        ct_el_add(item, "Data", texts[i]);
    }
    ck_assert_int_eq(ct_msg_reindex(m), CT_OK);
    return drv_send(d, m, tamper);
}

static unsigned code_of(const struct ct_msg *m, const char *cmd, size_t nth)
{
    const struct ct_body *b = ct_msg_body(m);
    for (size_t i = 0; i < b->n_cmds; i++) {
        const struct ct_cmd *c = &b->cmds[i];
        if (c->kind != CT_CMD_STATUS || c->cmd == NULL || strcmp(c->cmd, cmd) != 0)
            continue;
        if (nth-- == 0) {
            uint64_t v = 0;
            ct_uint_parse(c->data, &v);
            return (unsigned)v;
        }
    }
    return 0;
}

static struct ct_bugs with(enum ct_bug b)
{
    struct ct_bugs bugs = {0};
    ct_bug_set(&bugs, b);
    return bugs;
}

static const struct ct_bugs none;
static const char *const one_card[] = {"BEGIN:VCARD\r\nFN:X\r\nEND:VCARD\r\n"};

/* ---- tampering ---- */

static xmlNode *first_item_data(struct ct_msg *m)
{
    const struct ct_cmd *add = ct_msg_find_cmd(m, CT_CMD_ADD, 0);
    return (xmlNode *)add->items[0].data_node;
}

/* Rewrite the first Add's EF through fn(ef bytes). */
static void edit_ef(struct ct_msg *m, void (*fn)(uint8_t *ef, size_t n))
{
    xmlNode *data = first_item_data(m);
    char *b64 = (char *)xmlNodeGetContent(data);
    uint8_t *ef = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_b64_decode(&ef, &n, b64), CT_OK);
    fn(ef, n);
    char *out = ct_b64_encode_alloc(ef, n);
    xmlNodeSetContent(data, (const xmlChar *)out);
    free(out);
    free(ef);
    xmlFree(b64);
    ct_msg_reindex(m);
}

static void flip_tag(uint8_t *ef, size_t n)
{
    ef[n - 1] ^= 0x01;
}

static void tamper_tag(struct drv *d, struct ct_msg *m)
{
    (void)d;
    edit_ef(m, flip_tag);
}

/* CBC-HS256 with a 30-byte plaintext: one block of padding value 2. Make the last plaintext
 * byte 0 (never valid padding) by flipping the matching byte of the previous ciphertext block. */
static void break_padding(uint8_t *ef, size_t n)
{
    size_t tag = 32, block = 16;
    size_t last_prev = n - tag - block - 1; /* last byte of the block before the last */
    ef[last_prev] ^= 0x02;
}

static void tamper_padding(struct drv *d, struct ct_msg *m)
{
    (void)d;
    edit_ef(m, break_padding);
}

/* Remove the marker and put the plaintext back: an item in clear in an encrypted session. */
static void unseal_first(struct drv *d, struct ct_msg *m)
{
    (void)d;
    xmlNode *data = first_item_data(m);
    xmlNodeSetContent(data, (const xmlChar *)"BEGIN:VCARD\r\nFN:Injected\r\nEND:VCARD\r\n");
    xmlNode *meta = data->prev;
    while (meta != NULL && !(meta->type == XML_ELEMENT_NODE && strcmp((const char *)meta->name, "Meta") == 0))
        meta = meta->prev;
    ck_assert_ptr_nonnull(meta);
    xmlUnlinkNode(meta);
    xmlFreeNode(meta);
    ct_msg_reindex(m);
}

/* ---- the server bugs ---- */

START_TEST(bug_padding_oracle)
{
    static const char card30[] = "BEGIN:VCARD\r\nFN:Oracle\r\nEND:\r\n"; /* 30 bytes */
    ck_assert_uint_eq(strlen(card30), 30);
    const char *texts[] = {card30};
    for (int on = 0; on <= 1; on++) {
        struct drv d;
        drv_open(&d, on ? with(CT_BUG_PADDING_ORACLE) : none, true);
        struct p1 o = {.offer = true, .alg = "aes128-cbc-hs256"};
        struct ct_msg *r = drv_pkg1(&d, &o);
        ck_assert_uint_eq(code_of(r, "SyncHdr", 0), 212);
        ct_msg_free(r);
        r = drv_adds(&d, texts, 1, tamper_padding);
        /* Correct: 400 like every field failure. The bug: bad padding answers 500. */
        ck_assert_uint_eq(code_of(r, "Add", 0), on ? 500 : 400);
        ct_msg_free(r);
        r = drv_adds(&d, texts, 1, tamper_tag);
        ck_assert_uint_eq(code_of(r, "Add", 0), 400); /* a bad MAC with good padding: 400 both */
        ct_msg_free(r);
        drv_close(&d);
    }
}
END_TEST

START_TEST(bug_pkcs1_oracle)
{
    for (int on = 0; on <= 1; on++) {
        struct drv d;
        drv_open(&d, on ? with(CT_BUG_PKCS1_ORACLE) : none, true);
        d.cfg.policy.kts |= 1u << CT_ENC_KT_PKCS1;
        struct p1 o = {.offer = true, .kt = CT_ENC_KT_PKCS1, .garbage_wrap = true};
        struct ct_msg *r = drv_pkg1(&d, &o);
        /* Correct: the same 401 a wrong password gets. The bug: 406 tells a bad wrapping apart. */
        ck_assert_uint_eq(code_of(r, "SyncHdr", 0), on ? 406 : 401);
        ct_msg_free(r);
        drv_close(&d);
    }
}
END_TEST

START_TEST(bug_accept_clear_fields)
{
    for (int on = 0; on <= 1; on++) {
        struct drv d;
        drv_open(&d, on ? with(CT_BUG_ACCEPT_CLEAR_FIELDS) : none, true);
        struct p1 o = {.offer = true};
        ct_msg_free(drv_pkg1(&d, &o));
        struct ct_msg *r = drv_adds(&d, one_card, 1, unseal_first);
        ck_assert_uint_eq(code_of(r, "Add", 0), on ? 201 : 400);
        ct_msg_free(r);
        drv_close(&d);
    }
}
END_TEST

START_TEST(bug_replay_accepted)
{
    for (int on = 0; on <= 1; on++) {
        struct drv d;
        drv_open(&d, on ? with(CT_BUG_REPLAY_ACCEPTED) : none, true);
        /* basic: an md5 credential would fail a replay by its nonce alone */
        d.cfg.auth = CT_AUTH_BASIC;
        struct p1 o = {.offer = true};
        struct ct_msg *r = drv_pkg1(&d, &o);
        ck_assert_uint_eq(code_of(r, "SyncHdr", 0), 212);
        ct_msg_free(r);
        /* The same Pkg#1, byte for byte, as a new session. */
        d.query[0] = '\0';
        struct ct_buf copy;
        ct_buf_init(&copy, 0);
        ct_buf_append(&copy, d.last.data, d.last.len);
        r = drv_raw(&d, copy.data, copy.len);
        ck_assert_uint_eq(code_of(r, "SyncHdr", 0), on ? 212 : 401);
        ct_msg_free(r);
        ct_buf_cleanup(&copy);
        /* A key blob ten minutes old, in a session of its own. */
        d.query[0] = '\0';
        d.msg_id = 0;
        snprintf(d.sid, sizeof(d.sid), "%d", 900 + on);
        struct p1 stale = {.offer = true, .t_delta = -600};
        r = drv_pkg1(&d, &stale);
        ck_assert_uint_eq(code_of(r, "SyncHdr", 0), on ? 212 : 401);
        ct_msg_free(r);
        drv_close(&d);
    }
}
END_TEST

START_TEST(bug_ignore_tag)
{
    for (int on = 0; on <= 1; on++) {
        struct drv d;
        drv_open(&d, on ? with(CT_BUG_IGNORE_TAG) : none, true);
        struct p1 o = {.offer = true};
        ct_msg_free(drv_pkg1(&d, &o));
        struct ct_msg *r = drv_adds(&d, one_card, 1, tamper_tag);
        ck_assert_uint_eq(code_of(r, "Add", 0), on ? 201 : 400);
        ct_msg_free(r);
        drv_close(&d);
    }
}
END_TEST

START_TEST(bug_plain_when_required)
{
    for (int on = 0; on <= 1; on++) {
        struct drv d;
        drv_open(&d, on ? with(CT_BUG_PLAIN_WHEN_REQUIRED) : none, true);
        d.cfg.policy.required = true;
        struct p1 o = {0};
        struct ct_msg *r = drv_pkg1(&d, &o);
        ck_assert_uint_eq(code_of(r, "SyncHdr", 0), on ? 212 : 406);
        if (!on)
            ck_assert(ct_enc_is_profile_text(ct_msg_hdr(r)->meta.emi[0]) &&
                      strstr(ct_msg_hdr(r)->meta.emi[0], ";required") != NULL);
        ct_msg_free(r);
        drv_close(&d);
    }
}
END_TEST

START_TEST(bug_refused_offer_500)
{
    /* An offer the server refuses (3DES first, which the default policy does not take). */
    struct drv d;
    drv_open(&d, none, true);
    struct p1 o = {.offer = true, .alg = "3des-cbc-hs256"};
    struct ct_msg *r = drv_pkg1(&d, &o);
    ck_assert_uint_eq(code_of(r, "SyncHdr", 0), 406); /* correct: refused, the session goes on */
    ct_msg_free(r);
    /* The same bytes to a server with the bug: the message fails as a whole. */
    struct drv b;
    drv_open(&b, with(CT_BUG_REFUSED_OFFER_500), true);
    drv_start_server(&b);
    struct ct_request req = {d.last.data, d.last.len, CT_CONTENT_TYPE_XML, NULL};
    struct ct_response resp;
    ck_assert_int_eq(ct_server_handle(b.srv, &req, &resp), CT_OK);
    ck_assert_int_eq(resp.http_status, 500);
    ct_buf_cleanup(&resp.body);
    drv_close(&b);
    drv_close(&d);
}
END_TEST

START_TEST(bug_401_for_407)
{
    for (int on = 0; on <= 1; on++) {
        struct drv d;
        drv_open(&d, on ? with(CT_BUG_401_FOR_407) : none, false);
        struct p1 o = {.no_cred = true};
        struct ct_msg *r = drv_pkg1(&d, &o);
        ck_assert_uint_eq(code_of(r, "SyncHdr", 0), on ? 401 : 407);
        ct_msg_free(r);
        drv_close(&d);
    }
}
END_TEST

START_TEST(bug_md5_nonce_reuse)
{
    for (int on = 0; on <= 1; on++) {
        struct drv d;
        drv_open(&d, on ? with(CT_BUG_MD5_NONCE_REUSE) : none, false);
        struct p1 wrong = {.password = "wrong"};
        struct ct_msg *r1 = drv_pkg1(&d, &wrong);
        struct ct_msg *r2 = drv_pkg1(&d, &wrong);
        const char *n1 = ct_msg_find_status(r1, "0")->chal.meta.next_nonce;
        const char *n2 = ct_msg_find_status(r2, "0")->chal.meta.next_nonce;
        ck_assert_ptr_nonnull(n1);
        ck_assert_ptr_nonnull(n2);
        ck_assert_int_eq(strcmp(n1, n2) == 0, on);
        ct_msg_free(r1);
        ct_msg_free(r2);
        drv_close(&d);
    }
}
END_TEST

/* The reference client against the server, with the server's bug on or off. */
static void client_run(struct drv *d, struct ct_cstore *cs, unsigned long max_msg, size_t *msgs,
                       size_t *largest, bool *final_in_one)
{
    drv_start_server(d);
    struct ct_client_config cc;
    ct_client_config_default(&cc);
    cc.url = d->cfg.url;
    cc.max_msg_size = max_msg;
    struct ct_client *cli = NULL;
    ck_assert_int_eq(ct_client_new(&cli, &cc, cs, NULL), CT_OK);
    struct ct_buf msg;
    ct_buf_init(&msg, 0);
    const char *type;
    ck_assert_int_eq(ct_client_start(cli, &msg, &type), CT_OK);
    bool done = false;
    *msgs = 0;
    *largest = 0;
    *final_in_one = false;
    while (!done) {
        const char *q = strchr(ct_client_url(cli), '?');
        struct ct_request req = {msg.data, msg.len, type, q ? q + 1 : NULL};
        struct ct_response resp;
        ck_assert_int_eq(ct_server_handle(d->srv, &req, &resp), CT_OK);
        (*msgs)++;
        if (resp.body.len > *largest)
            *largest = resp.body.len;
        ct_buf_reset(&msg);
        ck_assert_int_eq(ct_client_receive(cli, resp.body.data, resp.body.len, resp.content_type, &msg, &done), CT_OK);
        ct_buf_cleanup(&resp.body);
    }
    ck_assert_msg(ct_client_state(cli) == CT_CLIENT_DONE, "%s", ct_client_error(cli));
    ct_buf_cleanup(&msg);
    ct_client_free(cli);
}

START_TEST(bug_ignore_maxmsgsize)
{
    for (int on = 0; on <= 1; on++) {
        struct drv d;
        drv_open(&d, on ? with(CT_BUG_IGNORE_MAXMSGSIZE) : none, false);
        char card[1200], guid[32];
        for (int i = 0; i < 20; i++) {
            snprintf(card, sizeof(card), "BEGIN:VCARD\r\nFN:%d\r\nNOTE:%01000d\r\nEND:VCARD\r\n", i, i);
            ck_assert_int_eq(ct_sstore_add(d.store, "contacts", NULL, (const uint8_t *)card, strlen(card), guid), CT_OK);
        }
        struct ct_cstore *cs = NULL;
        ck_assert_int_eq(ct_cstore_open(&cs, ":memory:", NULL), CT_OK);
        size_t msgs, largest;
        bool one;
        client_run(&d, cs, 8000, &msgs, &largest, &one);
        /* Correct: every server message within the client's 8000 bytes. The bug: one big one. */
        if (on)
            ck_assert_uint_gt(largest, 8000);
        else
            ck_assert_uint_le(largest, 8000);
        ct_cstore_close(cs);
        drv_close(&d);
    }
}
END_TEST

START_TEST(bug_drop_map)
{
    for (int on = 0; on <= 1; on++) {
        struct drv d;
        drv_open(&d, on ? with(CT_BUG_DROP_MAP) : none, false);
        char guid[32];
        ck_assert_int_eq(ct_sstore_add(d.store, "contacts", NULL, (const uint8_t *)one_card[0], strlen(one_card[0]), guid), CT_OK);
        struct ct_cstore *cs = NULL;
        ck_assert_int_eq(ct_cstore_open(&cs, ":memory:", NULL), CT_OK);
        size_t msgs, largest;
        bool one;
        client_run(&d, cs, 65536, &msgs, &largest, &one);
        /* The item changes on the server: it must reach the client as a Replace of its copy. */
        ck_assert_int_eq(ct_sstore_replace(d.store, "contacts", guid, NULL, (const uint8_t *)"changed", 7), CT_OK);
        client_run(&d, cs, 65536, &msgs, &largest, &one);
        /* Correct: one item, changed. The bug: without the map the server sends an Add. */
        struct ct_record *v = NULL;
        size_t n = 0;
        ck_assert_int_eq(ct_cstore_live(cs, "contacts", &v, &n), CT_OK);
        ct_records_free(v, n);
        ck_assert_uint_eq(n, on ? 2 : 1);
        ct_cstore_close(cs);
        drv_close(&d);
    }
}
END_TEST

START_TEST(bug_add_status_200)
{
    for (int on = 0; on <= 1; on++) {
        struct drv d;
        drv_open(&d, on ? with(CT_BUG_ADD_STATUS_200) : none, false);
        struct p1 o = {0};
        ct_msg_free(drv_pkg1(&d, &o));
        struct ct_msg *r = drv_adds(&d, one_card, 1, NULL);
        ck_assert_uint_eq(code_of(r, "Add", 0), on ? 200 : 201);
        ct_msg_free(r);
        drv_close(&d);
    }
}
END_TEST

/* Run fn in a child; report whether it died (signal, or a non-zero exit from a sanitizer). */
static bool dies(void (*fn)(bool on), bool on)
{
    fflush(NULL);
    if (getenv("CT_DEBUG") != NULL && !on) { /* debugging: run the honest case in place */
        fn(on);
        return false;
    }
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(SIGALRM, SIG_DFL); /* not Check's timeout handler */
        int devnull = open("/dev/null", O_WRONLY); /* the sanitizer's report is expected here */
        if (devnull >= 0)
            dup2(devnull, STDERR_FILENO);
        alarm(5);                 /* a hang dies too */
        fn(on);
        _exit(0);
    }
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    return !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void long_locname(bool on)
{
    struct drv d;
    drv_open(&d, on ? with(CT_BUG_LOCNAME_OVERFLOW) : none, false);
    char name[4096];
    memset(name, 'A', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    struct p1 o = {.locname = name};
    struct ct_msg *r = drv_pkg1(&d, &o);
    if (code_of(r, "SyncHdr", 0) != 401) /* the right answer: md5 for another name */
        _exit(2);
    ct_msg_free(r);
    drv_close(&d);
}

START_TEST(bug_locname_overflow)
{
    ck_assert(!dies(long_locname, false));
    ck_assert(dies(long_locname, true));
}
END_TEST

static void oversized_chunk(bool on)
{
    struct drv d;
    drv_open(&d, on ? with(CT_BUG_LO_OVERFLOW) : none, false);
    struct p1 o = {0};
    ct_msg_free(drv_pkg1(&d, &o));
    /* A first chunk announcing 16 bytes and carrying 256 KB, then the last chunk. */
    for (int chunk = 0; chunk < 2; chunk++) {
        struct ct_msg *m = drv_message(&d);
        xmlNode *sync = ct_build_cmd(m, NULL, "Sync");
        ct_el_add_locus(sync, "Target", "contacts", NULL);
        ct_el_add_locus(sync, "Source", "./contacts", NULL);
        xmlNode *item = ct_el_add(ct_build_cmd(m, sync, "Add"), "Item", NULL);
        ct_el_add_locus(item, "Source", "7", NULL);
        if (chunk == 0)
            ct_el_add_metinf(ct_el_add(item, "Meta", NULL), "Size", "16");
        char *big = malloc(256 * 1024 + 1);
        memset(big, 'B', 256 * 1024);
        big[256 * 1024] = '\0';
        ct_el_add(item, "Data", chunk == 0 ? big : "tail");
        free(big);
        if (chunk == 0)
            ct_el_add(item, "MoreData", NULL);
        ct_msg_reindex(m);
        struct ct_msg *r = drv_send(&d, m, NULL);
        unsigned code = code_of(r, "Add", 0);
        ct_msg_free(r);
        if (chunk == 0 && code != 424) /* the right answer: the size does not match */
            _exit(2);
    }
    drv_close(&d);
}

START_TEST(bug_lo_overflow)
{
    ck_assert(!dies(oversized_chunk, false));
    ck_assert(dies(oversized_chunk, true));
}
END_TEST

static void tiny_msgsize(bool on)
{
    struct drv d;
    drv_open(&d, on ? with(CT_BUG_HANG_TINY_MSGSIZE) : none, false);
    char guid[32];
    ct_sstore_add(d.store, "contacts", NULL, (const uint8_t *)one_card[0], strlen(one_card[0]), guid);
    struct ct_cstore *cs = NULL;
    ct_cstore_open(&cs, ":memory:", NULL);
    size_t msgs, largest;
    bool one;
    client_run(&d, cs, 300, &msgs, &largest, &one);
    ct_cstore_close(cs);
    drv_close(&d);
}

START_TEST(bug_hang_tiny_msgsize)
{
    ck_assert(!dies(tiny_msgsize, false));
    ck_assert(dies(tiny_msgsize, true)); /* killed by the alarm */
}
END_TEST

/* ---- the client bugs ---- */

struct wire {
    struct ct_buf sent[32];
    size_t n;
};

/* The reference client against a reference server, recording what the client sends; edit may
 * change each server reply before the client sees it. */
static enum ct_client_state client_wire(struct ct_bugs bugs, const char *chain_file, const char *ca_file,
                                        struct ct_server_config *scfg_in, struct wire *w,
                                        void (*edit)(struct ct_buf *reply, size_t round), char *err)
{
    struct drv d;
    drv_open(&d, none, true);
    if (scfg_in != NULL)
        d.cfg.policy = scfg_in->policy;
    drv_start_server(&d);
    struct ct_cstore *cs = NULL;
    ck_assert_int_eq(ct_cstore_open(&cs, ":memory:", NULL), CT_OK);
    char luid[32];
    ct_cstore_add(cs, "contacts", NULL, (const uint8_t *)one_card[0], strlen(one_card[0]), luid);
    ct_cstore_add(cs, "contacts", NULL, (const uint8_t *)"second", 6, luid);
    struct ct_client_config cc;
    ct_client_config_default(&cc);
    cc.url = d.cfg.url;
    cc.bugs = bugs;
    STACK_OF(X509) *chain = NULL, *ca = NULL;
    ck_assert_int_eq(ct_enc_chain_load(&chain, tl_vector_path(chain_file), NULL), CT_OK);
    cc.server_chain = chain;
    if (ca_file != NULL) {
        ck_assert_int_eq(ct_enc_chain_load(&ca, tl_vector_path(ca_file), NULL), CT_OK);
        cc.ca = sk_X509_value(ca, 0);
        cc.host = "localhost";
    }
    if (scfg_in != NULL) {
        cc.algs[0] = 0x21; /* 3des first: the default policy refuses it */
        cc.n_algs = 1;
    }
    struct ct_client *cli = NULL;
    struct ct_diag dg = {0};
    enum ct_client_state st = CT_CLIENT_FAILED;
    if (ct_client_new(&cli, &cc, cs, &dg) != CT_OK) {
        snprintf(err, 256, "%.200s", dg.text);
    } else {
        struct ct_buf msg;
        ct_buf_init(&msg, 0);
        const char *type;
        ck_assert_int_eq(ct_client_start(cli, &msg, &type), CT_OK);
        bool done = false;
        for (size_t round = 0; !done && round < 30; round++) {
            if (w != NULL && w->n < 32) {
                ct_buf_init(&w->sent[w->n], 0);
                ct_buf_append(&w->sent[w->n++], msg.data, msg.len);
            }
            const char *q = strchr(ct_client_url(cli), '?');
            struct ct_request req = {msg.data, msg.len, type, q ? q + 1 : NULL};
            struct ct_response resp;
            ck_assert_int_eq(ct_server_handle(d.srv, &req, &resp), CT_OK);
            if (edit != NULL)
                edit(&resp.body, round);
            ct_buf_reset(&msg);
            ck_assert_int_eq(ct_client_receive(cli, resp.body.data, resp.body.len, resp.content_type, &msg, &done), CT_OK);
            ct_buf_cleanup(&resp.body);
        }
        st = ct_client_state(cli);
        snprintf(err, 256, "%s", ct_client_error(cli));
        ct_buf_cleanup(&msg);
        ct_client_free(cli);
    }
    ct_enc_chain_free(chain);
    ct_enc_chain_free(ca);
    ct_cstore_close(cs);
    drv_close(&d);
    return st;
}

static void wire_free(struct wire *w)
{
    for (size_t i = 0; i < w->n; i++)
        ct_buf_cleanup(&w->sent[i]);
}

/* Every GCM nonce in the client's encrypted fields, over all its messages. */
static size_t nonces(const struct wire *w, uint8_t out[][12], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < w->n; i++) {
        struct ct_msg *m = tl_parse(w->sent[i].data, w->sent[i].len);
        struct ct_enc_field *f = NULL;
        size_t nf = 0;
        ck_assert_int_eq(ct_enc_msg_fields(m, CT_ENC_PART_CRED | CT_ENC_PART_DEVINF | CT_ENC_PART_DATA, &f, &nf), CT_OK);
        for (size_t k = 0; k < nf && n < max; k++) {
            if (!f[k].marked)
                continue;
            char *b64 = (char *)xmlNodeGetContent(f[k].data);
            uint8_t *ef = NULL;
            size_t len = 0;
            if (ct_b64_decode(&ef, &len, b64) == CT_OK && len > 14)
                memcpy(out[n++], ef + 2, 12);
            free(ef);
            xmlFree(b64);
        }
        free(f);
        ct_msg_free(m);
    }
    return n;
}

START_TEST(bug_static_nonce)
{
    for (int on = 0; on <= 1; on++) {
        struct wire w = {0};
        char err[256];
        enum ct_client_state st = client_wire(on ? with(CT_BUG_STATIC_NONCE) : none,
                                              "pki/server-2048.pem", NULL, NULL, &w, NULL, err);
        ck_assert_msg(st == CT_CLIENT_DONE, "%s", err);
        uint8_t ns[64][12];
        size_t n = nonces(&w, ns, 64);
        ck_assert_uint_ge(n, 4); /* cred, DevInf, two items */
        bool repeated = false;
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n; b++)
                repeated = repeated || memcmp(ns[a], ns[b], 12) == 0;
        ck_assert_int_eq(repeated, on);
        wire_free(&w);
    }
}
END_TEST

START_TEST(bug_no_cert_check)
{
    for (int on = 0; on <= 1; on++) {
        char err[256];
        enum ct_client_state st = client_wire(on ? with(CT_BUG_NO_CERT_CHECK) : none,
                                              "pki/server-wrongca.pem", "pki/ca.pem", NULL, NULL, NULL, err);
        /* Correct: refused before anything is sent. The bug: an offer to a stranger's key. */
        if (on) {
            ck_assert_int_ne(st, CT_CLIENT_RUNNING);
        } else {
            ck_assert_int_eq(st, CT_CLIENT_FAILED);
            ck_assert_ptr_nonnull(strstr(err, "server certificate refused"));
        }
    }
}
END_TEST

START_TEST(bug_accept_expired)
{
    for (int on = 0; on <= 1; on++) {
        struct wire w = {0};
        char err[256];
        enum ct_client_state st = client_wire(on ? with(CT_BUG_ACCEPT_EXPIRED) : none,
                                              "pki/server-expired.pem", "pki/ca.pem", NULL, &w, NULL, err);
        if (on) {
            ck_assert_uint_ge(w.n, 1); /* it sent an offer */
        } else {
            ck_assert_int_eq(st, CT_CLIENT_FAILED);
            ck_assert_ptr_nonnull(strstr(err, "expired"));
            ck_assert_uint_eq(w.n, 0);
        }
        wire_free(&w);
    }
}
END_TEST

static void spoil_confirm(struct ct_buf *reply, size_t round)
{
    if (round != 0)
        return;
    char *c = strstr((char *)reply->data, "confirm=");
    ck_assert_ptr_nonnull(c);
    c[8] = c[8] == 'A' ? 'B' : 'A';
}

START_TEST(bug_skip_confirm)
{
    for (int on = 0; on <= 1; on++) {
        struct wire w = {0};
        char err[256];
        enum ct_client_state st = client_wire(on ? with(CT_BUG_SKIP_CONFIRM) : none,
                                              "pki/server-2048.pem", NULL, NULL, &w, spoil_confirm, err);
        /* Correct: the session ends after Pkg#2. The bug: it goes on and sends its data. */
        if (on) {
            ck_assert_int_eq(st, CT_CLIENT_DONE);
            ck_assert_uint_ge(w.n, 2);
        } else {
            ck_assert_int_eq(st, CT_CLIENT_FAILED);
            ck_assert_ptr_nonnull(strstr(err, "confirm"));
            ck_assert_uint_eq(w.n, 1);
        }
        wire_free(&w);
    }
}
END_TEST

START_TEST(bug_clear_fallback)
{
    for (int on = 0; on <= 1; on++) {
        struct wire w = {0};
        char err[256];
        struct ct_server_config refusing;
        ct_server_config_default(&refusing);
        enum ct_client_state st = client_wire(on ? with(CT_BUG_CLEAR_FALLBACK) : none,
                                              "pki/server-2048.pem", NULL, &refusing, &w, NULL, err);
        if (on) {
            /* The second message is Pkg#1 again, without an offer, its credential in clear. */
            ck_assert_uint_ge(w.n, 2);
            struct ct_msg *m = tl_parse(w.sent[1].data, w.sent[1].len);
            ck_assert_uint_eq(ct_msg_hdr(m)->meta.n_emi, 0);
            ck_assert_ptr_nonnull(ct_msg_hdr(m)->cred.node);
            ck_assert_uint_eq(ct_msg_hdr(m)->cred.meta.n_emi, 0);
            ct_msg_free(m);
        } else {
            ck_assert_int_eq(st, CT_CLIENT_REFUSED);
            ck_assert_uint_eq(w.n, 1);
        }
        wire_free(&w);
    }
}
END_TEST

/* Every bug has a name, a role, a rule and an explanation, and this suite tests each one. */
START_TEST(bug_table_complete)
{
    unsigned n;
    const struct ct_bug_info *t = ct_bug_table(&n);
    ck_assert_uint_eq(n, CT_BUG_COUNT);
    for (unsigned i = 0; i < n; i++) {
        ck_assert_uint_eq(t[i].bug, i);
        ck_assert(t[i].name != NULL && t[i].rule != NULL && t[i].what != NULL);
        ck_assert(strcmp(t[i].role, "server") == 0 || strcmp(t[i].role, "client") == 0);
        ck_assert_ptr_eq(ct_bug_by_name(t[i].name), &t[i]);
    }
}
END_TEST

Suite *suite_bugs(void)
{
    Suite *s = suite_create("bugs");
    TCase *tc = tcase_create("bugs");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, bug_table_complete);
    tcase_add_test(tc, bug_padding_oracle);
    tcase_add_test(tc, bug_pkcs1_oracle);
    tcase_add_test(tc, bug_accept_clear_fields);
    tcase_add_test(tc, bug_replay_accepted);
    tcase_add_test(tc, bug_ignore_tag);
    tcase_add_test(tc, bug_plain_when_required);
    tcase_add_test(tc, bug_refused_offer_500);
    tcase_add_test(tc, bug_401_for_407);
    tcase_add_test(tc, bug_md5_nonce_reuse);
    tcase_add_test(tc, bug_ignore_maxmsgsize);
    tcase_add_test(tc, bug_drop_map);
    tcase_add_test(tc, bug_add_status_200);
    tcase_add_test(tc, bug_locname_overflow);
    tcase_add_test(tc, bug_lo_overflow);
    tcase_add_test(tc, bug_hang_tiny_msgsize);
    tcase_add_test(tc, bug_static_nonce);
    tcase_add_test(tc, bug_no_cert_check);
    tcase_add_test(tc, bug_accept_expired);
    tcase_add_test(tc, bug_skip_confirm);
    tcase_add_test(tc, bug_clear_fallback);
    suite_add_tcase(s, tc);
    return s;
}
