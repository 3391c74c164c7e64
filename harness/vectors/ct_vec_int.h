/*
 * Private to harness/vectors/: what the format runners share.
 */
#ifndef CT_VEC_INT_H
#define CT_VEC_INT_H

#include "base/ct_buf.h"
#include "vectors/ct_vec.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A file being run: its name for messages, where to log, and its counts. */
struct ct_vec_file {
    const char *name;
    FILE *log;
    struct ct_vec_tally t;
    const char *skip_reason; /* the reason of the last skip, for the file line */
};

/* Record one vector's outcome; a failure is logged with its id and why. */
void ct_vec_pass(struct ct_vec_file *f);
void ct_vec_fail(struct ct_vec_file *f, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ct_vec_skip(struct ct_vec_file *f, const char *reason);

/* Hex decoding into a malloc'ed buffer (never NULL on success, even for ""). */
int ct_vec_hex(const char *hex, uint8_t **out, size_t *len);

/* The JSON string member `key` of obj, or NULL. */
const char *ct_vec_str(const json_t *obj, const char *key);

/* The hex member `key` of obj decoded; CT_ERR_PARSE if missing or not hex. */
int ct_vec_jhex(const json_t *obj, const char *key, uint8_t **out, size_t *len);

/* The runners, one per format. Each returns 0 or CT_ERR_PARSE (diag says where). */
int ct_vec_wycheproof(struct ct_vec_file *f, const json_t *root, struct ct_diag *diag);
int ct_vec_profile(struct ct_vec_file *f, const json_t *root, struct ct_diag *diag);
int ct_vec_cavp(struct ct_vec_file *f, const char *text, struct ct_diag *diag);
int ct_vec_rsalabs(struct ct_vec_file *f, const char *text, bool oaep, struct ct_diag *diag);

#endif
