/*
 * ct_oracle: are the failures of one oracle class (docs/PROFILE.md 9.2) indistinguishable?
 *
 * Each member scenario of a class is run many times, in random order; each run leaves the
 * fingerprint of the answer to its probe (ct_eng_probe). The members are the rows and the
 * distinct fingerprints the columns of a contingency table; a test of independence (Fisher's
 * exact test for 2x2, chi-squared otherwise, as TLS-Scanner does) says whether the answer
 * depends on which failure was sent -- an oracle. The pair of members that differ most is named
 * with its p-value. Timing is not judged here: it goes to timing.csv for offline analysis.
 */
#ifndef CT_ORACLE_H
#define CT_ORACLE_H

#include "base/ct_err.h"

#include <stdbool.h>
#include <stddef.h>

struct ct_oracle_member {
    const char *id;
    char **prints;   /* n fingerprints */
    double *ms;      /* n response times */
    size_t n;
};

struct ct_oracle_verdict {
    bool distinguishable; /* p < alpha */
    double p;             /* of the whole table */
    size_t a, b;          /* the pair that differs most (indexes of members) */
    double pair_p;
    size_t columns;       /* distinct fingerprints seen */
};

/* ct_oracle_judge tests the table of n members. Returns 0, CT_ERR_INVALID_ARG (fewer than two
 * members or an empty one), CT_ERR_NOMEM. */
int ct_oracle_judge(const struct ct_oracle_member *m, size_t n, double alpha, struct ct_oracle_verdict *out);

/* ct_oracle_fisher2x2 is the two-sided p-value of Fisher's exact test of [[a, b], [c, d]]. */
double ct_oracle_fisher2x2(unsigned a, unsigned b, unsigned c, unsigned d);

/*
 * ct_oracle_timing_csv writes tlsfuzzer's timing.csv layout: a header row of member ids, then
 * one row per run with each member's response time in seconds. Returns 0 or CT_ERR_IO.
 */
int ct_oracle_timing_csv(const char *path, const struct ct_oracle_member *m, size_t n, struct ct_diag *diag);

#endif
