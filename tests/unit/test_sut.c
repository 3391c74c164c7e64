/*
 * The reference server and client against each other, in-process: plain and encrypted
 * sessions, both encodings, every sync type, multi-message packages, large objects, restarts.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "testlib.h"

#include "crypto/ct_enc_cert.h"
#include "sut/ct_loop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A server and a client with their stores; file-backed when dir is set. */
struct rig {
    struct ct_sstore *sstore;
    struct ct_cstore *cstore;
    struct ct_server_config scfg;
    struct ct_client_config ccfg;
    struct ct_server *srv;
    EVP_PKEY *key;
    STACK_OF(X509) *chain;
    char dir[128];
};

static void rig_open(struct rig *r, bool files)
{
    memset(r, 0, sizeof(*r));
    char spath[256] = ":memory:", cpath[256] = ":memory:";
    if (files) {
        snprintf(r->dir, sizeof(r->dir), "/tmp/conftest-sut-%d-XXXXXX", (int)getpid());
        ck_assert_ptr_nonnull(mkdtemp(r->dir));
        snprintf(spath, sizeof(spath), "%s/server.db", r->dir);
        snprintf(cpath, sizeof(cpath), "%s/client.db", r->dir);
    }
    struct ct_diag d = {0};
    ck_assert_msg(ct_sstore_open(&r->sstore, spath, &d) == CT_OK, "%s", d.text);
    ck_assert_msg(ct_cstore_open(&r->cstore, cpath, &d) == CT_OK, "%s", d.text);
    ct_server_config_default(&r->scfg);
    ct_client_config_default(&r->ccfg);
    r->ccfg.url = r->scfg.url;
    if (getenv("CT_TEST_LOG") != NULL) /* the message summaries, for debugging */
        r->scfg.log = r->ccfg.log = stderr;
}

static void rig_profile(struct rig *r)
{
    struct ct_diag d = {0};
    r->key = ct_enc_key_load(tl_vector_path("pki/server-2048.key"), &d);
    ck_assert_msg(r->key != NULL, "%s", d.text);
    ck_assert_int_eq(ct_enc_chain_load(&r->chain, tl_vector_path("pki/server-2048.pem"), &d), CT_OK);
    r->scfg.key = r->key;
    r->scfg.chain = r->chain;
    r->ccfg.server_chain = r->chain;
}

static void rig_close(struct rig *r)
{
    ct_server_free(r->srv);
    ct_sstore_close(r->sstore);
    ct_cstore_close(r->cstore);
    EVP_PKEY_free(r->key);
    ct_enc_chain_free(r->chain);
    if (r->dir[0] != '\0') {
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
        ck_assert_int_eq(system(cmd), 0);
    }
}

/* One session; returns the client's final state and keeps its error in err. */
static enum ct_client_state session(struct rig *r, char *err, size_t err_size)
{
    struct ct_diag d = {0};
    if (r->srv == NULL)
        ck_assert_msg(ct_server_new(&r->srv, &r->scfg, r->sstore, &d) == CT_OK, "%s", d.text);
    struct ct_client *cli = NULL;
    ck_assert_msg(ct_client_new(&cli, &r->ccfg, r->cstore, &d) == CT_OK, "%s", d.text);
    ck_assert_msg(ct_loop_run(r->srv, cli, &d) == CT_OK, "%s", d.text);
    enum ct_client_state st = ct_client_state(cli);
    if (err != NULL)
        snprintf(err, err_size, "%s", ct_client_error(cli));
    ct_client_free(cli);
    return st;
}

/* One session that must complete; copies the server's anchors for contacts out of it. */
static void must_sync_anchors(struct rig *r, char last[64], char next[64])
{
    struct ct_diag d = {0};
    if (r->srv == NULL)
        ck_assert_msg(ct_server_new(&r->srv, &r->scfg, r->sstore, &d) == CT_OK, "%s", d.text);
    struct ct_client *cli = NULL;
    ck_assert_msg(ct_client_new(&cli, &r->ccfg, r->cstore, &d) == CT_OK, "%s", d.text);
    ck_assert_msg(ct_loop_run(r->srv, cli, &d) == CT_OK, "%s", d.text);
    ck_assert_msg(ct_client_state(cli) == CT_CLIENT_DONE, "%s", ct_client_error(cli));
    const char *l = NULL, *n = NULL;
    ck_assert_int_eq(ct_client_server_anchors(cli, "contacts", &l, &n), CT_OK);
    snprintf(last, 64, "%s", l);
    snprintf(next, 64, "%s", n);
    ct_client_free(cli);
}

static void must_sync(struct rig *r)
{
    char err[256];
    enum ct_client_state st = session(r, err, sizeof(err));
    ck_assert_msg(st == CT_CLIENT_DONE, "session ended %d: %s", st, err);
}

static void local_add(struct rig *r, const char *db, const char *text)
{
    char luid[32];
    ck_assert_int_eq(ct_cstore_add(r->cstore, db, "text/vcard", (const uint8_t *)text, strlen(text), luid), CT_OK);
}

static size_t server_count(struct rig *r, const char *db)
{
    struct ct_record *v = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_sstore_live(r->sstore, db, &v, &n), CT_OK);
    ct_records_free(v, n);
    return n;
}

static size_t client_count(struct rig *r, const char *db)
{
    struct ct_record *v = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_cstore_live(r->cstore, db, &v, &n), CT_OK);
    ct_records_free(v, n);
    return n;
}

static size_t client_changes(struct rig *r, const char *db)
{
    struct ct_record *v = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_cstore_changes(r->cstore, db, &v, &n), CT_OK);
    ct_records_free(v, n);
    return n;
}

/* Whether records hold an item with exactly this text; frees them. */
static bool records_have(struct ct_record *v, size_t n, const char *text)
{
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found = found || (v[i].len == strlen(text) && memcmp(v[i].data, text, v[i].len) == 0);
    ct_records_free(v, n);
    return found;
}

static bool server_has(struct rig *r, const char *db, const char *text)
{
    struct ct_record *v = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_sstore_live(r->sstore, db, &v, &n), CT_OK);
    return records_have(v, n, text);
}

static bool client_has(struct rig *r, const char *db, const char *text)
{
    struct ct_record *v = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_cstore_live(r->cstore, db, &v, &n), CT_OK);
    return records_have(v, n, text);
}

