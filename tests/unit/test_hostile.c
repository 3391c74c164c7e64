/*
 * Everything a SUT sends is untrusted: crashers of Debian's libwbxml, truncations, bit flips,
 * nesting bombs, entity bombs, oversize and non-SyncML input must each give an error that says
 * what is wrong and where -- never a crash, a hang or a silent success.
 */
#include "testlib.h"

#include "base/ct_buf.h"
#include "syncml/ct_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse and insist on an error with an explanation; returns the error code. */
static int must_fail(const uint8_t *data, size_t len, enum ct_enc enc, const struct ct_limits *lim)
{
    struct ct_msg *m = NULL;
    struct ct_diag d = {0};
    int rc = ct_msg_parse(&m, data, len, enc, lim, &d);
    ck_assert_msg(rc != CT_OK, "accepted %zu bytes of hostile input", len);
    ck_assert_ptr_null(m);
    ck_assert_msg(d.text[0] != '\0', "error %d without an explanation", rc);
    return rc;
}

/* Parse anything: success or an explained error are both fine, a crash is not. */
static void must_survive(const uint8_t *data, size_t len)
{
    struct ct_msg *m = NULL;
    struct ct_diag d = {0};
    int rc = ct_msg_parse(&m, data, len, CT_ENC_AUTO, NULL, &d);
    if (rc == CT_OK) {
        ct_msg_free(m);
        return;
    }
    ck_assert_msg(d.text[0] != '\0', "error %d without an explanation", rc);
}

static const char *const crashers[] = {
    "hostile/libwbxml-sigabrt-parse-entity.wbxml",
    "hostile/libwbxml-sigsegv-1.wbxml",
    "hostile/libwbxml-sigsegv-2.wbxml",
};

START_TEST(libwbxml_crashers)
{
    size_t len;
    uint8_t *data = tl_read(crashers[_i], &len);
    /* Detected as garbage, and also when the caller insists it is WBXML. */
    must_fail(data, len, CT_ENC_AUTO, NULL);
    int rc = must_fail(data, len, CT_ENC_WBXML, NULL);
    ck_assert(rc == CT_ERR_PARSE || rc == CT_ERR_NOT_SYNCML || rc == CT_ERR_ENCODING);
    free(data);
}
END_TEST

START_TEST(every_truncation_of_a_wbxml_message)
{
    size_t len;
    uint8_t *data = tl_read("captures/syncevo-wbxml-02-pkg2-server.wbxml", &len);
    for (size_t n = 0; n < len; n++)
        must_fail(data, n, CT_ENC_AUTO, NULL);
    free(data);
}
END_TEST

START_TEST(every_truncation_of_an_xml_message)
{
    size_t len;
    uint8_t *data = tl_read("captures/syncevo-xml-04-pkg4-server.xml", &len);
    /* Stop before the final '>' and its newline. */
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--;
    for (size_t n = 0; n < len; n++)
        must_fail(data, n, CT_ENC_AUTO, NULL);
    free(data);
}
END_TEST

START_TEST(byte_mutations_of_wbxml)
{
    size_t len;
    uint8_t *orig = tl_read("captures/syncevo-wbxml-01-pkg1-client.wbxml", &len);
    uint8_t *data = malloc(len);
    /* Every byte flipped; in the header and first commands, every value. */
    for (size_t i = 0; i < len; i++) {
        memcpy(data, orig, len);
        data[i] ^= 0xFF;
        must_survive(data, len);
    }
    for (size_t i = 0; i < 48; i++) {
        for (unsigned v = 0; v < 256; v++) {
            memcpy(data, orig, len);
            data[i] = (uint8_t)v;
            must_survive(data, len);
        }
    }
    free(data);
    free(orig);
}
END_TEST

START_TEST(nesting_bombs)
{
    /* XML: 10,000 levels, far past libxml2's own bound. */
    size_t n = 10000;
    char *xml = malloc(n * 7 + 64);
    size_t at = (size_t)sprintf(xml, "<SyncML>");
    for (size_t i = 0; i < n; i++)
        at += (size_t)sprintf(xml + at, "<a>");
    ck_assert_int_eq(must_fail((uint8_t *)xml, at, CT_ENC_AUTO, NULL), CT_ERR_TOO_DEEP);
    free(xml);

    /* XML: 100 levels, well-formed, over the default bound of 64 but under a raised one. */
    struct ct_buf b;
    ct_buf_init(&b, 0);
    ct_buf_append_str(&b, "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncBody>");
    for (int i = 0; i < 98; i++)
        ct_buf_append_str(&b, "<Atomic>");
    for (int i = 0; i < 98; i++)
        ct_buf_append_str(&b, "</Atomic>");
    ct_buf_append_str(&b, "</SyncBody></SyncML>");
    struct ct_msg *m = NULL;
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_msg_parse(&m, b.data, b.len, CT_ENC_AUTO, NULL, &d), CT_ERR_TOO_DEEP);
    ck_assert_ptr_nonnull(strstr(d.text, "/SyncML/SyncBody/Atomic/...(58 levels)/Atomic/Atomic/Atomic/Atomic is nested 65 deep"));
    ck_assert_ptr_nonnull(strstr(d.text, "limit of 64"));
    struct ct_limits lim = {.max_bytes = 1 << 20, .max_depth = 100};
    ck_assert_int_eq(ct_msg_parse(&m, b.data, b.len, CT_ENC_AUTO, &lim, &d), CT_OK);
    ck_assert_uint_eq(ct_msg_body(m)->n_cmds, 1);
    ct_msg_free(m);
    ct_buf_cleanup(&b);
}
END_TEST

