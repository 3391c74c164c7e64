#include "base/ct_buf.h"

#include "base/ct_err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t effective_max(const struct ct_buf *b)
{
    return b->max != 0 ? b->max : SIZE_MAX / 2;
}

void ct_buf_init(struct ct_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void ct_buf_cleanup(struct ct_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void ct_buf_reset(struct ct_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

/* reserve makes room for n more bytes plus the trailing NUL. */
static int reserve(struct ct_buf *b, size_t n)
{
    if (n > effective_max(b) - b->len)
        return CT_ERR_TOO_BIG;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return CT_OK;
    size_t cap = b->cap != 0 ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = realloc(b->data, cap);
    if (p == NULL)
        return CT_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return CT_OK;
}

int ct_buf_append(struct ct_buf *b, const void *p, size_t n)
{
    int rc = reserve(b, n);
    if (rc != CT_OK)
        return rc;
    if (n != 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return CT_OK;
}

int ct_buf_append_str(struct ct_buf *b, const char *s)
{
    return ct_buf_append(b, s, strlen(s));
}

int ct_buf_printf(struct ct_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return CT_ERR_INTERNAL;
    int rc = reserve(b, (size_t)n);
    if (rc != CT_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CT_OK;
}

uint8_t *ct_buf_steal(struct ct_buf *b, size_t *len)
{
    if (b->data == NULL && reserve(b, 0) != CT_OK)
        return NULL;
    uint8_t *p = b->data;
    if (len != NULL)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

int ct_buf_read_file(struct ct_buf *b, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL)
        return CT_ERR_IO;
    int rc = CT_OK;
    uint8_t chunk[65536];
    for (;;) {
        size_t n = fread(chunk, 1, sizeof(chunk), f);
        if (n > 0) {
            rc = ct_buf_append(b, chunk, n);
            if (rc != CT_OK)
                break;
        }
        if (n < sizeof(chunk)) {
            if (ferror(f))
                rc = CT_ERR_IO;
            break;
        }
    }
    /* An empty file still yields a NUL-terminated, zero-length buffer. */
    if (rc == CT_OK)
        rc = reserve(b, 0);
    int saved = errno;
    if (f != stdin)
        fclose(f);
    errno = saved;
    return rc;
}