static const char card_a[] = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alice\r\nEND:VCARD\r\n";
static const char card_b[] = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob <b&b>\r\nEND:VCARD\r\n";
static const char card_c[] = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Carol\r\nEND:VCARD\r\n";

/* Two-way syncs both ways: 0 plain XML, 1 plain WBXML, 2 encrypted XML, 3 encrypted WBXML,
 * 4 basic auth. */
START_TEST(two_way_round_trips)
{
    struct rig r;
    rig_open(&r, false);
    if (_i == 1 || _i == 3)
        r.ccfg.encoding = CT_ENC_WBXML;
    if (_i == 2 || _i == 3)
        rig_profile(&r);
    if (_i == 4)
        r.scfg.auth = r.ccfg.auth = CT_AUTH_BASIC;
    local_add(&r, "contacts", card_a);
    local_add(&r, "contacts", card_b);
    must_sync(&r); /* first: slow sync */
    ck_assert_uint_eq(server_count(&r, "contacts"), 2);
    ck_assert(server_has(&r, "contacts", card_b));
    /* The server gets a new item from elsewhere; the next two-way sync brings it. */
    char guid[32];
    ck_assert_int_eq(ct_sstore_add(r.sstore, "contacts", "text/vcard", (const uint8_t *)card_c, strlen(card_c), guid), CT_OK);
    must_sync(&r);
    ck_assert_uint_eq(client_count(&r, "contacts"), 3);
    ck_assert(client_has(&r, "contacts", card_c));
    /* Change it on the client: the server's copy follows (the Map made the link). */
    struct ct_record *v = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_cstore_live(r.cstore, "contacts", &v, &n), CT_OK);
    const char *luid_c = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp((const char *)v[i].data, card_c) == 0)
            luid_c = v[i].id;
    ck_assert_ptr_nonnull(luid_c);
    static const char card_c2[] = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Carol Changed\r\nEND:VCARD\r\n";
    ck_assert_int_eq(ct_cstore_replace(r.cstore, "contacts", luid_c, (const uint8_t *)card_c2, strlen(card_c2)), CT_OK);
    ck_assert_int_eq(ct_cstore_delete(r.cstore, "contacts", v[0].id), CT_OK);
    ct_records_free(v, n);
    must_sync(&r);
    ck_assert_uint_eq(server_count(&r, "contacts"), 2);
    ck_assert(server_has(&r, "contacts", card_c2));
    ck_assert(!server_has(&r, "contacts", card_c));
    /* Nothing changed: nothing moves, no duplicates. */
    must_sync(&r);
    ck_assert_uint_eq(server_count(&r, "contacts"), 2);
    ck_assert_uint_eq(client_count(&r, "contacts"), 2);
    rig_close(&r);
}
END_TEST

/* What an observer of ct_loop sees: every message in turn, the client's first, each parsing. */
struct seen {
    unsigned from_client, from_server;
    bool alternates, all_parse;
    bool last_from_client;
};

static void see(void *ctx, bool from_client, const uint8_t *data, size_t len)
{
    struct seen *s = ctx;
    if (s->from_client + s->from_server == 0 ? !from_client : from_client == s->last_from_client)
        s->alternates = false;
    s->last_from_client = from_client;
    if (from_client)
        s->from_client++;
    else
        s->from_server++;
    struct ct_msg *m = NULL;
    if (ct_msg_parse(&m, data, len, CT_ENC_XML, NULL, NULL) != CT_OK)
        s->all_parse = false;
    ct_msg_free(m);
}

