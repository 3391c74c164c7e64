/*
 * Helpers shared by the unit tests: test data files, parsing shortcuts, canonical forms.
 * Test data lives under $CONFTEST_TESTDATA (tests/data when run from the top directory).
 */
#ifndef CT_TESTLIB_H
#define CT_TESTLIB_H

#include "syncml/ct_msg.h"

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/* tl_path returns "$CONFTEST_TESTDATA/rel" in a static buffer. */
const char *tl_path(const char *rel);

/* tl_vector_path returns "$CONFTEST_VECTORS/rel" (default vectors/) in a static buffer. */
const char *tl_vector_path(const char *rel);

/* tl_read reads a test data file (malloc'ed, NUL-terminated); fails the test if missing.
 * tl_read_file does the same for a path as given. */
uint8_t *tl_read(const char *rel, size_t *len);
uint8_t *tl_read_file(const char *path, size_t *len);

/* tl_parse parses bytes with default limits; fails the test with the diagnostic if it fails. */
struct ct_msg *tl_parse(const uint8_t *data, size_t len);

/* tl_parse_file is tl_read + tl_parse. */
struct ct_msg *tl_parse_file(const char *rel);

/* tl_parse_text parses a NUL-terminated XML string. */
struct ct_msg *tl_parse_text(const char *xml);

/* tl_canon returns the canonical form of m (malloc'ed). */
char *tl_canon(const struct ct_msg *m);

/* tl_serialize encodes m (malloc'ed bytes, *len set); fails the test on error. */
uint8_t *tl_serialize(const struct ct_msg *m, const struct ct_ser_opts *opts, size_t *len);

/* tl_glob lists test data files matching a pattern relative to the data directory, sorted.
 * The list is static and lives for the whole run; returns the count. */
size_t tl_glob(const char *pattern, const char ***names);

/* Suites, one per module under test. */
Suite *suite_b64(void);
Suite *suite_arena(void);
Suite *suite_auth(void);
Suite *suite_msg(void);
Suite *suite_wbxml(void);
Suite *suite_captures(void);
Suite *suite_hostile(void);
Suite *suite_enc(void);
Suite *suite_vectors(void);
Suite *suite_sut(void);
Suite *suite_bugs(void);
Suite *suite_report(void);
Suite *suite_scn(void);
Suite *suite_oracle(void);
Suite *suite_lfz(void);

#endif
