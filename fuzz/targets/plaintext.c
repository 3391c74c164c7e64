/*
 * Fuzz target: the plaintext behind the encryption. The input becomes the clear content of a
 * DevInf Put or of an item in a message; conftest seals it with a known key (the profile, all
 * parts), encodes, parses the message back and opens it -- so the fuzzer reaches the parsers
 * that only ever see decrypted text (the DevInf XML behind an encrypted Put) without any bypass
 * of the cryptography. The first byte picks the field and the algorithm.
 */
#include "fuzz_common.h"

#include "crypto/ct_enc_msg.h"
#include "syncml/ct_build.h"

#include <stdlib.h>
#include <string.h>

static const char tpl[] =
    "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD><VerProto>SyncML/1.2</VerProto>"
    "<SessionID>7</SessionID><MsgID>1</MsgID><Target><LocURI>http://127.0.0.1/sync</LocURI></Target>"
    "<Source><LocURI>fuzz-device</LocURI></Source></SyncHdr><SyncBody>"
    "<Put><CmdID>1</CmdID><Meta><Type xmlns='syncml:metinf'>application/vnd.syncml-devinf+xml</Type></Meta>"
    "<Item><Source><LocURI>./devinf12</LocURI></Source><Data>-</Data></Item></Put>"
    "<Sync><CmdID>2</CmdID><Target><LocURI>contacts</LocURI></Target><Source><LocURI>./contacts</LocURI></Source>"
    "<Add><CmdID>3</CmdID><Meta><Type xmlns='syncml:metinf'>text/vcard</Type></Meta>"
    "<Item><Source><LocURI>1001</LocURI></Source><Data>-</Data></Item></Add></Sync><Final/></SyncBody></SyncML>";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_quiet_libxml();
    return 0;
}

/* The n-th <Data> element of the body, in document order. */
static xmlNode *data_el(xmlNode *n, int *k)
{
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)n->name, "Data") == 0 && (*k)-- == 0)
            return n;
        xmlNode *c = data_el(n->children, k);
        if (c != NULL)
            return c;
    }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t n_algs = 0;
    const struct ct_enc_alg *table = ct_enc_alg_table(&n_algs);
    const struct ct_enc_alg *alg = &table[(data[0] >> 1) % n_algs];
    static const uint8_t key[CT_ENC_KEY_LEN] = {9, 8, 7, 6, 5, 4, 3, 2, 1};
    struct ct_enc_binding b = {"syncml-enc/1;alg=x", "7", "fuzz-device"};
    unsigned parts = CT_ENC_PART_CRED | CT_ENC_PART_DEVINF | CT_ENC_PART_DATA;
    struct ct_enc_session tx, rx;
    if (ct_enc_session_init(&tx, alg, parts, key, &b, NULL) != CT_OK)
        return 0;
    if (ct_enc_session_init(&rx, alg, parts, key, &b, NULL) != CT_OK) {
        ct_enc_session_wipe(&tx);
        return 0;
    }
    struct ct_msg *m = NULL;
    struct ct_buf wire;
    ct_buf_init(&wire, 16 << 20);
    if (ct_msg_parse(&m, (const uint8_t *)tpl, sizeof(tpl) - 1, CT_ENC_XML, NULL, NULL) == CT_OK) {
        int k = data[0] & 1; /* 0: the DevInf Put, 1: the item */
        xmlNode *d = data_el(xmlDocGetRootElement(ct_msg_doc(m)), &k);
        if (d != NULL) {
            xmlNodeSetContent(d, NULL);
            xmlNodeAddContentLen(d, data + 1, (int)(size - 1));
        }
        struct ct_ser_opts so = {.enc = (data[0] & 0x40) ? CT_ENC_WBXML : CT_ENC_XML};
        if (d != NULL && ct_msg_reindex(m) == CT_OK && ct_enc_msg_seal(&tx, m, CT_ENC_C2S, NULL) == CT_OK &&
            ct_msg_serialize(m, &so, &wire, NULL) == CT_OK) {
            struct ct_msg *back = NULL;
            if (ct_msg_parse(&back, wire.data, wire.len, so.enc, NULL, NULL) == CT_OK) {
                struct ct_enc_outcome *out = NULL;
                size_t n = 0;
                ct_enc_msg_open(&rx, back, CT_ENC_C2S, &out, &n);
                free(out);
                ct_msg_free(back);
            }
        }
        ct_msg_free(m);
    }
    ct_buf_cleanup(&wire);
    ct_enc_session_wipe(&tx);
    ct_enc_session_wipe(&rx);
    return 0;
}