START_TEST(loop_observer_sees_every_message)
{
    struct rig r;
    rig_open(&r, false);
    rig_profile(&r);
    local_add(&r, "contacts", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Seen\r\nEND:VCARD\r\n");
    struct ct_diag d = {0};
    ck_assert_msg(ct_server_new(&r.srv, &r.scfg, r.sstore, &d) == CT_OK, "%s", d.text);
    struct ct_client *cli = NULL;
    ck_assert_msg(ct_client_new(&cli, &r.ccfg, r.cstore, &d) == CT_OK, "%s", d.text);
    struct seen s = {.alternates = true, .all_parse = true};
    ck_assert_msg(ct_loop_run_observed(r.srv, cli, see, &s, &d) == CT_OK, "%s", d.text);
    ck_assert_msg(ct_client_state(cli) == CT_CLIENT_DONE, "%s", ct_client_error(cli));
    /* A slow sync with one item: Pkg#1 to Pkg#4 at least, every request answered. */
    ck_assert_uint_ge(s.from_client, 2);
    ck_assert_uint_eq(s.from_client, s.from_server);
    ck_assert(s.alternates);
    ck_assert(s.all_parse);
    ct_client_free(cli);
    rig_close(&r);
}
END_TEST

START_TEST(wrong_password_fails)
{
    struct rig r;
    rig_open(&r, false);
    r.ccfg.password = "wrong";
    char err[256];
    ck_assert_int_eq(session(&r, err, sizeof(err)), CT_CLIENT_FAILED);
    ck_assert_ptr_nonnull(strstr(err, "authentication failed (401)"));
    rig_close(&r);
}
END_TEST

START_TEST(data_survives_restart)
{
    struct rig r;
    rig_open(&r, true);
    for (int i = 0; i < 30; i++) {
        char card[128];
        snprintf(card, sizeof(card), "BEGIN:VCARD\r\nFN:Person %d\r\nEND:VCARD\r\n", i);
        local_add(&r, "contacts", card);
    }
    must_sync(&r);
    /* Close everything, open the same files: all 30 are still there, and in step. */
    ct_server_free(r.srv);
    r.srv = NULL;
    ct_sstore_close(r.sstore);
    ct_cstore_close(r.cstore);
    char path[256];
    snprintf(path, sizeof(path), "%s/server.db", r.dir);
    ck_assert_int_eq(ct_sstore_open(&r.sstore, path, NULL), CT_OK);
    snprintf(path, sizeof(path), "%s/client.db", r.dir);
    ck_assert_int_eq(ct_cstore_open(&r.cstore, path, NULL), CT_OK);
    ck_assert_uint_eq(server_count(&r, "contacts"), 30);
    ck_assert(server_has(&r, "contacts", "BEGIN:VCARD\r\nFN:Person 17\r\nEND:VCARD\r\n"));
    must_sync(&r); /* incremental: the anchors survived too */
    ck_assert_uint_eq(server_count(&r, "contacts"), 30);
    ck_assert_uint_eq(client_count(&r, "contacts"), 30);
    rig_close(&r);
}
END_TEST

/* The server's Last anchor is the Next it sent in the previous session, even when the session
 * changed data in between and across a restart (SyncEvolution's client answers 508 otherwise;
 * docs/INTEROP.md). */
START_TEST(server_anchors_chain)
{
    struct rig r;
    rig_open(&r, false);
    char last[64], next[64], prev_next[64];
    local_add(&r, "contacts", card_a);
    must_sync_anchors(&r, last, next);
    ck_assert_str_ne(next, "");
    for (int i = 0; i < 3; i++) {
        snprintf(prev_next, sizeof(prev_next), "%s", next);
        local_add(&r, "contacts", i == 0 ? card_b : card_c); /* the server's data changes */
        if (i == 2) { /* a server restart keeps them too */
            ct_server_free(r.srv);
            r.srv = NULL;
        }
        must_sync_anchors(&r, last, next);
        ck_assert_str_eq(last, prev_next);
        ck_assert_str_ne(next, prev_next);
    }
    rig_close(&r);
}
END_TEST

/* Many items and small MaxMsgSize: Pkg#3 and Pkg#4 span messages (plain, then encrypted). */
START_TEST(multi_message_packages)
{
    struct rig r;
    rig_open(&r, false);
    if (_i == 1)
        rig_profile(&r);
    r.ccfg.max_msg_size = 6000;
    r.scfg.max_msg_size = 6000;
    char card[2048];
    for (int i = 0; i < 25; i++) {
        snprintf(card, sizeof(card), "BEGIN:VCARD\r\nFN:Client %d\r\nNOTE:%0900d\r\nEND:VCARD\r\n", i, i);
        local_add(&r, "contacts", card);
        snprintf(card, sizeof(card), "BEGIN:VCARD\r\nFN:Server %d\r\nNOTE:%0900d\r\nEND:VCARD\r\n", i, i);
        char guid[32];
        ck_assert_int_eq(ct_sstore_add(r.sstore, "contacts", "text/vcard", (const uint8_t *)card, strlen(card), guid), CT_OK);
    }
    must_sync(&r);
    ck_assert_uint_eq(server_count(&r, "contacts"), 50);
    ck_assert_uint_eq(client_count(&r, "contacts"), 50);
    ck_assert_uint_eq(client_changes(&r, "contacts"), 0); /* every Add acknowledged over the messages */
    snprintf(card, sizeof(card), "BEGIN:VCARD\r\nFN:Server 24\r\nNOTE:%0900d\r\nEND:VCARD\r\n", 24);
    ck_assert(client_has(&r, "contacts", card));
    rig_close(&r);
}
END_TEST

/* An item larger than a message goes as a large object in chunks, both ways, intact. */
START_TEST(large_objects)
{
    struct rig r;
    rig_open(&r, false);
    if (_i == 1)
        rig_profile(&r);
    r.ccfg.max_msg_size = 8000;
    r.scfg.max_msg_size = 8000;
    size_t big = 50000;
    char *a = malloc(big + 64), *b = malloc(big + 64);
    int n = snprintf(a, big + 64, "BEGIN:VCARD\r\nFN:Large\r\nNOTE:");
    for (size_t i = (size_t)n; i < big; i++)
        a[i] = (char)('A' + i % 26);
    strcpy(a + big, "\r\nEND:VCARD\r\n");
    memcpy(b, a, big + 64);
    b[20] = 'Z'; /* the server's one differs */
    local_add(&r, "contacts", a);
    char guid[32];
    ck_assert_int_eq(ct_sstore_add(r.sstore, "contacts", "text/vcard", (const uint8_t *)b, strlen(b), guid), CT_OK);
    must_sync(&r);
    ck_assert(server_has(&r, "contacts", a));
    ck_assert(client_has(&r, "contacts", b));
    ck_assert_uint_eq(server_count(&r, "contacts"), 2);
    ck_assert_uint_eq(client_changes(&r, "contacts"), 0); /* its last chunk's 201: synced */
    free(a);
    free(b);
    rig_close(&r);
}
END_TEST

START_TEST(sync_types)
{
    struct rig r;
    rig_open(&r, false);
    local_add(&r, "contacts", card_a);
    must_sync(&r);
    char guid[32];
    ck_assert_int_eq(ct_sstore_add(r.sstore, "contacts", "text/vcard", (const uint8_t *)card_b, strlen(card_b), guid), CT_OK);
    /* One-way from the client: the server's new item stays on the server. */
    local_add(&r, "contacts", card_c);
    r.ccfg.mode = 202;
    must_sync(&r);
    ck_assert(server_has(&r, "contacts", card_c));
    ck_assert(!client_has(&r, "contacts", card_b));
    /* Refresh from the server: the client ends with exactly the server's items. */
    r.ccfg.mode = 205;
    must_sync(&r);
    ck_assert_uint_eq(client_count(&r, "contacts"), 3);
    ck_assert(client_has(&r, "contacts", card_b));
    /* Refresh from the client: the server ends with exactly the client's items. */
    struct ct_record *v = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_cstore_live(r.cstore, "contacts", &v, &n), CT_OK);
    ck_assert_int_eq(ct_cstore_delete(r.cstore, "contacts", v[0].id), CT_OK);
    ct_records_free(v, n);
    ck_assert_int_eq(ct_cstore_mark_synced(r.cstore, "contacts"), CT_OK);
    r.ccfg.mode = 203;
    must_sync(&r);
    ck_assert_uint_eq(server_count(&r, "contacts"), 2);
    /* Anchors out of step: the server answers 508 and a slow sync follows, without duplicates. */
    ck_assert_int_eq(ct_cstore_anchor_set(r.cstore, "contacts", "19700101T000000Z"), CT_OK);
    r.ccfg.mode = 200;
    must_sync(&r);
    ck_assert_uint_eq(server_count(&r, "contacts"), 2);
    ck_assert_uint_eq(client_count(&r, "contacts"), 2);
    rig_close(&r);
}
END_TEST

