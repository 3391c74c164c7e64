#include "testlib.h"

#include "base/ct_b64.h"
#include "syncml/ct_auth.h"
#include "syncml/ct_build.h"
#include "syncml/ct_view.h"

#include <stdlib.h>
#include <string.h>

/*
 * Known answers for user "test", password "test" (shared/research/syncml-anchors.md 2.5, cross-
 * checked against libsynthesis and Funambol): NextNonce "OzkyP1Q5VjY4aXBtLCpROQ==" is Funambol's
 * test nonce.
 */
#define NONCE_B64 "OzkyP1Q5VjY4aXBtLCpROQ=="

static uint8_t *nonce_bytes(size_t *len)
{
    uint8_t *n = NULL;
    ck_assert_int_eq(ct_b64_decode(&n, len, NONCE_B64), CT_OK);
    return n;
}

START_TEST(basic_known_answer)
{
    char *cred = ct_auth_basic("test", "test");
    ck_assert_str_eq(cred, "dGVzdDp0ZXN0");
    free(cred);
}
END_TEST

START_TEST(md5_known_answers)
{
    size_t len;
    uint8_t *nonce = nonce_bytes(&len);
    char out[CT_AUTH_MD5_B64_LEN + 1];
    ct_auth_md5(out, "test", "test", nonce, len);
    ck_assert_str_eq(out, "Vxc6Rj43e0GhEl/x+hxChQ==");
    ct_auth_md5(out, "test", "test", NULL, 0);
    ck_assert_str_eq(out, "x2EHlRSZiRM209YwocVlVg==");
    /* The mistake of hashing the base64 text of the nonce gives a different digest. */
    ct_auth_md5(out, "test", "test", (const uint8_t *)NONCE_B64, strlen(NONCE_B64));
    ck_assert_str_eq(out, "jfzlZCRCNlPFBRQH0HJSEA==");
    ct_auth_md5_v10(out, "test", "test", nonce, len);
    ck_assert_str_eq(out, "whPBEVM9keeBT9PcBpcePg==");
    free(nonce);
}
END_TEST

/* A SyncML 1.2 Pkg#1 header with a credential, parsed back so the view is exercised too. */
static struct ct_msg *msg_with_cred(enum ct_auth_type type, const char *user, const char *pw,
                                    const uint8_t *nonce, size_t nonce_len, const char *loc_name)
{
    struct ct_msg *m = ct_msg_new(CT_VER_1_2);
    struct ct_hdr_spec h = {.session_id = "1", .msg_id = 1, .target_uri = "http://sut/",
                            .source_uri = "dev-1", .source_name = loc_name};
    ck_assert_int_eq(ct_build_hdr(m, &h), CT_OK);
    ck_assert_ptr_nonnull(ct_auth_cred_add(ct_msg_hdr_node(m), type, user, pw, nonce, nonce_len));
    ck_assert_ptr_nonnull(ct_build_final(m));
    size_t len;
    uint8_t *xml = tl_serialize(m, NULL, &len);
    ct_msg_free(m);
    m = tl_parse(xml, len);
    free(xml);
    return m;
}

static int verify(const struct ct_msg *m, const char *pw, const uint8_t *nonce, size_t nonce_len,
                  struct ct_diag *diag)
{
    const struct ct_hdr *h = ct_msg_hdr(m);
    struct ct_auth_expect exp = {.user = "test", .password = pw, .nonce = nonce, .nonce_len = nonce_len};
    ct_diag_clear(diag);
    return ct_auth_verify(&h->cred, h->source.name, &exp, diag);
}

START_TEST(verify_basic_clear_md5)
{
    size_t len;
    uint8_t *nonce = nonce_bytes(&len);
    struct ct_diag d;
    struct ct_msg *m = msg_with_cred(CT_AUTH_BASIC, "test", "test", NULL, 0, NULL);
    ck_assert_str_eq(ct_msg_hdr(m)->cred.meta.type, CT_AUTH_URI_BASIC);
    ck_assert_str_eq(ct_msg_hdr(m)->cred.data, "dGVzdDp0ZXN0");
    ck_assert_int_eq(verify(m, "test", NULL, 0, &d), CT_OK);
    ck_assert_int_eq(verify(m, "Secret-77", NULL, 0, &d), CT_ERR_AUTH);
    ck_assert_ptr_null(strstr(d.text, "Secret-77")); /* passwords are never echoed */
    ck_assert_ptr_null(strstr(d.text, ":test"));
    ct_msg_free(m);

    m = msg_with_cred(CT_AUTH_CLEAR, "test", "test", NULL, 0, NULL);
    ck_assert_str_eq(ct_msg_hdr(m)->cred.data, "test:test");
    ck_assert_int_eq(verify(m, "test", NULL, 0, &d), CT_OK);
    ck_assert_int_eq(verify(m, "tesT", NULL, 0, &d), CT_ERR_AUTH);
    ct_msg_free(m);

    m = msg_with_cred(CT_AUTH_MD5, "test", "test", nonce, len, "test");
    ck_assert_str_eq(ct_msg_hdr(m)->cred.data, "Vxc6Rj43e0GhEl/x+hxChQ==");
    ck_assert_int_eq(verify(m, "test", nonce, len, &d), CT_OK);
    ck_assert_int_eq(verify(m, "nope", nonce, len, &d), CT_ERR_AUTH);
    ck_assert_int_eq(verify(m, "test", NULL, 0, &d), CT_ERR_AUTH);
    ct_msg_free(m);
    free(nonce);
}
END_TEST

