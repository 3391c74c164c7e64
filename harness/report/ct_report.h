/*
 * ct_report: the results of a run and the reports written from them. The engine fills one
 * struct ct_result per scenario; the writers here turn a finished run into JUnit XML, JSON and
 * a self-contained HTML certification report, and print the console lines.
 *
 * Everything a SUT sent that reaches a result (the `actual` text, transcript excerpts) is
 * untrusted: the writers escape it for their format. Secrets never reach a result; the engine
 * redacts them before.
 */
#ifndef CT_REPORT_H
#define CT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum ct_verdict {
    CT_VERDICT_PASS,    /* every step as expected */
    CT_VERDICT_FAIL,    /* the SUT did something the scenario does not allow */
    CT_VERDICT_ERROR,   /* the harness could not judge: broken scenario or template, internal error */
    CT_VERDICT_SKIP,    /* not applicable (a capability the SUT does not claim) or disabled, with a reason */
    CT_VERDICT_XFAIL,   /* failed, and the SUT config lists it as a known failure */
    CT_VERDICT_XPASS,   /* passed although listed as a known failure: unexpected */
};

/* "pass", "fail", "error", "skip", "xfail", "xpass". */
const char *ct_verdict_name(enum ct_verdict v);

/* Whether a verdict is what the run expected (pass, skip, xfail). */
bool ct_verdict_expected(enum ct_verdict v);

/* One scenario's result. All strings are owned by the result (malloc'ed, freed by
 * ct_result_cleanup); any of them may be NULL when it does not apply. */
struct ct_result {
    char *id;           /* stable scenario id, "enc.neg.offer-accepted" */
    char *title;
    char *file;         /* the scenario file, as given to the run */
    char *role;         /* the SUT's role: "server" or "client" */
    char **rules;       /* the requirements it checks: "ENC-NEG-6", "DS-PRO 5.3" */
    size_t n_rules;
    enum ct_verdict verdict;
    char *reason;       /* skip/xfail reason; for fail/error a one-line summary */
    char *where;        /* fail/error: "step 3 (expect, line 14)" */
    char *expected;     /* fail: what the step allowed, one alternative per line */
    char *actual;       /* fail: what came back, a compact fingerprint */
    double seconds;     /* wall time of the scenario */
    char *transcript;   /* the scenario's transcript directory, if written */
};

void ct_result_cleanup(struct ct_result *r);

/* What the run was: shown at the top of every report. Not owned (the caller keeps it alive). */
struct ct_run_info {
    const char *conftest_version;
    const char *suite_version;   /* scenarios/VERSION */
    const char *sut_name;        /* "conftest reference (builtin)", or the SUT config's name */
    const char *sut_config;      /* the SUT config file, or NULL for the builtin reference */
    const char *ref_bugs;        /* seeded bugs switched on, comma-separated, or NULL */
    const char *started;         /* ISO 8601 UTC */
    unsigned long seed;          /* the order's seed */
    double seconds;              /* wall time of the whole run */
};

/* Counts over results. */
struct ct_report_counts {
    size_t pass, fail, error, skip, xfail, xpass;
};

void ct_report_count(const struct ct_result *r, size_t n, struct ct_report_counts *out);

/*
 * The writers. Each writes the whole report for results r[0..n) to path, replacing it.
 * Returns 0, or CT_ERR_IO / CT_ERR_NOMEM (the file is then incomplete) with diag.
 */
struct ct_diag;
int ct_report_junit(const char *path, const struct ct_run_info *info, const struct ct_result *r,
                    size_t n, struct ct_diag *diag);
int ct_report_json(const char *path, const struct ct_run_info *info, const struct ct_result *r,
                   size_t n, struct ct_diag *diag);
int ct_report_html(const char *path, const struct ct_run_info *info, const struct ct_result *r,
                   size_t n, struct ct_diag *diag);

/*
 * Console lines: ct_report_line prints one result as it finishes ("PASS  id  title", and for
 * failures the requirement, expected and actual, indented); ct_report_summary the closing
 * line "N passed, N failed[, N errors][, N skipped][, N expected failures][, N unexpected passes]
 * in S s". color: ANSI colours (for a terminal).
 */
void ct_report_line(FILE *f, const struct ct_result *r, bool color);
void ct_report_summary(FILE *f, const struct ct_report_counts *c, double seconds, bool color);

#endif
