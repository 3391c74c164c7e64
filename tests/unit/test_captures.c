/*
 * Every real SyncEvolution message in tests/data/captures round-trips: parse, re-encode in
 * both encodings (and the textual-FPI WBXML variant), parse again, compare canonically. WBXML
 * captures must also decode to what libwbxml's own wbxml2xml made of them (the .decoded.xml
 * twin).
 */
#include "testlib.h"

#include "syncml/ct_view.h"

#include <stdlib.h>
#include <string.h>

static const char **xml_files, **wbxml_files;
static size_t n_xml, n_wbxml;

static void round_trips(const char *path)
{
    struct ct_msg *m = tl_parse_file(path);
    char *want = tl_canon(m);
    static const struct ct_ser_opts forms[] = {
        {.enc = CT_ENC_XML},
        {.enc = CT_ENC_XML, .pretty = true},
        {.enc = CT_ENC_WBXML},
        {.enc = CT_ENC_WBXML, .textual_public_id = true},
        {.enc = CT_ENC_WBXML, .wbxml_version = 0x03},
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        size_t len;
        uint8_t *wire = tl_serialize(m, &forms[i], &len);
        struct ct_msg *back = tl_parse(wire, len);
        char *got = tl_canon(back);
        ck_assert_msg(strcmp(want, got) == 0, "%s: form %zu changes the message", path, i);
        if (forms[i].enc == CT_ENC_WBXML) {
            const struct ct_wbxml_form *f = ct_msg_wbxml_form(back);
            ck_assert_ptr_nonnull(f);
            ck_assert(f->textual_public_id == forms[i].textual_public_id);
            ck_assert_uint_eq(f->version, forms[i].wbxml_version ? forms[i].wbxml_version : 0x02);
            ck_assert_int_eq(f->doc, CT_WBXML_DOC_SYNCML12);
        }
        free(got);
        free(wire);
        ct_msg_free(back);
    }
    free(want);
    ct_msg_free(m);
}

START_TEST(xml_capture_round_trips)
{
    round_trips(xml_files[_i]);
}
END_TEST

START_TEST(wbxml_capture_round_trips)
{
    round_trips(wbxml_files[_i]);
}
END_TEST

START_TEST(wbxml_capture_matches_libwbxml_decoding)
{
    char twin[1024];
    snprintf(twin, sizeof(twin), "%s.decoded.xml", wbxml_files[_i]);
    struct ct_msg *m = tl_parse_file(wbxml_files[_i]);
    struct ct_msg *ref = tl_parse_file(twin);
    ck_assert_int_eq(ct_msg_encoding(m), CT_ENC_WBXML);
    char *got = tl_canon(m), *want = tl_canon(ref);
    ck_assert_msg(strcmp(got, want) == 0, "%s differs from %s", wbxml_files[_i], twin);
    free(got);
    free(want);
    ct_msg_free(ref);
    ct_msg_free(m);
}
END_TEST

/* The XML and WBXML sessions are the same protocol run: their first messages have the same
 * shape (the set of commands), whatever the encoding. */
START_TEST(both_encodings_carry_the_same_commands)
{
    struct ct_msg *x = tl_parse_file("captures/syncevo-xml-01-pkg1-client.xml");
    struct ct_msg *w = tl_parse_file("captures/syncevo-wbxml-01-pkg1-client.wbxml");
    const struct ct_body *bx = ct_msg_body(x), *bw = ct_msg_body(w);
    ck_assert_uint_eq(bx->n_cmds, bw->n_cmds);
    for (size_t i = 0; i < bx->n_cmds; i++)
        ck_assert_int_eq(bx->cmds[i].kind, bw->cmds[i].kind);
    ct_msg_free(x);
    ct_msg_free(w);
}
END_TEST

/* A missing data directory must fail the run, not shrink the loops to nothing. */
START_TEST(captures_present)
{
    ck_assert_msg(n_xml == 26 && n_wbxml == 12, "captures not found (%zu xml, %zu wbxml)", n_xml,
                  n_wbxml);
}
END_TEST

Suite *suite_captures(void)
{
    Suite *s = suite_create("captures");
    TCase *tc = tcase_create("captures");
    tcase_set_timeout(tc, 120);
    n_xml = tl_glob("captures/syncevo-xml-*.xml", &xml_files);
    n_wbxml = tl_glob("captures/syncevo-wbxml-*.wbxml", &wbxml_files);
    tcase_add_test(tc, captures_present);
    tcase_add_loop_test(tc, xml_capture_round_trips, 0, (int)n_xml);
    tcase_add_loop_test(tc, wbxml_capture_round_trips, 0, (int)n_wbxml);
    tcase_add_loop_test(tc, wbxml_capture_matches_libwbxml_decoding, 0, (int)n_wbxml);
    tcase_add_test(tc, both_encodings_carry_the_same_commands);
    suite_add_tcase(s, tc);
    return s;
}
