/*
 * Fuzz target: the reference server, a whole session at a time. Each input is a sequence of
 * client messages (framing in fuzz/session.h); the target plays a client that knows its key:
 * it can put an offer with a known K into a Pkg#1 and seal the later messages with the keys of
 * that offer, so that the fuzzer can mutate package k after a valid prefix and still get past
 * the cryptography. The server is a fresh one on an in-memory store for every input.
 */
#include "fuzz_common.h"
#include "session.h"

#include "crypto/ct_enc_cert.h"
#include "crypto/ct_enc_kt.h"
#include "crypto/ct_enc_msg.h"
#include "crypto/ct_enc_nego.h"
#include "sut/ct_server.h"
#include "sut/ct_store.h"
#include "syncml/ct_build.h"
#include "syncml/ct_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static STACK_OF(X509) *chain;
static uint8_t kid[CT_ENC_KID_LEN];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet_libxml();
    fuzz_server_key();
    struct ct_diag d = {0};
    if (ct_enc_chain_load(&chain, fuzz_server_cert_path(), &d) != CT_OK ||
        ct_enc_cert_kid(sk_X509_value(chain, 0), kid) != CT_OK) {
        fprintf(stderr, "fuzz: %s\n", d.text);
        abort();
    }
    return 0;
}

static const uint8_t K[CT_ENC_KEY_LEN] = {0x42, 0x42, 0x42, 0x42, 0x10, 0x20, 0x30, 0x40};

/* The offer of a Pkg#1 (PROFILE 3.1) with K, and the keys that go with it. */
static int offer(struct ct_msg *m, struct ct_enc_session *keys, bool *keyed)
{
    struct ct_buf wrapped, text;
    ct_buf_init(&wrapped, CT_ENC_MAX_WRAPPED);
    ct_buf_init(&text, CT_ENC_MAX_TEXT);
    EVP_PKEY *pub = X509_get0_pubkey(sk_X509_value(chain, 0));
    int rc = ct_enc_wrap(&wrapped, pub, CT_ENC_KT_OAEP_SHA256, K, (uint64_t)time(NULL));
    struct ct_enc_offer o = {.n_algs = 1, .kt = CT_ENC_KT_OAEP_SHA256,
                             .parts = CT_ENC_PART_CRED | CT_ENC_PART_DEVINF | CT_ENC_PART_DATA};
    o.algs[0] = 0x01; /* aes128-gcm */
    memcpy(o.kid, kid, sizeof(kid));
    if (rc == CT_OK && wrapped.len <= sizeof(o.wrapped)) {
        memcpy(o.wrapped, wrapped.data, wrapped.len);
        o.wrapped_len = wrapped.len;
        rc = ct_enc_offer_format(&text, &o);
    }
    if (rc == CT_OK)
        rc = ct_buf_append(&text, "", 1);
    xmlNode *hdr = ct_msg_hdr_node(m), *meta = NULL;
    for (xmlNode *n = hdr != NULL ? hdr->children : NULL; n != NULL; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "Meta") == 0)
            meta = n;
    if (rc == CT_OK && hdr != NULL && meta == NULL)
        meta = ct_el_add(hdr, "Meta", NULL);
    if (rc == CT_OK && (meta == NULL || ct_el_add_metinf(meta, "EMI", (const char *)text.data) == NULL))
        rc = CT_ERR_PROTO;
    if (rc == CT_OK)
        rc = ct_msg_reindex(m);
    if (rc == CT_OK) {
        const struct ct_hdr *h = ct_msg_hdr(m);
        struct ct_enc_binding b = {(const char *)text.data, h->session_id ? h->session_id : "",
                                   h->source.uri ? h->source.uri : ""};
        ct_enc_session_wipe(keys);
        *keyed = ct_enc_session_init(keys, ct_enc_alg_by_id(0x01), o.parts, K, &b, NULL) == CT_OK;
    }
    ct_buf_cleanup(&wrapped);
    ct_buf_cleanup(&text);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_record rec[FUZZ_MAX_RECORDS];
    size_t n = fuzz_records(data, size, rec);
    if (n == 0)
        return 0;
    struct ct_sstore *store = NULL;
    struct ct_server *srv = NULL;
    struct ct_server_config cfg;
    ct_server_config_default(&cfg);
    cfg.url = "http://127.0.0.1/sync";
    cfg.key = fuzz_server_key();
    cfg.chain = chain;
    if (ct_sstore_open(&store, ":memory:", NULL) != CT_OK || ct_server_new(&srv, &cfg, store, NULL) != CT_OK) {
        ct_sstore_close(store);
        return 0;
    }
    struct ct_enc_session keys;
    memset(&keys, 0, sizeof(keys));
    bool keyed = false;
    char query[64] = "";
    for (size_t i = 0; i < n; i++) {
        struct ct_buf wire;
        ct_buf_init(&wire, 8 << 20);
        const char *type = CT_CONTENT_TYPE_XML;
        int rc = CT_OK;
        if (rec[i].flags & FUZZ_RAW) {
            rc = ct_buf_append(&wire, rec[i].data, rec[i].len);
            type = (rec[i].flags & FUZZ_WBXML) ? CT_CONTENT_TYPE_WBXML : CT_CONTENT_TYPE_XML;
        } else {
            struct ct_msg *m = NULL;
            rc = ct_msg_parse(&m, rec[i].data, rec[i].len, CT_ENC_XML, NULL, NULL);
            if (rc == CT_OK && (rec[i].flags & FUZZ_NEGOTIATE))
                rc = offer(m, &keys, &keyed);
            if (rc == CT_OK && (rec[i].flags & FUZZ_SEAL) && keyed)
                rc = ct_enc_msg_seal(&keys, m, CT_ENC_C2S, NULL);
            struct ct_ser_opts so = {.enc = (rec[i].flags & FUZZ_WBXML) ? CT_ENC_WBXML : CT_ENC_XML};
            if (rc == CT_OK)
                rc = ct_msg_serialize(m, &so, &wire, NULL);
            type = ct_enc_content_type(so.enc);
            ct_msg_free(m);
        }
        if (rc != CT_OK) {
            ct_buf_cleanup(&wire);
            continue;
        }
        struct ct_request req = {wire.data, wire.len, type, query[0] ? query : NULL};
        struct ct_response resp = {0};
        ct_buf_init(&resp.body, 0);
        if (ct_server_handle(srv, &req, &resp) == CT_OK && resp.http_status == 200) {
            /* Follow the session as a client would: its RespURI, its sealed fields. */
            struct ct_msg *r = NULL;
            if (ct_msg_parse(&r, resp.body.data, resp.body.len, ct_enc_from_content_type(resp.content_type), NULL, NULL) ==
                CT_OK) {
                const char *ru = ct_msg_hdr(r)->resp_uri;
                const char *q = ru != NULL ? strchr(ru, '?') : NULL;
                if (q != NULL)
                    snprintf(query, sizeof(query), "%s", q + 1);
                struct ct_enc_outcome *out = NULL;
                size_t no = 0;
                ct_enc_msg_open(keyed ? &keys : NULL, r, CT_ENC_S2C, &out, &no);
                free(out);
                ct_msg_free(r);
            }
        }
        ct_buf_cleanup(&resp.body);
        ct_buf_cleanup(&wire);
    }
    ct_enc_session_wipe(&keys);
    ct_server_free(srv);
    ct_sstore_close(store);
    return 0;
}