START_TEST(profile_refusals)
{
    /* A required-profile server refuses a plain client: 406 ends the session. */
    struct rig r;
    rig_open(&r, false);
    rig_profile(&r);
    r.scfg.policy.required = true;
    r.ccfg.server_chain = NULL;
    char err[256];
    ck_assert_int_eq(session(&r, err, sizeof(err)), CT_CLIENT_FAILED);
    ck_assert_ptr_nonnull(strstr(err, "406"));
    rig_close(&r);
    /* A server without the profile: the client (policy required) does not go on. */
    rig_open(&r, false);
    rig_profile(&r);
    r.scfg.key = NULL;
    r.scfg.chain = NULL;
    local_add(&r, "contacts", card_a);
    enum ct_client_state st = session(&r, err, sizeof(err));
    ck_assert_msg(st == CT_CLIENT_REFUSED || st == CT_CLIENT_FAILED, "%d %s", st, err);
    ck_assert_uint_eq(server_count(&r, "contacts"), 0);
    rig_close(&r);
    /* The client refuses a certificate with a small key before sending anything. */
    rig_open(&r, false);
    STACK_OF(X509) *small = NULL;
    ck_assert_int_eq(ct_enc_chain_load(&small, tl_vector_path("pki/server-1024.pem"), NULL), CT_OK);
    r.ccfg.server_chain = small;
    struct ct_client *cli = NULL;
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_client_new(&cli, &r.ccfg, r.cstore, &d), CT_ERR_CRYPTO);
    ck_assert_ptr_nonnull(strstr(d.text, "1024 bits"));
    ct_enc_chain_free(small);
    rig_close(&r);
}
END_TEST

START_TEST(pinned_after_encrypted_session)
{
    struct rig r;
    rig_open(&r, false);
    rig_profile(&r);
    must_sync(&r);
    /* ENC-POL-3: no plain session with that server any more. */
    r.ccfg.server_chain = NULL;
    struct ct_client *cli = NULL;
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_client_new(&cli, &r.ccfg, r.cstore, &d), CT_ERR_PROTO);
    ck_assert_ptr_nonnull(strstr(d.text, "encrypted session"));
    rig_close(&r);
}
END_TEST

/* On the wire, an encrypted session shows no credential, DevInf or item in clear. */
START_TEST(encrypted_on_the_wire)
{
    struct rig r;
    rig_open(&r, false);
    rig_profile(&r);
    local_add(&r, "contacts", card_a);
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_server_new(&r.srv, &r.scfg, r.sstore, &d), CT_OK);
    struct ct_client *cli = NULL;
    ck_assert_int_eq(ct_client_new(&cli, &r.ccfg, r.cstore, &d), CT_OK);
    struct ct_buf msg;
    ct_buf_init(&msg, 0);
    const char *type;
    ck_assert_int_eq(ct_client_start(cli, &msg, &type), CT_OK);
    const char *pkg1 = (const char *)msg.data;
    ck_assert_ptr_nonnull(strstr(pkg1, "syncml-enc/1;alg=aes256-gcm,aes128-gcm;kt=rsa-oaep-sha256;parts=cred,devinf,data;kid="));
    ck_assert_ptr_null(strstr(pkg1, "<DevInf"));                 /* DevInf sealed */
    ck_assert_ptr_nonnull(strstr(pkg1, "<EMI xmlns=\"syncml:metinf\">syncml-enc/1</EMI>"));
    bool done = false;
    for (int round = 0; round < 2; round++) {
        const char *q = strchr(ct_client_url(cli), '?');
        struct ct_request req = {msg.data, msg.len, type, q ? q + 1 : NULL};
        struct ct_response resp;
        ck_assert_int_eq(ct_server_handle(r.srv, &req, &resp), CT_OK);
        if (round == 0) {
            /* Pkg#2: the selection, the server's DevInf sealed. */
            ck_assert_ptr_nonnull(strstr((char *)resp.body.data, "syncml-enc/1;sel=aes256-gcm;parts=cred,devinf,data;confirm="));
            ck_assert_ptr_nonnull(strstr((char *)resp.body.data, "212"));
        }
        ct_buf_reset(&msg);
        ck_assert_int_eq(ct_client_receive(cli, resp.body.data, resp.body.len, resp.content_type, &msg, &done), CT_OK);
        ct_buf_cleanup(&resp.body);
        if (round == 0) {
            /* Pkg#3: the vCard is not readable, but the server stored it in clear. */
            ck_assert_ptr_nonnull(strstr((char *)msg.data, "<Add>"));
            ck_assert_ptr_null(strstr((char *)msg.data, "FN:Alice"));
        }
    }
    ck_assert(server_has(&r, "contacts", card_a));
    ct_buf_cleanup(&msg);
    ct_client_free(cli);
    rig_close(&r);
}
END_TEST


/* ---- the client against edited server replies ---- */

/* What a session sent: the client's messages in order (Pkg#1 first). */
struct wire {
    struct ct_buf sent[40];
    size_t n;
};

static void wire_free(struct wire *w)
{
    for (size_t i = 0; i < w->n; i++)
        ct_buf_cleanup(&w->sent[i]);
    w->n = 0;
}

/* The client's i-th message as text (XML sessions; a ct_buf ends in a NUL). */
static const char *wire_text(const struct wire *w, size_t i)
{
    ck_assert_uint_lt(i, w->n);
    return (const char *)w->sent[i].data;
}

/* Edits a client message before the server reads it (reply false), or the server's reply
 * before the client reads it (reply true). Round 0: Pkg#1 and its answer. */
typedef void (*msg_edit)(struct ct_buf *msg, size_t round, bool reply, void *ctx);