START_TEST(verify_names_md5_mistakes)
{
    size_t len;
    uint8_t *nonce = nonce_bytes(&len);
    struct ct_diag d;
    /* Client hashed the base64 text of the nonce. */
    struct ct_msg *m = msg_with_cred(CT_AUTH_MD5, "test", "test", (const uint8_t *)NONCE_B64,
                                     strlen(NONCE_B64), "test");
    ck_assert_int_eq(verify(m, "test", nonce, len, &d), CT_ERR_AUTH);
    ck_assert_ptr_nonnull(strstr(d.text, "base64 text of the nonce"));
    ct_msg_free(m);
    /* Client ignored the challenge and used an empty nonce. */
    m = msg_with_cred(CT_AUTH_MD5, "test", "test", NULL, 0, "test");
    ck_assert_int_eq(verify(m, "test", nonce, len, &d), CT_ERR_AUTH);
    ck_assert_ptr_nonnull(strstr(d.text, "empty nonce"));
    ct_msg_free(m);
    /* md5 without LocName cannot be checked. */
    m = msg_with_cred(CT_AUTH_MD5, "test", "test", nonce, len, NULL);
    ck_assert_int_eq(verify(m, "test", nonce, len, &d), CT_ERR_MISSING);
    ck_assert_ptr_nonnull(strstr(d.text, "LocName"));
    ct_msg_free(m);
    free(nonce);
}
END_TEST

START_TEST(verify_rejects_malformed)
{
    static const char *const tpl =
        "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD><VerProto>SyncML/1.2</VerProto>"
        "<SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>s</LocURI></Target>"
        "<Source><LocURI>c</LocURI><LocName>test</LocName></Source>%s</SyncHdr><SyncBody><Final/></SyncBody></SyncML>";
    static const struct {
        const char *cred;
        int rc;
    } cases[] = {
        {"", CT_ERR_MISSING},
        {"<Cred><Meta><Type xmlns='syncml:metinf'>syncml:auth-basic</Type></Meta></Cred>", CT_ERR_MISSING},
        {"<Cred><Meta><Type xmlns='syncml:metinf'>syncml:auth-basic</Type></Meta><Data>***</Data></Cred>", CT_ERR_BASE64},
        {"<Cred><Meta><Type xmlns='syncml:metinf'>syncml:auth-basic</Type></Meta><Data>dGVzdHRlc3Q=</Data></Cred>", CT_ERR_PARSE},
        {"<Cred><Meta><Type xmlns='syncml:metinf'>syncml:auth-md5</Type></Meta><Data>AAAA</Data></Cred>", CT_ERR_PARSE},
        {"<Cred><Meta><Type xmlns='syncml:metinf'>syncml:auth-X509</Type></Meta><Data>AAAA</Data></Cred>", CT_ERR_UNSUPPORTED},
        {"<Cred><Meta><Type xmlns='syncml:metinf'>syncml:auth-basic</Type><Format xmlns='syncml:metinf'>hex</Format></Meta><Data>dGVzdDp0ZXN0</Data></Cred>", CT_ERR_PARSE},
        /* No Type: basic is the default, and this one is right. */
        {"<Cred><Data>dGVzdDp0ZXN0</Data></Cred>", CT_OK},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char xml[2048];
        snprintf(xml, sizeof(xml), tpl, cases[i].cred);
        struct ct_msg *m = tl_parse_text(xml);
        struct ct_diag d;
        int rc = verify(m, "test", NULL, 0, &d);
        ck_assert_msg(rc == cases[i].rc, "case %zu: got %d (%s), want %d", i, rc, d.text, cases[i].rc);
        ck_assert(rc == CT_OK || d.text[0] != '\0');
        ct_msg_free(m);
    }
}
END_TEST

