#include "base/ct_b64.h"

#include "base/ct_err.h"

#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

size_t ct_b64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

size_t ct_b64_encode(char *out, const uint8_t *in, size_t n)
{
    /* EVP_EncodeBlock takes an int length: encode in chunks that are a multiple of 3 bytes. */
    const size_t chunk = 3u * 1024u * 1024u;
    size_t written = 0;
    while (n > 0) {
        size_t take = n < chunk ? n : chunk;
        written += (size_t)EVP_EncodeBlock((unsigned char *)out + written, in, (int)take);
        in += take;
        n -= take;
    }
    out[written] = '\0';
    return written;
}

char *ct_b64_encode_alloc(const uint8_t *in, size_t n)
{
    char *out = malloc(ct_b64_encoded_len(n) + 1);
    if (out == NULL)
        return NULL;
    ct_b64_encode(out, in, n);
    return out;
}

static int is_b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/' || c == '=';
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int ct_b64_decode(uint8_t **out, size_t *out_len, const char *text)
{
    size_t n = strlen(text);
    /*
     * OpenSSL's decoder treats '-' as a soft end of input (a PEM convention) and would silently
     * drop what follows; check the alphabet first so that only whitespace is ever skipped.
     */
    size_t significant = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (is_space(c))
            continue;
        if (!is_b64_char(c))
            return CT_ERR_BASE64;
        significant++;
    }
    if (significant % 4 != 0)
        return CT_ERR_BASE64;

    uint8_t *buf = malloc(significant / 4 * 3 + 1);
    if (buf == NULL)
        return CT_ERR_NOMEM;
    EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
    if (ctx == NULL) {
        free(buf);
        return CT_ERR_NOMEM;
    }
    int rc = CT_OK;
    size_t total = 0;
    EVP_DecodeInit(ctx);
    const size_t chunk = 1u << 20;
    for (size_t off = 0; off < n; off += chunk) {
        int in_len = (int)(n - off < chunk ? n - off : chunk);
        int got = 0;
        if (EVP_DecodeUpdate(ctx, buf + total, &got, (const unsigned char *)text + off, in_len) < 0) {
            rc = CT_ERR_BASE64;
            break;
        }
        total += (size_t)got;
    }
    if (rc == CT_OK) {
        int got = 0;
        if (EVP_DecodeFinal(ctx, buf + total, &got) < 0)
            rc = CT_ERR_BASE64;
        else
            total += (size_t)got;
    }
    EVP_ENCODE_CTX_free(ctx);
    if (rc != CT_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = total;
    return CT_OK;
}
