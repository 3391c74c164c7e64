#include "base/ct_b64.h"

#include "base/ct_err.h"

#include <limits.h>
#include <stdbool.h>
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

/*
 * Byte classes for the validating pass. OpenSSL's decoders accept more than RFC 4648: '-' ends
 * PEM input in EVP_DecodeUpdate and silently drops what follows, and EVP_DecodeBlock decodes '='
 * as zero bits anywhere. So the text is checked here, in one table-driven pass, and only clean
 * quads without whitespace reach EVP_DecodeBlock (several times faster than EVP_DecodeUpdate,
 * which matters for encrypted fields of many kilobytes).
 */
enum { B64_BAD = 0, B64_DIGIT = 1, B64_PAD = 2, B64_SPACE = 4 }; /* bits: see the fast loop */
#define D(c) [(unsigned char)(c)] = B64_DIGIT
static const unsigned char b64_class[256] = {
    D('A'), D('B'), D('C'), D('D'), D('E'), D('F'), D('G'), D('H'), D('I'), D('J'), D('K'),
    D('L'), D('M'), D('N'), D('O'), D('P'), D('Q'), D('R'), D('S'), D('T'), D('U'), D('V'),
    D('W'), D('X'), D('Y'), D('Z'), D('a'), D('b'), D('c'), D('d'), D('e'), D('f'), D('g'),
    D('h'), D('i'), D('j'), D('k'), D('l'), D('m'), D('n'), D('o'), D('p'), D('q'), D('r'),
    D('s'), D('t'), D('u'), D('v'), D('w'), D('x'), D('y'), D('z'), D('0'), D('1'), D('2'),
    D('3'), D('4'), D('5'), D('6'), D('7'), D('8'), D('9'), D('+'), D('/'),
    ['='] = B64_PAD, [' '] = B64_SPACE, ['\t'] = B64_SPACE, ['\r'] = B64_SPACE, ['\n'] = B64_SPACE,
};
#undef D

int ct_b64_decode(uint8_t **out, size_t *out_len, const char *text)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t n = strlen(text), i = 0;
    /* The common case, one clean line: eight bytes per test (their classes AND to B64_DIGIT
     * only when all eight are digits). */
    while (n - i >= 8 && (b64_class[t[i]] & b64_class[t[i + 1]] & b64_class[t[i + 2]] & b64_class[t[i + 3]] &
                          b64_class[t[i + 4]] & b64_class[t[i + 5]] & b64_class[t[i + 6]] & b64_class[t[i + 7]]) == B64_DIGIT)
        i += 8;
    while (i < n && b64_class[t[i]] == B64_DIGIT)
        i++;
    size_t significant = i, pad = 0;
    bool space = false;
    for (; i < n; i++) {
        switch (b64_class[t[i]]) {
        case B64_DIGIT:
            if (pad > 0) /* data after padding */
                return CT_ERR_BASE64;
            significant++;
            break;
        case B64_PAD:
            pad++;
            significant++;
            break;
        case B64_SPACE:
            space = true;
            break;
        default:
            return CT_ERR_BASE64;
        }
    }
    if (significant % 4 != 0 || pad > 2)
        return CT_ERR_BASE64;

    /* Whitespace is rare (line-wrapped senders): squeeze it out into a copy. */
    char *squeezed = NULL;
    const unsigned char *src = t;
    if (space) {
        squeezed = malloc(significant + 1);
        if (squeezed == NULL)
            return CT_ERR_NOMEM;
        size_t k = 0;
        for (i = 0; i < n; i++)
            if (b64_class[t[i]] != B64_SPACE)
                squeezed[k++] = (char)t[i];
        src = (const unsigned char *)squeezed;
    }
    uint8_t *buf = malloc(significant / 4 * 3 + 1);
    if (buf == NULL) {
        free(squeezed);
        return CT_ERR_NOMEM;
    }
    /* EVP_DecodeBlock takes an int length: whole quads, a chunk at a time. */
    const size_t chunk = 4u << 20;
    size_t total = 0;
    for (size_t off = 0; off < significant; off += chunk) {
        size_t take = significant - off < chunk ? significant - off : chunk;
        int got = EVP_DecodeBlock(buf + total, src + off, (int)take);
        if (got < 0) { /* cannot happen on text that passed the checks above */
            free(squeezed);
            free(buf);
            return CT_ERR_BASE64;
        }
        total += (size_t)got;
    }
    free(squeezed);
    *out = buf;
    *out_len = total - pad; /* EVP_DecodeBlock counts the padding as zero bytes */
    return CT_OK;
}