/* One session against the rig's server, edited; keeps every client message as it sent it. */
static enum ct_client_state session_edited(struct rig *r, msg_edit edit, void *ctx, struct wire *w,
                                           char *err, size_t err_size)
{
    struct ct_diag d = {0};
    if (r->srv == NULL)
        ck_assert_msg(ct_server_new(&r->srv, &r->scfg, r->sstore, &d) == CT_OK, "%s", d.text);
    struct ct_client *cli = NULL;
    ck_assert_msg(ct_client_new(&cli, &r->ccfg, r->cstore, &d) == CT_OK, "%s", d.text);
    struct ct_buf msg;
    ct_buf_init(&msg, 0);
    const char *type = NULL;
    ck_assert_int_eq(ct_client_start(cli, &msg, &type), CT_OK);
    bool done = false;
    for (size_t round = 0; !done && round < 40; round++) {
        if (w != NULL && w->n < 40) {
            ct_buf_init(&w->sent[w->n], 0);
            ck_assert_int_eq(ct_buf_append(&w->sent[w->n++], msg.data, msg.len), CT_OK);
        }
        if (edit != NULL)
            edit(&msg, round, false, ctx);
        const char *q = strchr(ct_client_url(cli), '?');
        struct ct_request req = {msg.data, msg.len, type, q ? q + 1 : NULL};
        struct ct_response resp;
        ck_assert_int_eq(ct_server_handle(r->srv, &req, &resp), CT_OK);
        ck_assert_int_eq(resp.http_status, 200);
        if (edit != NULL)
            edit(&resp.body, round, true, ctx);
        ct_buf_reset(&msg);
        ck_assert_int_eq(ct_client_receive(cli, resp.body.data, resp.body.len, resp.content_type, &msg, &done), CT_OK);
        ct_buf_cleanup(&resp.body);
    }
    ck_assert_msg(done, "the session did not end");
    enum ct_client_state st = ct_client_state(cli);
    if (err != NULL)
        snprintf(err, err_size, "%s", ct_client_error(cli));
    ct_buf_cleanup(&msg);
    ct_client_free(cli);
    return st;
}

/* Replaces the first `from` at or after the first `after` (NULL: the start) of an XML reply by
 * `to`; whether there was one. */
static bool reply_replace(struct ct_buf *b, const char *after, const char *from, const char *to)
{
    struct ct_buf n; /* b is rewritten from a copy */
    ct_buf_init(&n, 0);
    ck_assert_int_eq(ct_buf_append(&n, b->data, b->len), CT_OK);
    const char *text = (const char *)n.data;
    const char *at = after != NULL ? strstr(text, after) : text;
    const char *hit = at != NULL ? strstr(at, from) : NULL;
    if (hit != NULL) {
        ct_buf_reset(b);
        ck_assert_int_eq(ct_buf_append(b, text, (size_t)(hit - text)), CT_OK);
        ck_assert_int_eq(ct_buf_append_str(b, to), CT_OK);
        ck_assert_int_eq(ct_buf_append_str(b, hit + strlen(from)), CT_OK);
    }
    ct_buf_cleanup(&n);
    return hit != NULL;
}

/* Replaces the code of the Status for the SyncHdr (CmdRef 0) in a reply. */
static void set_hdr_status(struct ct_buf *b, const char *code)
{
    struct ct_msg *m = tl_parse(b->data, b->len);
    const struct ct_cmd *st = ct_msg_find_status(m, "0");
    ck_assert_ptr_nonnull(st);
    char from[32], to[32];
    snprintf(from, sizeof(from), "<Data>%s</Data>", st->data);
    snprintf(to, sizeof(to), "<Data>%s</Data>", code);
    ct_msg_free(m);
    ck_assert(reply_replace(b, "<Cmd>SyncHdr</Cmd>", from, to));
}

/* The Status the client's message i gives command cmd (0 when none). */
static unsigned status_in(const struct wire *w, size_t i, const char *cmd)
{
    struct ct_msg *m = tl_parse(w->sent[i].data, w->sent[i].len);
    const struct ct_body *b = ct_msg_body(m);
    unsigned code = 0;
    for (size_t k = 0; k < b->n_cmds; k++)
        if (b->cmds[k].kind == CT_CMD_STATUS && b->cmds[k].cmd != NULL && strcmp(b->cmds[k].cmd, cmd) == 0)
            code = (unsigned)strtoul(b->cmds[k].data, NULL, 10);
    ct_msg_free(m);
    return code;
}

static size_t count_of(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p != NULL; p = strstr(p + 1, what))
        n++;
    return n;
}

/* DS-CLI-3: one retry for the challenge; a refused retry ends the session. */
START_TEST(auth_gives_up_after_retry)
{
    struct rig r;
    rig_open(&r, false);
    if (_i == 1)
        r.scfg.auth = r.ccfg.auth = CT_AUTH_BASIC;
    r.ccfg.password = "wrong";
    struct wire w = {0};
    char err[256];
    ck_assert_int_eq(session_edited(&r, NULL, NULL, &w, err, sizeof(err)), CT_CLIENT_FAILED);
    ck_assert_ptr_nonnull(strstr(err, "authentication failed (401)"));
    ck_assert_uint_eq(w.n, 2); /* Pkg#1 and its retry, never a third */
    wire_free(&w);
    rig_close(&r);
}
END_TEST

static void hdr_200_first(struct ct_buf *reply, size_t round, bool is_reply, void *ctx)
{
    (void)ctx;
    if (is_reply && round == 0)
        set_hdr_status(reply, "200");
}

/* DS-CLI-5: SyncHdr 200 authenticates one message: Pkg#3 carries the credential again, for the
 * NextNonce of Pkg#2, sealed in the profile. 0 plain, 1 encrypted. */
START_TEST(cred_again_after_200)
{
    struct rig r;
    rig_open(&r, false);
    if (_i == 1)
        rig_profile(&r);
    local_add(&r, "contacts", card_a);
    struct wire w = {0};
    char err[256];
    ck_assert_msg(session_edited(&r, hdr_200_first, NULL, &w, err, sizeof(err)) == CT_CLIENT_DONE, "%s", err);
    ck_assert(server_has(&r, "contacts", card_a));
    ck_assert_uint_ge(w.n, 3);
    /* The nonce it must use: the one the server issued in Pkg#2 (kept for the next session). */
    uint8_t *nonce = NULL;
    size_t nonce_len = 0;
    ck_assert_int_eq(ct_cstore_kv_get(r.cstore, "md5-nonce", &nonce, &nonce_len), CT_OK);
    ck_assert_ptr_nonnull(nonce);
    struct ct_msg *m = tl_parse(w.sent[1].data, w.sent[1].len);
    const struct ct_hdr *h = ct_msg_hdr(m);
    ck_assert_ptr_nonnull(h->cred.node);
    ck_assert_ptr_nonnull(strstr(wire_text(&w, 1), "<Add>"));
    if (_i == 0) {
        struct ct_auth_expect exp = {.user = "test", .password = "test", .nonce = nonce, .nonce_len = nonce_len};
        ck_assert_int_eq(ct_auth_verify(&h->cred, h->source.name, &exp, NULL), CT_OK);
    } else {
        ck_assert_uint_eq(h->cred.meta.n_emi, 1); /* sealed with the cred part */
    }
    ct_msg_free(m);
    /* The server never said 212: Pkg#5 carries it too. */
    ck_assert_ptr_nonnull(strstr(wire_text(&w, w.n - 1), "<Cred>"));
    free(nonce);
    wire_free(&w);
    /* After 212 (the unedited server), Pkg#3 goes without a credential (DS-CLI-4). */
    ck_assert_int_eq(session_edited(&r, NULL, NULL, &w, err, sizeof(err)), CT_CLIENT_DONE);
    ck_assert_ptr_nonnull(strstr(wire_text(&w, 0), "<Cred>"));
    ck_assert_ptr_null(strstr(wire_text(&w, 1), "<Cred>"));
    wire_free(&w);
    rig_close(&r);
}
END_TEST

