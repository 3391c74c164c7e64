/*
 * ct_err: error codes and diagnostics shared by every conftest module.
 *
 * Functions return int: 0 on success or a negative enum ct_error. The hundreds digit is the
 * category, so a caller can tell bad input (-1xx) from a protocol violation (-2xx), a crypto
 * failure (-3xx), I/O (-4xx), misuse (-5xx) and fatal conditions (<= CT_ERR_FATAL) without a
 * table. Functions that can explain a failure also take a `struct ct_diag *` (may be NULL) and
 * fill it with one line that says what is wrong and where: byte offset, line, element path.
 */
#ifndef CT_ERR_H
#define CT_ERR_H

#include <stddef.h>

enum ct_error {
    CT_OK = 0,

    /* Input that is not a well-formed SyncML message. */
    CT_ERR_PARSE = -100,     /* malformed XML or WBXML */
    CT_ERR_TOO_BIG = -101,   /* over the configured size bound */
    CT_ERR_TOO_DEEP = -102,  /* over the configured nesting bound */
    CT_ERR_NOT_SYNCML = -103, /* well-formed, but not a SyncML document */
    CT_ERR_ENCODING = -104,  /* unknown content type or encoding */
    CT_ERR_BASE64 = -105,    /* invalid base64 text */

    /* Well-formed input that violates the protocol. */
    CT_ERR_PROTO = -200,
    CT_ERR_AUTH = -201,      /* credentials present but wrong */
    CT_ERR_MISSING = -202,   /* a required element is absent */

    CT_ERR_CRYPTO = -300,    /* a field, tag or wrapped key does not verify (no detail, on purpose) */
    CT_ERR_CRYPTO_LIMIT = -301, /* a key's data budget is used up (3DES) */

    CT_ERR_IO = -400,

    CT_ERR_USAGE = -500,
    CT_ERR_INVALID_ARG = -501,
    CT_ERR_UNSUPPORTED = -502, /* a valid request conftest does not implement */

    /* At or below this value the object that returned it must not be used any more. */
    CT_ERR_FATAL = -900,
    CT_ERR_NOMEM = -901,
    CT_ERR_INTERNAL = -902,
};

/* A diagnostic: the error code and a one-line human-readable explanation. */
struct ct_diag {
    int code;
    char text[512];
};

/* ct_strerror returns a static, short description of an error code. */
const char *ct_strerror(int code);

/* ct_err_is_fatal returns nonzero when code means the object that returned it is unusable. */
int ct_err_is_fatal(int code);

/*
 * ct_diag_set records code and a printf-style message in diag (if diag is not NULL) and returns
 * code, so a failure path reads `return ct_diag_set(diag, CT_ERR_PARSE, "...", ...);`.
 * A diagnostic that is already set is not overwritten: the first, most specific, cause wins.
 */
int ct_diag_set(struct ct_diag *diag, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ct_diag_clear resets diag to "no error". */
void ct_diag_clear(struct ct_diag *diag);

/* ct_diag_prefix prepends "prefix: " to an already set diagnostic (for file names, steps). */
void ct_diag_prefix(struct ct_diag *diag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
