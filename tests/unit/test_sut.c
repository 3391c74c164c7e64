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

Suite *suite_sut(void)
{
    Suite *s = suite_create("sut");
    TCase *tc = tcase_create("sut");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, two_way_round_trips, 0, 5);
    tcase_add_test(tc, wrong_password_fails);
    tcase_add_test(tc, data_survives_restart);
    tcase_add_test(tc, server_anchors_chain);
    tcase_add_loop_test(tc, multi_message_packages, 0, 2);
    tcase_add_loop_test(tc, large_objects, 0, 2);
    tcase_add_test(tc, sync_types);
    tcase_add_test(tc, profile_refusals);
    tcase_add_test(tc, pinned_after_encrypted_session);
    tcase_add_test(tc, encrypted_on_the_wire);
    suite_add_tcase(s, tc);
    return s;
}
