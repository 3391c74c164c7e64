#include "testlib.h"

#include "base/ct_b64.h"

#include <stdlib.h>
#include <string.h>

/* RFC 4648 section 10 test vectors. */
static const struct {
    const char *plain;
    const char *b64;
} rfc4648[] = {
    {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
};

START_TEST(encode_rfc4648)
{
    char out[16];
    size_t n = ct_b64_encode(out, (const uint8_t *)rfc4648[_i].plain, strlen(rfc4648[_i].plain));
    ck_assert_uint_eq(n, strlen(rfc4648[_i].b64));
    ck_assert_uint_eq(n, ct_b64_encoded_len(strlen(rfc4648[_i].plain)));
    ck_assert_str_eq(out, rfc4648[_i].b64);
}
END_TEST

START_TEST(decode_rfc4648)
{
    uint8_t *out = NULL;
    size_t n = 99;
    ck_assert_int_eq(ct_b64_decode(&out, &n, rfc4648[_i].b64), CT_OK);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(n, strlen(rfc4648[_i].plain));
    ck_assert_mem_eq(out, rfc4648[_i].plain, n);
    free(out);
}
END_TEST

START_TEST(decode_skips_whitespace)
{
    uint8_t *out = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_b64_decode(&out, &n, "  Zm9v\r\nYmFy\t\n"), CT_OK);
    ck_assert_uint_eq(n, 6);
    ck_assert_mem_eq(out, "foobar", 6);
    free(out);
}
END_TEST

START_TEST(decode_rejects_invalid)
{
    static const char *const bad[] = {
        "Zm9v!", "Zm9", "Zg=", "Zm-9v", "Zm9v-YmFy", "Z===", "Zm9v\x01", "\xc3\xa9\xc3\xa9",
        "Zg==Zm9v", "Zg=a", "Zm9v====", "====", /* padding only ends the text, at most two */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t *out = (uint8_t *)"untouched";
        size_t n = 0;
        ck_assert_msg(ct_b64_decode(&out, &n, bad[i]) == CT_ERR_BASE64, "accepted '%s'", bad[i]);
        ck_assert_str_eq((const char *)out, "untouched");
    }
}
END_TEST

START_TEST(decode_wrapped_equals_one_line)
{
    /* A sender that wraps lines (64 columns, CRLF) decodes to the same bytes as one line. */
    uint8_t in[3000];
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(i * 29 + 3);
    char *line = ct_b64_encode_alloc(in, sizeof(in));
    ck_assert_ptr_nonnull(line);
    size_t len = strlen(line);
    char *wrapped = malloc(len + len / 64 * 2 + 8);
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && i % 64 == 0)
            wrapped[k++] = '\r', wrapped[k++] = '\n';
        wrapped[k++] = line[i];
    }
    wrapped[k++] = '\n';
    wrapped[k] = '\0';
    uint8_t *out = NULL;
    size_t n = 0;
    ck_assert_int_eq(ct_b64_decode(&out, &n, wrapped), CT_OK);
    ck_assert_uint_eq(n, sizeof(in));
    ck_assert_mem_eq(out, in, sizeof(in));
    free(out);
    free(wrapped);
    free(line);
}
END_TEST

START_TEST(binary_round_trip)
{
    uint8_t in[1000];
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(i * 131 + 7);
    for (size_t len = 0; len < sizeof(in); len += 37) {
        char *text = ct_b64_encode_alloc(in, len);
        ck_assert_ptr_nonnull(text);
        uint8_t *out = NULL;
        size_t n = 0;
        ck_assert_int_eq(ct_b64_decode(&out, &n, text), CT_OK);
        ck_assert_uint_eq(n, len);
        ck_assert(len == 0 || memcmp(out, in, len) == 0);
        free(out);
        free(text);
    }
}
END_TEST

Suite *suite_b64(void)
{
    Suite *s = suite_create("b64");
    TCase *tc = tcase_create("b64");
    int n = (int)(sizeof(rfc4648) / sizeof(rfc4648[0]));
    tcase_add_loop_test(tc, encode_rfc4648, 0, n);
    tcase_add_loop_test(tc, decode_rfc4648, 0, n);
    tcase_add_test(tc, decode_skips_whitespace);
    tcase_add_test(tc, decode_wrapped_equals_one_line);
    tcase_add_test(tc, decode_rejects_invalid);
    tcase_add_test(tc, binary_round_trip);
    suite_add_tcase(s, tc);
    return s;
}
