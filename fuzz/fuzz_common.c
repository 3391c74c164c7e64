/*
 * Shared set-up of the fuzz targets (see fuzz_common.h).
 */
#define _GNU_SOURCE /* memrchr, readlink */
#include "fuzz_common.h"

#include "crypto/ct_enc_cert.h"
#include "syncml/ct_summary.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void no_message(void *ctx, const char *fmt, ...)
{
    (void)ctx;
    (void)fmt;
}

static void no_error(void *ctx, xmlError *err)
{
    (void)ctx;
    (void)err;
}

void fuzz_quiet_libxml(void)
{
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, no_message);
    xmlSetStructuredErrorFunc(NULL, no_error);
}

/* $CONFTEST_VECTORS, ./vectors, or vectors/ beside the fuzzer binary (how ClusterFuzzLite and
 * OSS-Fuzz ship it: everything in one output directory). */
static const char *vectors_dir(void)
{
    static char dir[1024];
    const char *v = getenv("CONFTEST_VECTORS");
    if (v != NULL)
        return v;
    if (access("vectors/pki/server-2048.key", R_OK) == 0)
        return "vectors";
    ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 16);
    char *slash = n > 0 ? memrchr(dir, '/', (size_t)n) : NULL;
    if (slash == NULL)
        return "vectors";
    strcpy(slash, "/vectors");
    return dir;
}

const char *fuzz_server_cert_path(void)
{
    static char path[1024];
    snprintf(path, sizeof(path), "%s/pki/server-2048.pem", vectors_dir());
    return path;
}

EVP_PKEY *fuzz_server_key(void)
{
    static EVP_PKEY *key;
    if (key == NULL) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/pki/server-2048.key", vectors_dir());
        struct ct_diag d = {0};
        key = ct_enc_key_load(path, &d);
        if (key == NULL) {
            fprintf(stderr, "fuzz: %s (set CONFTEST_VECTORS to the vectors directory)\n", d.text);
            abort();
        }
    }
    return key;
}

void fuzz_message(const uint8_t *data, size_t size, enum ct_enc enc)
{
    struct ct_limits lim = {.max_bytes = 1 << 20, .max_depth = 64};
    struct ct_msg *m = NULL;
    if (ct_msg_parse(&m, data, size, enc, &lim, NULL) != CT_OK)
        return;
    struct ct_buf b;
    ct_buf_init(&b, 8 << 20);
    ct_msg_check(m, NULL);
    ct_msg_canonical(m, &b);
    ct_buf_reset(&b);
    ct_msg_summary(m, &b);
    ct_buf_reset(&b);
    struct ct_ser_opts xml = {.enc = CT_ENC_XML}, wbxml = {.enc = CT_ENC_WBXML};
    ct_msg_serialize(m, &xml, &b, NULL);
    ct_buf_reset(&b);
    ct_msg_serialize(m, &wbxml, &b, NULL);
    ct_buf_cleanup(&b);
    ct_msg_free(m);
}