/* DS-CLI-19: the Status for the server's sync Alert echoes its Next anchor. */
START_TEST(alert_status_echoes_next)
{
    struct rig r;
    rig_open(&r, false);
    local_add(&r, "contacts", card_a);
    struct wire w = {0};
    ck_assert_int_eq(session_edited(&r, NULL, NULL, &w, NULL, 0), CT_CLIENT_DONE);
    struct ct_msg *m = tl_parse(w.sent[1].data, w.sent[1].len);
    const struct ct_body *b = ct_msg_body(m);
    const struct ct_cmd *st = NULL;
    for (size_t k = 0; k < b->n_cmds; k++)
        if (b->cmds[k].kind == CT_CMD_STATUS && strcmp(b->cmds[k].cmd, "Alert") == 0)
            st = &b->cmds[k];
    ck_assert_ptr_nonnull(st);
    ck_assert_uint_eq(st->n_items, 1);
    ck_assert_ptr_nonnull(st->items[0].data_node);
    const xmlNode *anchor = st->items[0].data_node->children;
    ck_assert_ptr_nonnull(anchor);
    ck_assert_str_eq((const char *)anchor->name, "Anchor");
    ck_assert_ptr_nonnull(anchor->ns);
    ck_assert_str_eq((const char *)anchor->ns->href, "syncml:metinf");
    xmlChar *next = xmlNodeGetContent(anchor->children);
    ck_assert_str_eq((const char *)anchor->children->name, "Next");
    /* The server's Next of this session, as its Pkg#2 Alert gave it (it is Last next time). */
    char last[64], srv_next[64];
    must_sync_anchors(&r, last, srv_next);
    ck_assert_str_eq((const char *)next, last);
    xmlFree(next);
    ct_msg_free(m);
    wire_free(&w);
    rig_close(&r);
}
END_TEST

struct no_final {
    const char *when; /* the reply to take Final off: one holding this text */
    int edited;       /* the round it was edited in, -1 before */
};

static void drop_final(struct ct_buf *reply, size_t round, bool is_reply, void *ctx)
{
    struct no_final *nf = ctx;
    if (!is_reply || nf->edited >= 0)
        return;
    if (strstr((const char *)reply->data, nf->when) != NULL && reply_replace(reply, NULL, "<Final/>", ""))
        nf->edited = (int)round;
}

/* Pkg#2 in two messages: the first without its Final; the server's answer to the 222 that
 * follows gets one, as the last message of Pkg#2. */
static void split_pkg2(struct ct_buf *reply, size_t round, bool is_reply, void *ctx)
{
    (void)ctx;
    if (is_reply && round == 0)
        ck_assert(reply_replace(reply, NULL, "<Final/>", ""));
    if (is_reply && round == 1)
        ck_assert(reply_replace(reply, NULL, "</SyncBody>", "<Final/></SyncBody>"));
}

/* DS-CLI-15: a message of Pkg#2 without Final gets Statuses and Alert 222, and Pkg#3 starts
 * only after the last message of Pkg#2. */
START_TEST(pkg2_without_final_asks_more)
{
    struct rig r;
    rig_open(&r, false);
    local_add(&r, "contacts", card_a);
    struct wire w = {0};
    char err[256];
    ck_assert_msg(session_edited(&r, split_pkg2, NULL, &w, err, sizeof(err)) == CT_CLIENT_DONE, "%s", err);
    ck_assert_uint_ge(w.n, 3);
    const char *ask = wire_text(&w, 1);
    ck_assert_ptr_nonnull(strstr(ask, "<Data>222</Data>"));
    ck_assert_ptr_null(strstr(ask, "<Sync>"));
    ck_assert_ptr_null(strstr(ask, "<Final/>"));
    ck_assert_uint_eq(status_in(&w, 1, "SyncHdr"), 200);
    ck_assert_uint_eq(status_in(&w, 1, "Alert"), 200);
    /* Then Pkg#3, after the Final. */
    ck_assert_uint_eq(count_of(wire_text(&w, 2), "<Add>"), 1);
    ck_assert(server_has(&r, "contacts", card_a));
    wire_free(&w);
    rig_close(&r);
}
END_TEST

/* DS-CLI-15: a message of Pkg#6 without Final does not end the session: the client asks for
 * the rest with Alert 222 and completes at the Final. */
START_TEST(pkg6_without_final_asks_more)
{
    struct rig r;
    rig_open(&r, false);
    char guid[32];
    ck_assert_int_eq(ct_sstore_add(r.sstore, "contacts", "text/vcard", (const uint8_t *)card_b, strlen(card_b), guid), CT_OK);
    struct wire w = {0};
    struct no_final nf = {"<Cmd>Map</Cmd>", -1};
    char err[256];
    ck_assert_msg(session_edited(&r, drop_final, &nf, &w, err, sizeof(err)) == CT_CLIENT_DONE, "%s", err);
    ck_assert_int_ge(nf.edited, 1);
    ck_assert_uint_eq(w.n, (size_t)nf.edited + 2); /* one more message: the 222 */
    const char *ask = wire_text(&w, w.n - 1);
    ck_assert_ptr_nonnull(strstr(ask, "<Data>222</Data>"));
    ck_assert_ptr_null(strstr(ask, "<Final/>"));
    ck_assert(client_has(&r, "contacts", card_b));
    wire_free(&w);
    rig_close(&r);
}
END_TEST

static uint64_t frozen_clock(void *ctx)
{
    (void)ctx;
    return 1700000000; /* every session in the same second */
}

