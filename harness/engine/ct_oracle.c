/*
 * Oracle statistics over a contingency table of answer fingerprints (see ct_oracle.h). The
 * distributions come from GSL (chi-squared survival function, hypergeometric probabilities).
 */
#include "engine/ct_oracle.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double ct_oracle_fisher2x2(unsigned a, unsigned b, unsigned c, unsigned d)
{
    /* Margins fixed: the first column holds t = a + c of the n1 = a + b and n2 = c + d. Sum the
     * probabilities of every table no more likely than the one observed. */
    unsigned n1 = a + b, n2 = c + d, t = a + c;
    double observed = gsl_ran_hypergeometric_pdf(a, n1, n2, t);
    unsigned lo = t > n2 ? t - n2 : 0, hi = t < n1 ? t : n1;
    double p = 0;
    for (unsigned k = lo; k <= hi; k++) {
        double pk = gsl_ran_hypergeometric_pdf(k, n1, n2, t);
        if (pk <= observed * (1 + 1e-7))
            p += pk;
    }
    return p > 1 ? 1 : p;
}

/* The p-value of rows x cols counts (row-major): Fisher for 2x2, chi-squared otherwise. */
static double table_p(const unsigned *t, size_t rows, size_t cols)
{
    if (rows == 2 && cols == 2)
        return ct_oracle_fisher2x2(t[0], t[1], t[2], t[3]);
    double total = 0;
    double *rs = calloc(rows, sizeof(double)), *cs = calloc(cols, sizeof(double));
    if (rs == NULL || cs == NULL) {
        free(rs);
        free(cs);
        return 1;
    }
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            rs[r] += t[r * cols + c];
            cs[c] += t[r * cols + c];
            total += t[r * cols + c];
        }
    double chi2 = 0;
    size_t live_r = 0, live_c = 0;
    for (size_t r = 0; r < rows; r++)
        live_r += rs[r] > 0;
    for (size_t c = 0; c < cols; c++)
        live_c += cs[c] > 0;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            double e = rs[r] * cs[c] / total;
            if (e > 0)
                chi2 += (t[r * cols + c] - e) * (t[r * cols + c] - e) / e;
        }
    free(rs);
    free(cs);
    if (live_r < 2 || live_c < 2)
        return 1;
    return gsl_cdf_chisq_Q(chi2, (double)((live_r - 1) * (live_c - 1)));
}

int ct_oracle_judge(const struct ct_oracle_member *m, size_t n, double alpha, struct ct_oracle_verdict *out)
{
    memset(out, 0, sizeof(*out));
    out->p = 1;
    out->pair_p = 1;
    if (n < 2)
        return CT_ERR_INVALID_ARG;
    for (size_t i = 0; i < n; i++)
        if (m[i].n == 0)
            return CT_ERR_INVALID_ARG;
    /* The columns: distinct fingerprints, in order of first appearance. */
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += m[i].n;
    const char **cols = calloc(total, sizeof(*cols));
    unsigned *t = NULL;
    if (cols == NULL)
        return CT_ERR_NOMEM;
    size_t nc = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < m[i].n; k++) {
            size_t c = 0;
            while (c < nc && strcmp(cols[c], m[i].prints[k]) != 0)
                c++;
            if (c == nc)
                cols[nc++] = m[i].prints[k];
        }
    out->columns = nc;
    t = calloc(n * nc, sizeof(unsigned));
    if (t == NULL) {
        free(cols);
        return CT_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < m[i].n; k++)
            for (size_t c = 0; c < nc; c++)
                if (strcmp(cols[c], m[i].prints[k]) == 0) {
                    t[i * nc + c]++;
                    break;
                }
    if (nc > 1) {
        out->p = table_p(t, n, nc);
        /* The pair that differs most: the smallest p of the two rows alone. */
        unsigned *pair = calloc(2 * nc, sizeof(unsigned));
        for (size_t a = 0; pair != NULL && a < n; a++)
            for (size_t b = a + 1; b < n; b++) {
                size_t k = 0;
                for (size_t c = 0; c < nc; c++)
                    if (t[a * nc + c] + t[b * nc + c] > 0) {
                        pair[k] = t[a * nc + c];
                        pair[nc + k] = t[b * nc + c];
                        k++;
                    }
                /* compact to a 2 x k table */
                unsigned *tk = calloc(2 * (k ? k : 1), sizeof(unsigned));
                if (tk == NULL)
                    continue;
                memcpy(tk, pair, k * sizeof(unsigned));
                memcpy(tk + k, pair + nc, k * sizeof(unsigned));
                double p = k > 1 ? table_p(tk, 2, k) : 1;
                free(tk);
                if (p < out->pair_p || (a == 0 && b == 1)) {
                    out->pair_p = p;
                    out->a = a;
                    out->b = b;
                }
            }
        free(pair);
    }
    out->distinguishable = out->p < alpha;
    free(t);
    free(cols);
    return CT_OK;
}

int ct_oracle_timing_csv(const char *path, const struct ct_oracle_member *m, size_t n, struct ct_diag *diag)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return ct_diag_set(diag, CT_ERR_IO, "%s: cannot write", path);
    size_t rows = 0;
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s%s", i ? "," : "", m[i].id);
        rows = m[i].n > rows ? m[i].n : rows;
    }
    fputc('\n', f);
    for (size_t r = 0; r < rows; r++) {
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                fputc(',', f);
            if (r < m[i].n)
                fprintf(f, "%.9f", m[i].ms[r] / 1000.0);
        }
        fputc('\n', f);
    }
    return fclose(f) == 0 ? CT_OK : ct_diag_set(diag, CT_ERR_IO, "%s: cannot write", path);
}
