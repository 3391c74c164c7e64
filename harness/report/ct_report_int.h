/*
 * ct_report_int: helpers shared by the report writers (ct_report*.c), not part of the module's
 * contract. The text helpers exist because result strings carry bytes a SUT sent: they may be
 * invalid UTF-8 or hold control characters that XML 1.0 and HTML cannot carry at all, not even
 * as character references, and that jansson refuses (json_string returns NULL).
 */
#ifndef CT_REPORT_INT_H
#define CT_REPORT_INT_H

#include "base/ct_err.h"
#include "report/ct_report.h"

#include <stddef.h>

/* Longest text taken from one result field, in bytes; longer text is cut (at a character
 * boundary) and marked, so one runaway fingerprint cannot bloat every report. */
#define CT_REPORT_TEXT_MAX 65536

enum ct_report_clean {
    /* Valid UTF-8 only: each byte that does not start a well-formed sequence (RFC 3629: no
     * overlongs, surrogates or code points past U+10FFFF) becomes U+FFFD. Control characters
     * stay; the JSON writer escapes them as \uXXXX. */
    CT_REPORT_CLEAN_UTF8,
    /* As above, and every character XML 1.0 and HTML forbid becomes U+FFFD too: C0 controls
     * but TAB, LF and CR, DEL, C1 controls, U+FFFE and U+FFFF. */
    CT_REPORT_CLEAN_XML,
};

/*
 * ct_report_clean returns a malloc'ed, cleaned copy of s (at most CT_REPORT_TEXT_MAX bytes of
 * it, then " [truncated]"), or NULL when s is NULL or memory runs out.
 */
char *ct_report_clean(const char *s, enum ct_report_clean mode);

/* "PASS", "FAIL", "ERROR", "SKIP", "XFAIL", "XPASS": the console tag and the JSON names. */
const char *ct_report_verdict_tag(enum ct_verdict v);

/* Whether a verdict counts against conformance: fail, error, xpass. */
bool ct_report_is_failure(enum ct_verdict v);

/* ct_report_seconds formats a duration as "12.345" (milliseconds, no locale, no exponent;
 * negative or NaN is 0) into buf, which must hold 32 bytes. Returns buf. */
char *ct_report_seconds(char *buf, double seconds);

/* ct_report_write_file replaces path with data[0..len). 0 or CT_ERR_IO with diag. */
int ct_report_write_file(const char *path, const void *data, size_t len, struct ct_diag *diag);

#endif