/* DS-CLI-10: syncs within one second still get a Next of their own, never Next == Last. */
START_TEST(anchor_next_differs_in_one_second)
{
    struct rig r;
    rig_open(&r, false);
    r.ccfg.now = frozen_clock;
    local_add(&r, "contacts", card_a);
    char seen[4][64];
    for (int i = 0; i < 4; i++) {
        must_sync(&r);
        char *a = NULL;
        ck_assert_int_eq(ct_cstore_anchor_get(r.cstore, "contacts", &a), CT_OK);
        ck_assert_ptr_nonnull(a);
        snprintf(seen[i], sizeof(seen[i]), "%s", a);
        free(a);
        for (int k = 0; k < i; k++)
            ck_assert_str_ne(seen[i], seen[k]);
    }
    ck_assert_str_eq(seen[0], "20231114T221320Z");
    ck_assert_str_eq(seen[1], "20231114T221320Z-1");
    ck_assert_str_eq(seen[3], "20231114T221320Z-3");
    rig_close(&r);
}
END_TEST

static void hdr_500_second(struct ct_buf *reply, size_t round, bool is_reply, void *ctx)
{
    (void)ctx;
    if (is_reply && round == 1)
        set_hdr_status(reply, "500");
}

/* DS-CLI-17: a SyncHdr status other than 200/212 after Pkg#2 ends the session, nothing sent. */
START_TEST(synchdr_500_later_ends)
{
    struct rig r;
    rig_open(&r, false);
    local_add(&r, "contacts", card_a);
    struct wire w = {0};
    char err[256];
    ck_assert_int_eq(session_edited(&r, hdr_500_second, NULL, &w, err, sizeof(err)), CT_CLIENT_FAILED);
    ck_assert_ptr_nonnull(strstr(err, "500"));
    ck_assert_uint_eq(w.n, 2); /* Pkg#1, Pkg#3; no Pkg#5 */
    ck_assert_uint_eq(client_changes(&r, "contacts"), 1);
    char *a = NULL;
    ck_assert_int_eq(ct_cstore_anchor_get(r.cstore, "contacts", &a), CT_OK);
    ck_assert_ptr_null(a); /* no sync completed */
    wire_free(&w);
    rig_close(&r);
}
END_TEST

struct refuse {
    const char *cmd;  /* the Status to change: the first after this text ("<Cmd>Add</Cmd>") */
    const char *from; /* its Data as the server sent it */
    const char *to;   /* what the client reads instead */
};

/* The server "refused" one of the client's changes in its answer to Pkg#3. */
static void refuse_change(struct ct_buf *reply, size_t round, bool is_reply, void *ctx)
{
    const struct refuse *rf = ctx;
    if (is_reply && round == 1)
        ck_assert(reply_replace(reply, rf->cmd, rf->from, rf->to));
}

/* The client's local items by state: 1 added, 2 replaced, 3 deleted. */
static size_t changes_in_state(struct rig *r, int state)
{
    struct ct_record *v = NULL;
    size_t n = 0, k = 0;
    ck_assert_int_eq(ct_cstore_changes(r->cstore, "contacts", &v, &n), CT_OK);
    for (size_t i = 0; i < n; i++)
        k += v[i].state == state;
    ct_records_free(v, n);
    return k;
}

/* DS-CLI-22: a change the server answered with a non-2xx stays pending and goes again; the
 * others of the session are synced. */
START_TEST(refused_add_resent)
{
    struct rig r;
    rig_open(&r, false);
    local_add(&r, "contacts", card_a);
    local_add(&r, "contacts", card_b);
    struct wire w = {0};
    char err[256];
    struct refuse rf = {"<Cmd>Add</Cmd>", "<Data>201</Data>", "<Data>500</Data>"}; /* card_a's */
    ck_assert_msg(session_edited(&r, refuse_change, &rf, &w, err, sizeof(err)) == CT_CLIENT_DONE, "%s", err);
    ck_assert_uint_eq(count_of(wire_text(&w, 1), "<Add>"), 2);
    ck_assert_uint_eq(client_changes(&r, "contacts"), 1);
    ck_assert_uint_eq(changes_in_state(&r, CT_CSTATE_ADDED), 1); /* still an Add to make */
    wire_free(&w);
    /* The next two-way sync sends it again, and only it. */
    ck_assert_int_eq(session_edited(&r, NULL, NULL, &w, err, sizeof(err)), CT_CLIENT_DONE);
    ck_assert_ptr_nonnull(strstr(wire_text(&w, 0), "<Data>200</Data>")); /* two-way */
    ck_assert_uint_eq(count_of(wire_text(&w, 1), "<Add>"), 1);
    ck_assert_ptr_nonnull(strstr(wire_text(&w, 1), "FN:Alice"));
    ck_assert_uint_eq(client_changes(&r, "contacts"), 0);
    wire_free(&w);
    /* Nothing pending any more: nothing goes. */
    ck_assert_int_eq(session_edited(&r, NULL, NULL, &w, err, sizeof(err)), CT_CLIENT_DONE);
    ck_assert_uint_eq(count_of(wire_text(&w, 1), "<Add>"), 0);
    wire_free(&w);
    rig_close(&r);
}
END_TEST

/* DS-CLI-22 for a Replace (0) and a Delete (1) refused in one session with both. */
START_TEST(refused_replace_delete_resent)
{
    struct rig r;
    rig_open(&r, false);
    local_add(&r, "contacts", card_a);
    local_add(&r, "contacts", card_b);
    must_sync(&r);
    struct ct_record *v = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_cstore_live(r.cstore, "contacts", &v, &n), CT_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(ct_cstore_replace(r.cstore, "contacts", v[0].id, (const uint8_t *)card_c, strlen(card_c)), CT_OK);
    ck_assert_int_eq(ct_cstore_delete(r.cstore, "contacts", v[1].id), CT_OK);
    ct_records_free(v, n);
    struct refuse rf = {_i == 0 ? "<Cmd>Replace</Cmd>" : "<Cmd>Delete</Cmd>", "<Data>200</Data>", "<Data>500</Data>"};
    struct wire w = {0};
    char err[256];
    ck_assert_msg(session_edited(&r, refuse_change, &rf, &w, err, sizeof(err)) == CT_CLIENT_DONE, "%s", err);
    /* The refused one is pending; the Delete's tombstone stays either way (ct_cstore cannot
     * forget one item's), and goes once more. */
    ck_assert_uint_eq(changes_in_state(&r, CT_CSTATE_REPLACED), _i == 0 ? 1 : 0);
    ck_assert_uint_eq(changes_in_state(&r, CT_CSTATE_DELETED), 1);
    wire_free(&w);
    ck_assert_int_eq(session_edited(&r, NULL, NULL, &w, err, sizeof(err)), CT_CLIENT_DONE);
    ck_assert_uint_eq(count_of(wire_text(&w, 1), "<Replace>"), _i == 0 ? 1 : 0);
    ck_assert_uint_eq(count_of(wire_text(&w, 1), "<Delete>"), 1);
    ck_assert_uint_eq(client_changes(&r, "contacts"), 0); /* a Delete answered 211/404 is done */
    ck_assert_uint_eq(server_count(&r, "contacts"), 1);
    ck_assert(server_has(&r, "contacts", card_c));
    wire_free(&w);
    rig_close(&r);
}
END_TEST

