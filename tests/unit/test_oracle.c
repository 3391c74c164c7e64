/*
 * Oracle statistics (engine/ct_oracle.c): Fisher's exact test against known values, the
 * independence test on tables that are and are not distinguishable, the distinguishing pair,
 * and timing.csv in tlsfuzzer's layout.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "testlib.h"

#include "engine/ct_oracle.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

START_TEST(fisher_known_values)
{
    /* [[6,0],[0,6]]: 2 / C(12,6) = 2/924. */
    ck_assert_double_eq_tol(ct_oracle_fisher2x2(6, 0, 0, 6), 2.0 / 924.0, 1e-12);
    /* Fisher's tea tasting, [[3,1],[1,3]]: two-sided p = 0.4857 (R fisher.test). */
    ck_assert_double_eq_tol(ct_oracle_fisher2x2(3, 1, 1, 3), 0.4857142857, 1e-9);
    /* No difference at all. */
    ck_assert_double_eq_tol(ct_oracle_fisher2x2(5, 5, 5, 5), 1.0, 1e-9);
}
END_TEST

static char *fp_a = "Add:400", *fp_b = "Add:500";

static void member(struct ct_oracle_member *m, const char *id, char **prints, double *ms, size_t n)
{
    m->id = id;
    m->prints = prints;
    m->ms = ms;
    m->n = n;
}

START_TEST(identical_answers_are_not_an_oracle)
{
    char *p[6] = {fp_a, fp_a, fp_a, fp_a, fp_a, fp_a};
    double ms[6] = {1, 2, 3, 4, 5, 6};
    struct ct_oracle_member m[3];
    member(&m[0], "x", p, ms, 6);
    member(&m[1], "y", p, ms, 6);
    member(&m[2], "z", p, ms, 6);
    struct ct_oracle_verdict v;
    ck_assert_int_eq(ct_oracle_judge(m, 3, 0.01, &v), CT_OK);
    ck_assert(!v.distinguishable);
    ck_assert_uint_eq(v.columns, 1);
    ck_assert_double_eq(v.p, 1.0);
}
END_TEST

START_TEST(one_member_apart_is_found)
{
    char *same[6] = {fp_a, fp_a, fp_a, fp_a, fp_a, fp_a};
    char *other[6] = {fp_b, fp_b, fp_b, fp_b, fp_b, fp_b};
    double ms[6] = {0};
    struct ct_oracle_member m[4];
    member(&m[0], "tag", same, ms, 6);
    member(&m[1], "hmac", same, ms, 6);
    member(&m[2], "padding", other, ms, 6);
    member(&m[3], "base64", same, ms, 6);
    struct ct_oracle_verdict v;
    ck_assert_int_eq(ct_oracle_judge(m, 4, 0.01, &v), CT_OK);
    ck_assert(v.distinguishable);
    ck_assert_msg(v.p < 1e-3, "p = %g", v.p);
    ck_assert(v.a == 2 || v.b == 2); /* the pair names the member apart */
    ck_assert_double_eq_tol(v.pair_p, 2.0 / 924.0, 1e-12);
}
END_TEST

START_TEST(noise_is_not_significant)
{
    /* Both members answer A or B about equally often: no dependence on the member. */
    char *x[6] = {fp_a, fp_b, fp_a, fp_b, fp_a, fp_b};
    char *y[6] = {fp_b, fp_a, fp_b, fp_a, fp_a, fp_b};
    double ms[6] = {0};
    struct ct_oracle_member m[2];
    member(&m[0], "x", x, ms, 6);
    member(&m[1], "y", y, ms, 6);
    struct ct_oracle_verdict v;
    ck_assert_int_eq(ct_oracle_judge(m, 2, 0.01, &v), CT_OK);
    ck_assert(!v.distinguishable);
    ck_assert_uint_eq(v.columns, 2);
}
END_TEST

START_TEST(bad_input)
{
    struct ct_oracle_member m[2] = {{0}};
    struct ct_oracle_verdict v;
    ck_assert_int_eq(ct_oracle_judge(m, 1, 0.01, &v), CT_ERR_INVALID_ARG);
    ck_assert_int_eq(ct_oracle_judge(m, 2, 0.01, &v), CT_ERR_INVALID_ARG); /* empty members */
}
END_TEST

START_TEST(timing_csv_layout)
{
    char dir[] = "/tmp/conftest-oracle-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof(path), "%s/timing.csv", dir);
    char *p[2] = {fp_a, fp_a};
    double a[2] = {1.5, 2.0}, b[2] = {3.25, 4.0};
    struct ct_oracle_member m[2];
    member(&m[0], "enc.fld.tag", p, a, 2);
    member(&m[1], "enc.fld.pad", p, b, 2);
    ck_assert_int_eq(ct_oracle_timing_csv(path, m, 2, NULL), CT_OK);
    char buf[256] = "";
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    ck_assert_str_eq(buf, "enc.fld.tag,enc.fld.pad\n0.001500000,0.003250000\n0.002000000,0.004000000\n");
    unlink(path);
    rmdir(dir);
}
END_TEST

Suite *suite_oracle(void)
{
    Suite *s = suite_create("oracle");
    TCase *tc = tcase_create("oracle");
    tcase_add_test(tc, fisher_known_values);
    tcase_add_test(tc, identical_answers_are_not_an_oracle);
    tcase_add_test(tc, one_member_apart_is_found);
    tcase_add_test(tc, noise_is_not_significant);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, timing_csv_layout);
    suite_add_tcase(s, tc);
    return s;
}
