/*
 * The vector runners pass the shipped vectors, and -- the point of a known-answer test -- fail
 * when one expected value is wrong.
 */
#include "testlib.h"

#include "vectors/ct_vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

START_TEST(shipped_vectors_pass)
{
    struct ct_vec_tally t = {0};
    struct ct_diag d = {0};
    ck_assert_msg(ct_vec_run_path(tl_vector_path(""), &t, NULL, &d) == CT_OK, "%s", d.text);
    ck_assert_uint_eq(t.failed, 0);
    /* Wycheproof 700, CAVP AES 2138 + TDES 530, RSA Labs 360, profile KAT 206. */
    ck_assert_uint_eq(t.passed, 3934);
    ck_assert_uint_eq(t.skipped, 3); /* GCM IVs over 1024 bits */
}
END_TEST

/* Copy a vector file with the first occurrence of `from` replaced by `to`, run it, return the
 * tally. The copy goes next to the original so that relative references (pki/) still work. */
static struct ct_vec_tally run_altered(const char *rel, const char *from, const char *to)
{
    size_t len;
    char *text = (char *)tl_read_file(tl_vector_path(rel), &len);
    char *at = strstr(text, from);
    ck_assert_msg(at != NULL, "'%s' not in %s", from, rel);
    char full[1024], path[1100];
    snprintf(full, sizeof(full), "%s", tl_vector_path(rel));
    /* Keep the name's start and extension: the runners recognise files by them. */
    const char *dot = strrchr(full, '.');
    snprintf(path, sizeof(path), "%.*s-altered-%d%s", (int)(dot - full), full, (int)getpid(), dot);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fwrite(text, 1, (size_t)(at - text), f);
    fputs(to, f);
    fputs(at + strlen(from), f);
    fclose(f);
    struct ct_vec_tally t = {0};
    struct ct_diag d = {0};
    int rc = ct_vec_run_path(path, &t, NULL, &d);
    unlink(path);
    free(text);
    ck_assert_msg(rc == CT_OK, "%s", d.text);
    return t;
}

START_TEST(a_wrong_expectation_fails)
{
    static const struct {
        const char *file, *from, *to;
    } cases[] = {
        /* Wycheproof GCM tcId 1: expected ciphertext changed. */
        {"wycheproof/aes_gcm_test.json", "\"ct\": \"26073cc1d851beff176384dc9896d5ff\"",
         "\"ct\": \"26073cc1d851beff176384dc9896d5fe\""},
        /* An invalid OAEP vector declared valid. */
        {"wycheproof/rsa_oaep_2048_sha256_mgf1sha256_test.json", "\"result\": \"invalid\"",
         "\"result\": \"valid\""},
        /* CAVP AES: one ciphertext byte. */
        {"nist-cavp/aes-cbc/CBCMMT128.rsp", "CIPHERTEXT = 0f61c4d44c5147c03c195ad7e2cc12b2",
         "CIPHERTEXT = 0f61c4d44c5147c03c195ad7e2cc12b3"},
        /* CAVP TDES: one key. */
        {"nist-cavp/tdes-cbc/TCBCMMT2.rsp", "KEY2 = b30732ecfe38ae8a", "KEY2 = b30732ecfe38ae9a"}, /* not a parity bit */
        /* The profile: a tampered field declared valid, and one derived key. */
        {"profile/profile_kat.json", "\"result\": \"invalid\"", "\"result\": \"valid\""},
        {"profile/profile_kat.json", "\"c2sEnc\": \"", "\"c2sEnc\": \"00"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ct_vec_tally t = run_altered(cases[i].file, cases[i].from, cases[i].to);
        ck_assert_msg(t.failed >= 1, "%s: altered vector still passes", cases[i].file);
        ck_assert_uint_gt(t.passed, 0);
    }
}
END_TEST

START_TEST(rsalabs_wrong_message_fails)
{
    /* The first OAEP example's message, one byte changed. */
    struct ct_vec_tally t = run_altered("nist-cavp/rsa/oaep-vect.txt",
                                        "# Message:\r\n66 28 19 4e", "# Message:\r\n66 28 19 4f");
    ck_assert_uint_eq(t.failed, 1);
    ck_assert_uint_eq(t.passed, 59);
}
END_TEST

START_TEST(bad_files_are_errors)
{
    struct ct_vec_tally t = {0};
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_vec_run_path("no/such/dir", &t, NULL, &d), CT_ERR_IO);
    char path[256];
    snprintf(path, sizeof(path), "/tmp/conftest-broken-%d.json", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs("{\"schema\": \"x\",\n \"testGroups\": [", f);
    fclose(f);
    ct_diag_clear(&d);
    ck_assert_int_eq(ct_vec_run_path(path, &t, NULL, &d), CT_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(d.text, "line 2"));
    unlink(path);
}
END_TEST

Suite *suite_vectors(void)
{
    Suite *s = suite_create("vectors");
    TCase *tc = tcase_create("vectors");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, shipped_vectors_pass);
    tcase_add_test(tc, a_wrong_expectation_fails);
    tcase_add_test(tc, rsalabs_wrong_message_fails);
    tcase_add_test(tc, bad_files_are_errors);
    suite_add_tcase(s, tc);
    return s;
}