/* The Results the client gets in its encrypted Pkg#2: 0 injected in clear; the server's sealed
 * DevInf (it answers a Get put into Pkg#1), 1 with a flipped byte, 2 intact. */
static void devinf_results(struct ct_buf *m, size_t round, bool is_reply, void *ctx)
{
    int how = *(const int *)ctx;
    if (round != 0)
        return;
    if (!is_reply && how > 0) {
        /* Get stays in clear in the profile (ENC-FLD-2): the sealed fields do not change. */
        ck_assert(reply_replace(m, NULL, "<Final/>",
                                "<Get><CmdID>99</CmdID><Meta><Type xmlns=\"syncml:metinf\">"
                                "application/vnd.syncml-devinf+xml</Type></Meta>"
                                "<Item><Target><LocURI>./devinf12</LocURI></Target></Item></Get><Final/>"));
    } else if (is_reply && how == 0) {
        ck_assert(reply_replace(m, NULL, "<Final/>",
                                "<Results><CmdID>99</CmdID><MsgRef>1</MsgRef><CmdRef>1</CmdRef>"
                                "<Meta><Type xmlns=\"syncml:metinf\">application/vnd.syncml-devinf+xml</Type></Meta>"
                                "<Item><Source><LocURI>./devinf12</LocURI></Source><Data>"
                                "<DevInf xmlns=\"syncml:devinf\"><VerDTD>1.2</VerDTD><DevID>conftest-server</DevID>"
                                "<DevTyp>server</DevTyp></DevInf></Data></Item></Results><Final/>"));
    } else if (is_reply && how == 1) {
        char *res = strstr((char *)m->data, "<Results>");
        ck_assert_ptr_nonnull(res);
        char *data = strstr(res, "<Data>");
        ck_assert_ptr_nonnull(data);
        data[6 + 40] = data[6 + 40] == 'A' ? 'B' : 'A'; /* a base64 digit of the ciphertext */
    }
}

/* ENC-ERR-3, ENC-FLD-1: the server's DevInf is answered 400 when it does not open or comes in
 * clear while devinf is in force. */
START_TEST(results_devinf_failure_400)
{
    struct rig r;
    rig_open(&r, false);
    rig_profile(&r);
    local_add(&r, "contacts", card_a);
    int how = _i;
    struct wire w = {0};
    char err[256];
    ck_assert_msg(session_edited(&r, devinf_results, &how, &w, err, sizeof(err)) == CT_CLIENT_DONE, "%s", err);
    ck_assert_uint_eq(status_in(&w, 1, "Results"), how == 2 ? 200 : 400);
    wire_free(&w);
    rig_close(&r);
}
END_TEST

/* An item stored without a type (`conftest sync --add`) goes with the DataStore's Tx-Pref. */
START_TEST(untyped_item_sent_as_tx_pref)
{
    struct rig r;
    rig_open(&r, false);
    char luid[32];
    ck_assert_int_eq(ct_cstore_add(r.cstore, "contacts", NULL, (const uint8_t *)card_a, strlen(card_a), luid), CT_OK);
    struct wire w = {0};
    ck_assert_int_eq(session_edited(&r, NULL, NULL, &w, NULL, 0), CT_CLIENT_DONE);
    struct ct_msg *m = tl_parse(w.sent[1].data, w.sent[1].len);
    const struct ct_cmd *sync = ct_msg_find_cmd(m, CT_CMD_SYNC, 0);
    ck_assert_ptr_nonnull(sync);
    ck_assert_uint_eq(sync->n_children, 1);
    ck_assert_ptr_nonnull(sync->children[0].meta.type);
    ck_assert_str_eq(sync->children[0].meta.type, "text/vcard");
    ct_msg_free(m);
    struct ct_record *v = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_sstore_live(r.sstore, "contacts", &v, &n), CT_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_ptr_nonnull(v[0].type);
    ck_assert_str_eq(v[0].type, "text/vcard");
    ct_records_free(v, n);
    wire_free(&w);
    rig_close(&r);
}
END_TEST

Suite *suite_sut(void)
{
    Suite *s = suite_create("sut");
    TCase *tc = tcase_create("sut");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, two_way_round_trips, 0, 5);
    tcase_add_test(tc, loop_observer_sees_every_message);
    tcase_add_test(tc, wrong_password_fails);
    tcase_add_test(tc, data_survives_restart);
    tcase_add_test(tc, server_anchors_chain);
    tcase_add_loop_test(tc, multi_message_packages, 0, 2);
    tcase_add_loop_test(tc, large_objects, 0, 2);
    tcase_add_test(tc, sync_types);
    tcase_add_test(tc, profile_refusals);
    tcase_add_test(tc, pinned_after_encrypted_session);
    tcase_add_test(tc, encrypted_on_the_wire);
    tcase_add_loop_test(tc, auth_gives_up_after_retry, 0, 2);
    tcase_add_loop_test(tc, cred_again_after_200, 0, 2);
    tcase_add_test(tc, alert_status_echoes_next);
    tcase_add_test(tc, pkg2_without_final_asks_more);
    tcase_add_test(tc, pkg6_without_final_asks_more);
    tcase_add_test(tc, anchor_next_differs_in_one_second);
    tcase_add_test(tc, synchdr_500_later_ends);
    tcase_add_test(tc, refused_add_resent);
    tcase_add_loop_test(tc, refused_replace_delete_resent, 0, 2);
    tcase_add_loop_test(tc, results_devinf_failure_400, 0, 3);
    tcase_add_test(tc, untyped_item_sent_as_tx_pref);
    suite_add_tcase(s, tc);
    return s;
}
