/*
 * Fuzz target: the reference client, a whole session at a time. The client starts (its Pkg#1
 * carries an offer whose K the target knows, through the client's test hook); each record of
 * the input (fuzz/session.h) is then a server reply, which the target may complete with the
 * right selection (0x04) and seal with the session's s2c keys (0x01) before the client reads it.
 * The client runs until it ends or the records run out.
 */
#include "fuzz_common.h"
#include "session.h"

#include "crypto/ct_enc_cert.h"
#include "crypto/ct_enc_msg.h"
#include "crypto/ct_enc_nego.h"
#include "sut/ct_client.h"
#include "sut/ct_store.h"
#include "syncml/ct_build.h"
#include "syncml/ct_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static STACK_OF(X509) *chain;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet_libxml();
    struct ct_diag d = {0};
    if (ct_enc_chain_load(&chain, fuzz_server_cert_path(), &d) != CT_OK) {
        fprintf(stderr, "fuzz: %s\n", d.text);
        abort();
    }
    return 0;
}

static const uint8_t K[CT_ENC_KEY_LEN] = {0x17, 0x17, 0x17, 0x17, 0x01, 0x02, 0x03, 0x04};

/* The keys of the client's offer, from its Pkg#1 (the offer, SessionID and Source it sent). */
static bool keys_of_pkg1(const struct ct_buf *pkg1, const char *type, struct ct_enc_session *keys, char **offer_text,
                         struct ct_enc_offer *offer)
{
    struct ct_msg *m = NULL;
    bool ok = false;
    if (ct_msg_parse(&m, pkg1->data, pkg1->len, ct_enc_from_content_type(type), NULL, NULL) != CT_OK)
        return false;
    const struct ct_hdr *h = ct_msg_hdr(m);
    for (size_t i = 0; i < h->meta.n_emi && !ok; i++) {
        const char *t = h->meta.emi[i];
        if (t == NULL || strstr(t, ";key=") == NULL || ct_enc_offer_parse(offer, t, NULL) != CT_OK)
            continue;
        const char *p = strstr(t, ";parts=");
        size_t pn = p != NULL ? strcspn(p + 7, ";") : 0;
        snprintf(offer->parts_text, sizeof(offer->parts_text), "%.*s", (int)pn, p != NULL ? p + 7 : "");
        struct ct_enc_binding b = {t, h->session_id ? h->session_id : "", h->source.uri ? h->source.uri : ""};
        ok = ct_enc_session_init(keys, ct_enc_alg_by_id(offer->algs[0]), offer->parts, K, &b, NULL) == CT_OK;
        if (ok)
            *offer_text = strdup(t);
    }
    ct_msg_free(m);
    return ok && *offer_text != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_record rec[FUZZ_MAX_RECORDS];
    size_t n = fuzz_records(data, size, rec);
    if (n == 0)
        return 0;
    struct ct_cstore *store = NULL;
    struct ct_client *cli = NULL;
    struct ct_client_config cfg;
    ct_client_config_default(&cfg);
    cfg.url = "http://127.0.0.1/sync";
    cfg.device_id = "fuzz-client";
    cfg.server_chain = chain;
    cfg.test_key = K;
    char luid[32];
    static const char item[] = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Fuzz\r\nEND:VCARD\r\n";
    if (ct_cstore_open(&store, ":memory:", NULL) != CT_OK ||
        ct_cstore_add(store, "contacts", "text/vcard", (const uint8_t *)item, sizeof(item) - 1, luid) != CT_OK ||
        ct_client_new(&cli, &cfg, store, NULL) != CT_OK) {
        ct_cstore_close(store);
        return 0;
    }
    struct ct_buf out;
    ct_buf_init(&out, 16 << 20);
    const char *type = NULL;
    struct ct_enc_session keys;
    memset(&keys, 0, sizeof(keys));
    struct ct_enc_offer offer;
    char *offer_text = NULL;
    bool keyed = false;
    if (ct_client_start(cli, &out, &type) == CT_OK)
        keyed = keys_of_pkg1(&out, type, &keys, &offer_text, &offer);
    for (size_t i = 0; i < n && ct_client_state(cli) == CT_CLIENT_RUNNING; i++) {
        struct ct_buf wire;
        ct_buf_init(&wire, 8 << 20);
        const char *wtype = (rec[i].flags & FUZZ_WBXML) ? CT_CONTENT_TYPE_WBXML : CT_CONTENT_TYPE_XML;
        int rc = CT_OK;
        if (rec[i].flags & FUZZ_RAW) {
            rc = ct_buf_append(&wire, rec[i].data, rec[i].len);
        } else {
            struct ct_msg *m = NULL;
            rc = ct_msg_parse(&m, rec[i].data, rec[i].len, CT_ENC_XML, NULL, NULL);
            if (rc == CT_OK && (rec[i].flags & FUZZ_NEGOTIATE) && keyed) {
                struct ct_buf sel;
                ct_buf_init(&sel, CT_ENC_MAX_TEXT);
                xmlNode *hdr = ct_msg_hdr_node(m), *meta = NULL;
                for (xmlNode *c = hdr != NULL ? hdr->children : NULL; c != NULL; c = c->next)
                    if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "Meta") == 0)
                        meta = c;
                if (hdr != NULL && meta == NULL)
                    meta = ct_el_add(hdr, "Meta", NULL);
                if (meta != NULL && ct_enc_selection_format(&sel, &keys, offer_text, offer.parts_text) == CT_OK &&
                    ct_buf_append(&sel, "", 1) == CT_OK)
                    ct_el_add_metinf(meta, "EMI", (const char *)sel.data);
                ct_buf_cleanup(&sel);
                rc = ct_msg_reindex(m);
            }
            if (rc == CT_OK && (rec[i].flags & FUZZ_SEAL) && keyed)
                rc = ct_enc_msg_seal(&keys, m, CT_ENC_S2C, NULL);
            struct ct_ser_opts so = {.enc = (rec[i].flags & FUZZ_WBXML) ? CT_ENC_WBXML : CT_ENC_XML};
            if (rc == CT_OK)
                rc = ct_msg_serialize(m, &so, &wire, NULL);
            ct_msg_free(m);
        }
        ct_buf_reset(&out);
        bool done = false;
        if (rc == CT_OK)
            ct_client_receive(cli, wire.data, wire.len, wtype, &out, &done);
        ct_buf_cleanup(&wire);
        if (done)
            break;
    }
    free(offer_text);
    ct_enc_session_wipe(&keys);
    ct_buf_cleanup(&out);
    ct_client_free(cli);
    ct_cstore_close(store);
    return 0;
}