START_TEST(challenge_round_trip)
{
    const uint8_t nonce[] = {0x00, 0xFF, 0x10, 'a', 0x80, 0x7F, 0x00};
    struct ct_msg *m = ct_msg_new(CT_VER_1_2);
    struct ct_hdr_spec h = {.session_id = "1", .msg_id = 1, .target_uri = "dev", .source_uri = "srv"};
    ck_assert_int_eq(ct_build_hdr(m, &h), CT_OK);
    xmlNode *st = ct_build_status(m, "1", "0", "SyncHdr", "srv", "dev", 401);
    ck_assert_ptr_nonnull(ct_auth_chal_add(st, CT_AUTH_MD5, nonce, sizeof(nonce)));
    ct_build_final(m);
    /* Both encodings carry the nonce bytes intact (WBXML turns NextNonce into OPAQUE). */
    for (int enc = CT_ENC_XML; enc <= CT_ENC_WBXML; enc++) {
        struct ct_ser_opts o = {.enc = (enum ct_enc)enc};
        size_t len;
        uint8_t *wire = tl_serialize(m, &o, &len);
        struct ct_msg *p = tl_parse(wire, len);
        free(wire);
        const struct ct_cmd *s = ct_msg_find_status(p, "0");
        ck_assert_ptr_nonnull(s);
        ck_assert_str_eq(s->data, "401");
        ck_assert_ptr_nonnull(s->chal.node);
        ck_assert_str_eq(s->chal.meta.type, CT_AUTH_URI_MD5);
        ck_assert_str_eq(s->chal.meta.format, "b64");
        /* The DTD puts Chal before Data. */
        const xmlNode *c = s->node->children;
        while (c != NULL && !(c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "Chal") == 0))
            c = c->next;
        ck_assert_ptr_nonnull(c);
        while (c != NULL && !(c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "Data") == 0))
            c = c->next;
        ck_assert_ptr_nonnull(c);
        uint8_t *got = NULL;
        size_t got_len = 0;
        ck_assert_int_eq(ct_auth_chal_nonce(&s->chal, &got, &got_len), CT_OK);
        ck_assert_uint_eq(got_len, sizeof(nonce));
        ck_assert_mem_eq(got, nonce, sizeof(nonce));
        free(got);
        ct_msg_free(p);
    }
    ct_msg_free(m);
}
END_TEST

/* Real sessions: SyncEvolution's credentials must verify with its account test/test. */
START_TEST(real_basic_credential)
{
    struct ct_msg *m = tl_parse_file("captures/syncevo-xml-basicauth-01-pkg1-client.xml");
    struct ct_diag d;
    ck_assert_str_eq(ct_msg_hdr(m)->cred.meta.type, CT_AUTH_URI_BASIC);
    ck_assert_int_eq(verify(m, "test", NULL, 0, &d), CT_OK);
    ck_assert_int_eq(verify(m, "test2", NULL, 0, &d), CT_ERR_AUTH);
    ct_msg_free(m);
}
END_TEST

START_TEST(real_md5_credential_with_previous_nonce)
{
    /* The first session starts with an empty nonce... */
    struct ct_msg *m = tl_parse_file("captures/syncevo-wbxml-01-pkg1-client.wbxml");
    struct ct_diag d;
    ck_assert_str_eq(ct_msg_hdr(m)->cred.meta.type, CT_AUTH_URI_MD5);
    ck_assert_int_eq(verify(m, "test", NULL, 0, &d), CT_OK);
    ct_msg_free(m);
    /* ...and the follow-up session answers the NextNonce the server sent in the first one. */
    struct ct_msg *srv = tl_parse_file("captures/syncevo-wbxml-02-pkg2-server.wbxml");
    const struct ct_cmd *st = ct_msg_find_status(srv, "0");
    ck_assert_ptr_nonnull(st);
    ck_assert_str_eq(st->data, "212");
    uint8_t *nonce = NULL;
    size_t nonce_len = 0;
    ck_assert_int_eq(ct_auth_chal_nonce(&st->chal, &nonce, &nonce_len), CT_OK);
    ck_assert_uint_gt(nonce_len, 0);
    m = tl_parse_file("captures/syncevo-wbxml-incr-01-pkg1-client.wbxml");
    ck_assert_int_eq(verify(m, "test", nonce, nonce_len, &d), CT_OK);
    ck_assert_int_eq(verify(m, "test", NULL, 0, &d), CT_ERR_AUTH);
    ct_msg_free(m);
    ct_msg_free(srv);
    free(nonce);
}
END_TEST

START_TEST(real_bad_password_is_rejected)
{
    struct ct_msg *m = tl_parse_file("captures/syncevo-xml-badpw-01-pkg1-client.xml");
    struct ct_msg *srv = tl_parse_file("captures/syncevo-xml-badpw-02-pkg2-server.xml");
    const struct ct_cmd *st = ct_msg_find_status(srv, "0");
    ck_assert_ptr_nonnull(st);
    ck_assert_str_eq(st->data, "401");
    ck_assert_ptr_nonnull(st->chal.node);
    struct ct_diag d;
    ck_assert_int_eq(verify(m, "test", NULL, 0, &d), CT_ERR_AUTH);
    ct_msg_free(m);
    ct_msg_free(srv);
}
END_TEST

Suite *suite_auth(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("auth");
    tcase_add_test(tc, basic_known_answer);
    tcase_add_test(tc, md5_known_answers);
    tcase_add_test(tc, verify_basic_clear_md5);
    tcase_add_test(tc, verify_names_md5_mistakes);
    tcase_add_test(tc, verify_rejects_malformed);
    tcase_add_test(tc, challenge_round_trip);
    tcase_add_test(tc, real_basic_credential);
    tcase_add_test(tc, real_md5_credential_with_previous_nonce);
    tcase_add_test(tc, real_bad_password_is_rejected);
    suite_add_tcase(s, tc);
    return s;
}
