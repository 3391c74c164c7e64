/*
 * ct_buf: a growable byte buffer with an upper bound.
 *
 * Every buffer that holds data from a peer has a bound, so a hostile peer cannot make conftest
 * allocate without limit: appending past `max` fails with CT_ERR_TOO_BIG and leaves the buffer
 * unchanged. The content is always followed by a NUL byte (not counted in len), so text can be
 * handed to C string functions directly.
 */
#ifndef CT_BUF_H
#define CT_BUF_H

#include <stddef.h>
#include <stdint.h>

struct ct_buf {
    uint8_t *data; /* NULL until the first append; then data[len] == '\0' */
    size_t len;
    size_t cap;
    size_t max;    /* 0 means SIZE_MAX / 2 */
};

/* ct_buf_init prepares caller storage; max bounds len (0: effectively unbounded). */
void ct_buf_init(struct ct_buf *b, size_t max);

/* ct_buf_cleanup frees the content; b may be reused after ct_buf_init. */
void ct_buf_cleanup(struct ct_buf *b);

/* ct_buf_reset empties b and keeps its storage. */
void ct_buf_reset(struct ct_buf *b);

/* ct_buf_append copies n bytes. Returns 0, CT_ERR_TOO_BIG or CT_ERR_NOMEM. */
int ct_buf_append(struct ct_buf *b, const void *p, size_t n);

/* ct_buf_append_str appends a C string without its NUL. */
int ct_buf_append_str(struct ct_buf *b, const char *s);

/* ct_buf_printf appends formatted text. Same errors as ct_buf_append. */
int ct_buf_printf(struct ct_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ct_buf_steal hands the content to the caller (free() it) and empties b. Never NULL on success. */
uint8_t *ct_buf_steal(struct ct_buf *b, size_t *len);

/*
 * ct_buf_read_file reads a whole file ("-" is standard input) into b, failing with
 * CT_ERR_TOO_BIG past b->max and CT_ERR_IO (errno kept) on a read error.
 */
int ct_buf_read_file(struct ct_buf *b, const char *path);

#endif
