#include "testlib.h"

#include "base/ct_arena.h"

#include <string.h>

START_TEST(alloc_is_zeroed_and_aligned)
{
    struct ct_arena a;
    ct_arena_init(&a);
    for (size_t n = 1; n < 20000; n = n * 3 + 1) {
        unsigned char *p = ct_arena_alloc(&a, n);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % _Alignof(max_align_t), 0);
        for (size_t i = 0; i < n; i++)
            ck_assert_uint_eq(p[i], 0);
        memset(p, 0xee, n);
    }
    ct_arena_cleanup(&a);
    ck_assert_ptr_null(a.head);
}
END_TEST

START_TEST(reset_reuses_and_zeroes)
{
    /* After a reset the arena hands out zeroed memory again, from the chunk it kept (the
     * first allocation lands where the last chunk began), and still grows past it. */
    struct ct_arena a;
    ct_arena_init(&a);
    for (int i = 0; i < 10; i++)
        memset(ct_arena_alloc(&a, 3000), 0xab, 3000);
    unsigned char *last = ct_arena_alloc(&a, 64);
    ct_arena_reset(&a);
    unsigned char *p = ct_arena_alloc(&a, 64);
    ck_assert_ptr_nonnull(p);
    ck_assert(p <= last);
    for (size_t i = 0; i < 64; i++)
        ck_assert_uint_eq(p[i], 0);
    for (int i = 0; i < 10; i++)
        ck_assert_ptr_nonnull(ct_arena_strndup(&a, "0123456789", 10));
    ck_assert_ptr_nonnull(ct_arena_alloc(&a, 100000));
    ct_arena_cleanup(&a);
    ct_arena_reset(&a); /* an empty arena: nothing to keep */
    ck_assert_ptr_null(a.head);
}
END_TEST

Suite *suite_arena(void)
{
    Suite *s = suite_create("arena");
    TCase *tc = tcase_create("arena");
    tcase_add_test(tc, alloc_is_zeroed_and_aligned);
    tcase_add_test(tc, reset_reuses_and_zeroes);
    suite_add_tcase(s, tc);
    return s;
}
