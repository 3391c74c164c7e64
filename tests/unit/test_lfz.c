/*
 * The live fuzzer's parts that need no SUT (livefuzz/ct_lfz_int.h): the generator is
 * reproducible, the template walk finds the elements and honours the step's own removals, and
 * every mutation drawn is a send directive the scenario parser takes. The fuzzer against a SUT
 * is proven end to end by tests/fuzz/live.sh.
 */
#include "testlib.h"

#include "livefuzz/ct_lfz_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A one-step scenario around a send of TEMPLATE with the extra directive lines given. */
static struct ct_scn *scenario(const char *tpl, const char *dirs, struct ct_diag *d)
{
    char text[8192];
    snprintf(text, sizeof(text),
             "id x.y\ntitle t\nrule DS-ROBUST-16\nrole server\n\nsend %s\n%s\nexpect\n  message\n", tpl, dirs);
    struct ct_scn *s = NULL;
    ct_diag_clear(d);
    return ct_scn_parse(&s, "lfz-test.scn", text, strlen(text), d) == CT_OK ? s : NULL;
}

START_TEST(rng_is_reproducible)
{
    struct lfz_rng a, b, c;
    lfz_rng_seed(&a, 1234, 7);
    lfz_rng_seed(&b, 1234, 7);
    lfz_rng_seed(&c, 1234, 8);
    bool differs = false;
    for (int i = 0; i < 100; i++) {
        uint64_t x = lfz_rand(&a);
        ck_assert_uint_eq(x, lfz_rand(&b));
        differs = differs || x != lfz_rand(&c);
    }
    ck_assert(differs);
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_lt(lfz_below(&a, 3), 3);
    ck_assert_uint_eq(lfz_below(&a, 1), 0);
}
END_TEST

START_TEST(template_walk)
{
    struct ct_diag d = {0};
    const char *tpl = tl_path("../../scenarios/templates/pkg3.xml");
    struct ct_scn *s = scenario("pkg3", "  statuses", &d);
    ck_assert_msg(s != NULL, "%s", d.text);
    struct lfz_target t;
    ck_assert_int_eq(lfz_target_load(&t, tpl, &s->steps[0], &d), CT_OK);
    bool vd = false, ln = false;
    for (size_t i = 0; i < t.n_elems; i++) {
        vd = vd || strcmp(t.elems[i].path, "/SyncML/SyncHdr/VerDTD") == 0;
        ln = ln || strcmp(t.elems[i].path, "/SyncML/SyncBody/Sync/Add/Item/Data") == 0;
        ck_assert_uint_gt(t.elems[i].weight, 0);
    }
    ck_assert(vd && ln);
    ck_assert_str_eq(t.item_path, "/SyncML/SyncBody/Sync/Add/Item");
    ck_assert(!t.encrypts && !t.offers && !t.wbxml);
    lfz_target_free(&t);
    ct_scn_free(s);

    /* What the step removes is not a place to mutate. */
    s = scenario("pkg3", "  statuses\n  remove //Sync/Add\n  encrypt\n  encoding wbxml", &d);
    ck_assert_msg(s != NULL, "%s", d.text);
    ck_assert_int_eq(lfz_target_load(&t, tpl, &s->steps[0], &d), CT_OK);
    for (size_t i = 0; i < t.n_elems; i++)
        ck_assert_msg(strstr(t.elems[i].path, "/Sync/Add") == NULL, "%s", t.elems[i].path);
    ck_assert_str_eq(t.item_path, "");
    ck_assert(t.encrypts && t.wbxml);
    lfz_target_free(&t);
    ct_scn_free(s);

    struct ct_scn_step none = {0};
    ck_assert_int_eq(lfz_target_load(&t, "/nonexistent/x.xml", &none, &d), CT_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(d.text, "/nonexistent/x.xml"));
}
END_TEST

/* Thousands of draws, for a plain and a sealed package: each is reproducible and parses. */
START_TEST(every_mutation_parses)
{
    static const char *const steps[] = {"  auth basic", "  auth basic\n  offer\n  encrypt"};
    for (size_t k = 0; k < 2; k++) {
        struct ct_diag d = {0};
        struct ct_scn *s = scenario("pkg1", steps[k], &d);
        ck_assert_msg(s != NULL, "%s", d.text);
        struct lfz_target t;
        ck_assert_int_eq(lfz_target_load(&t, tl_path("../../scenarios/templates/pkg1.xml"), &s->steps[0], &d), CT_OK);
        for (unsigned i = 0; i < 3000; i++) {
            struct lfz_rng r1, r2;
            struct lfz_op a, b;
            lfz_rng_seed(&r1, 99, i);
            lfz_rng_seed(&r2, 99, i);
            lfz_mutate(&r1, &t, &a);
            lfz_mutate(&r2, &t, &b);
            ck_assert_uint_eq(a.n_lines, b.n_lines);
            ck_assert_uint_gt(a.n_lines, 0);
            char dirs[4 * LFZ_LINE] = "", line[LFZ_LINE];
            for (size_t l = 0; l < a.n_lines; l++) {
                ck_assert_str_eq(a.lines[l], b.lines[l]);
                lfz_op_line(&a, l, line, sizeof(line));
                ck_assert_ptr_null(strstr(line, "@N@"));
                strcat(dirs, "  ");
                strcat(dirs, line);
                strcat(dirs, "\n");
            }
            char all[5 * LFZ_LINE];
            snprintf(all, sizeof(all), "%s\n%s", steps[k], dirs);
            struct ct_scn *c = scenario("pkg1", all, &d);
            ck_assert_msg(c != NULL, "draw %u: %s\n%s", i, d.text, dirs);
            ct_scn_free(c);
        }
        lfz_target_free(&t);
        ct_scn_free(s);
    }
}
END_TEST

START_TEST(op_size_in_place)
{
    struct lfz_op op = {.n_lines = 2, .n = 17};
    snprintf(op.lines[0], LFZ_LINE, "set /a ${repeat:@N@:x}");
    snprintf(op.lines[1], LFZ_LINE, "remove /b");
    char out[LFZ_LINE];
    lfz_op_line(&op, 0, out, sizeof(out));
    ck_assert_str_eq(out, "set /a ${repeat:17:x}");
    lfz_op_line(&op, 1, out, sizeof(out));
    ck_assert_str_eq(out, "remove /b");
}
END_TEST

Suite *suite_lfz(void)
{
    Suite *s = suite_create("lfz");
    TCase *tc = tcase_create("lfz");
    tcase_add_test(tc, rng_is_reproducible);
    tcase_add_test(tc, template_walk);
    tcase_add_test(tc, every_mutation_parses);
    tcase_add_test(tc, op_size_in_place);
    suite_add_tcase(s, tc);
    return s;
}