START_TEST(size_bound)
{
    size_t len;
    uint8_t *data = tl_read("captures/syncevo-wbxml-01-pkg1-client.wbxml", &len);
    struct ct_limits lim = {.max_bytes = 1024, .max_depth = 64};
    ck_assert_int_eq(must_fail(data, len, CT_ENC_AUTO, &lim), CT_ERR_TOO_BIG);
    lim.max_bytes = len;
    struct ct_msg *m = NULL;
    ck_assert_int_eq(ct_msg_parse(&m, data, len, CT_ENC_AUTO, &lim, NULL), CT_OK);
    ct_msg_free(m);
    free(data);
}
END_TEST

static const char *const not_syncml[] = {
    "",
    "{\"SyncML\": 1}",
    "GET / HTTP/1.1\r\n\r\n",
    "<html><body>502 Bad Gateway</body></html>",
    "<?xml version='1.0'?><SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr>",
    "<?xml version='1.0'?><SyncML><SyncHdr></SyncML>",
    "<SyncML>\xff\xfe</SyncML>",
    "<SyncML/><SyncML/>",
    "<!DOCTYPE SyncML [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
    "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'><!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>]>"
    "<SyncML>&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;</SyncML>",
    "<!DOCTYPE SyncML [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><SyncML>&x;</SyncML>",
    "<!DOCTYPE SyncML [<!ENTITY % p SYSTEM 'http://127.0.0.1:9/x.dtd'> %p;]><SyncML/>",
    "\x02\xa4\x01\x6a",
};

START_TEST(not_syncml_input)
{
    const char *s = not_syncml[_i];
    size_t len = strlen(s);
    if (_i == (int)(sizeof(not_syncml) / sizeof(not_syncml[0])) - 1)
        len = 4;
    must_fail((const uint8_t *)s, len, CT_ENC_AUTO, NULL);
}
END_TEST

START_TEST(errors_say_where)
{
    struct ct_msg *m = NULL;
    struct ct_diag d = {0};
    static const char broken[] = "<SyncML>\n<SyncHdr>\n<MsgID>1</MsgId>\n</SyncHdr></SyncML>";
    ck_assert_int_eq(ct_msg_parse(&m, (const uint8_t *)broken, strlen(broken), CT_ENC_AUTO, NULL, &d),
                     CT_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(d.text, "line 3"));
    ck_assert_ptr_nonnull(strstr(d.text, "MsgID"));
    ct_diag_clear(&d);
    static const char html[] = "<html>\n<body/></html>";
    ck_assert_int_eq(ct_msg_parse(&m, (const uint8_t *)html, strlen(html), CT_ENC_AUTO, NULL, &d),
                     CT_ERR_NOT_SYNCML);
    ck_assert_ptr_nonnull(strstr(d.text, "root element is <html>"));
    ct_diag_clear(&d);
    static const char bin[] = "\x89PNG\r\n";
    ck_assert_int_eq(ct_msg_parse(&m, (const uint8_t *)bin, 6, CT_ENC_AUTO, NULL, &d), CT_ERR_ENCODING);
    ck_assert_ptr_nonnull(strstr(d.text, "0x89"));
}
END_TEST

Suite *suite_hostile(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, libwbxml_crashers, 0, (int)(sizeof(crashers) / sizeof(crashers[0])));
    tcase_add_test(tc, every_truncation_of_a_wbxml_message);
    tcase_add_test(tc, every_truncation_of_an_xml_message);
    tcase_add_test(tc, byte_mutations_of_wbxml);
    tcase_add_test(tc, nesting_bombs);
    tcase_add_test(tc, size_bound);
    tcase_add_loop_test(tc, not_syncml_input, 0, (int)(sizeof(not_syncml) / sizeof(not_syncml[0])));
    tcase_add_test(tc, errors_say_where);
    suite_add_tcase(s, tc);
    return s;
}
