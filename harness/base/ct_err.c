#include "base/ct_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ct_strerror(int code)
{
    switch (code) {
    case CT_OK: return "success";
    case CT_ERR_PARSE: return "malformed message";
    case CT_ERR_TOO_BIG: return "input exceeds the size limit";
    case CT_ERR_TOO_DEEP: return "input exceeds the nesting limit";
    case CT_ERR_NOT_SYNCML: return "not a SyncML message";
    case CT_ERR_ENCODING: return "unknown encoding";
    case CT_ERR_BASE64: return "invalid base64";
    case CT_ERR_PROTO: return "protocol violation";
    case CT_ERR_AUTH: return "authentication failed";
    case CT_ERR_MISSING: return "required element missing";
    case CT_ERR_CRYPTO: return "cryptographic failure";
    case CT_ERR_CRYPTO_LIMIT: return "key data limit reached";
    case CT_ERR_IO: return "input/output error";
    case CT_ERR_USAGE: return "usage error";
    case CT_ERR_INVALID_ARG: return "invalid argument";
    case CT_ERR_UNSUPPORTED: return "not supported";
    case CT_ERR_FATAL: return "fatal error";
    case CT_ERR_NOMEM: return "out of memory";
    case CT_ERR_INTERNAL: return "internal error";
    default: return "unknown error";
    }
}

int ct_err_is_fatal(int code)
{
    return code <= CT_ERR_FATAL;
}

int ct_diag_set(struct ct_diag *diag, int code, const char *fmt, ...)
{
    if (diag == NULL || diag->code != CT_OK)
        return code;
    diag->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->text, sizeof(diag->text), fmt, ap);
    va_end(ap);
    return code;
}

void ct_diag_clear(struct ct_diag *diag)
{
    if (diag == NULL)
        return;
    diag->code = CT_OK;
    diag->text[0] = '\0';
}

void ct_diag_prefix(struct ct_diag *diag, const char *fmt, ...)
{
    if (diag == NULL || diag->code == CT_OK)
        return;
    char prefix[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    /* Shift the text right to make room; what no longer fits is cut at the end. */
    size_t plen = strlen(prefix) + 2; /* "prefix: " */
    size_t cap = sizeof(diag->text) - 1;
    if (plen >= cap)
        plen = cap;
    size_t tlen = strlen(diag->text);
    if (tlen > cap - plen)
        tlen = cap - plen;
    memmove(diag->text + plen, diag->text, tlen);
    diag->text[plen + tlen] = '\0';
    memcpy(diag->text, prefix, plen - 2);
    diag->text[plen - 2] = ':';
    diag->text[plen - 1] = ' ';
}
