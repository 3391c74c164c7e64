/*
 * Shared set-up of the fuzz targets (see fuzz_common.h).
 */
#include "fuzz_common.h"

#include "crypto/ct_enc_cert.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>

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

static const char *vectors_dir(void)
{
    const char *v = getenv("CONFTEST_VECTORS");
    return v != NULL ? v : "vectors";
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
