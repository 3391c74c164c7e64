#define _GNU_SOURCE /* memmem */
/*
 * The WBXML side: the gate (ct_wbxml_check) on hand-made token streams, embedded DevInf in its
 * two forms, textual and numeric public identifiers.
 */
#include "testlib.h"

#include "syncml/ct_build.h"
#include "syncml/ct_view.h"
#include "wbxml/ct_wbxml.h"

#include <stdlib.h>
#include <string.h>

/* A tiny WBXML writer for test inputs. */
struct wb {
    uint8_t b[8192];
    size_t n;
};

static void put(struct wb *w, const void *p, size_t n)
{
    ck_assert(w->n + n <= sizeof(w->b));
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void u8(struct wb *w, uint8_t v)
{
    put(w, &v, 1);
}

static void str_i(struct wb *w, const char *s)
{
    u8(w, 0x03);
    put(w, s, strlen(s) + 1);
}

/* <tag>text</tag> on the current page (tag token without the content bit). */
static void leaf(struct wb *w, uint8_t tok, const char *text)
{
    u8(w, tok | 0x40);
    str_i(w, text);
    u8(w, 0x01);
}

static const uint8_t head12[] = {0x02, 0xA4, 0x01, 0x6A, 0x00};

/* Header, <SyncML><SyncHdr>...</SyncHdr><SyncBody> -- the caller adds body and closes twice. */
static void open_message(struct wb *w)
{
    put(w, head12, sizeof(head12));
    u8(w, 0x6D); /* SyncML */
    u8(w, 0x6C); /* SyncHdr */
    leaf(w, 0x31, "1.2");
    leaf(w, 0x32, "SyncML/1.2");
    leaf(w, 0x25, "7");
    leaf(w, 0x1B, "1");
    u8(w, 0x6E); leaf(w, 0x17, "http://srv/"); u8(w, 0x01); /* Target/LocURI */
    u8(w, 0x67); leaf(w, 0x17, "dev-1"); u8(w, 0x01);       /* Source/LocURI */
    u8(w, 0x01);
    u8(w, 0x6B); /* SyncBody */
}

static void close_message(struct wb *w)
{
    u8(w, 0x12); /* Final */
    u8(w, 0x01); /* /SyncBody */
    u8(w, 0x01); /* /SyncML */
}

static void minimal(struct wb *w)
{
    w->n = 0;
    open_message(w);
    close_message(w);
}

static int gate(const struct wb *w, struct ct_diag *d)
{
    ct_diag_clear(d);
    return ct_wbxml_check(w->b, w->n, 64, NULL, d);
}

static int parse(const struct wb *w, struct ct_msg **m, struct ct_diag *d)
{
    ct_diag_clear(d);
    *m = NULL;
    return ct_msg_parse(m, w->b, w->n, CT_ENC_WBXML, NULL, d);
}

START_TEST(minimal_message)
{
    struct wb w;
    minimal(&w);
    struct ct_diag d;
    struct ct_wbxml_form f;
    ck_assert_int_eq(ct_wbxml_check(w.b, w.n, 64, &f, &d), CT_OK);
    ck_assert_uint_eq(f.version, 0x02);
    ck_assert_uint_eq(f.public_id, 0x1201);
    ck_assert_uint_eq(f.charset, 106);
    ck_assert_int_eq(f.doc, CT_WBXML_DOC_SYNCML12);
    struct ct_msg *m = NULL;
    ck_assert_int_eq(parse(&w, &m, &d), CT_OK);
    ck_assert_str_eq(ct_msg_hdr(m)->session_id, "7");
    ck_assert_str_eq(ct_msg_hdr(m)->target.uri, "http://srv/");
    ck_assert(ct_msg_body(m)->final);
    ck_assert_int_eq(ct_msg_check(m, &d), CT_OK);
    ct_msg_free(m);
}
END_TEST

/* One malformed or out-of-family input per row, with the error it must give and a word of the
 * explanation. `at` is where the defect is spliced: a header byte replaced, or body bytes. */
struct bad {
    const char *name;
    uint8_t bytes[24];
    size_t n;
    int header;       /* 1: replace the header with bytes; 0: insert bytes into SyncBody */
    int code;
    const char *says;
};

static const struct bad bads[] = {
    {"version 4", {0x04, 0xA4, 0x01, 0x6A, 0x00}, 5, 1, CT_ERR_PARSE, "version byte 0x04"},
    {"WML public id", {0x02, 0x04, 0x6A, 0x00}, 4, 1, CT_ERR_NOT_SYNCML, "public identifier 0x4"},
    {"DevInf as a message", {0x02, 0xA4, 0x03, 0x6A, 0x00}, 5, 1, CT_ERR_NOT_SYNCML, "not DevInf 1.2"},
    {"SyncML 1.0", {0x02, 0x9F, 0x51, 0x6A, 0x00}, 5, 1, CT_ERR_NOT_SYNCML, "0xFD1"},
    {"Latin-1", {0x02, 0xA4, 0x01, 0x04, 0x00}, 5, 1, CT_ERR_ENCODING, "charset MIBenum 4"},
    {"string table past end", {0x02, 0xA4, 0x01, 0x6A, 0x7F}, 5, 1, CT_ERR_PARSE, "string table length"},
    {"FPI index outside table", {0x02, 0x00, 0x05, 0x6A, 0x02, 'a', 0x00}, 7, 1, CT_ERR_PARSE, "index 5"},
    {"unknown FPI", {0x02, 0x00, 0x00, 0x6A, 0x04, '-', '/', 'x', 0x00}, 9, 1, CT_ERR_NOT_SYNCML, "\"-/x\""},
    {"mb_u_int32 too long", {0x02, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 7, 1, CT_ERR_PARSE, "longer than 5 bytes"},
    {"mb_u_int32 overflow", {0x02, 0x90, 0x80, 0x80, 0x80, 0x00}, 6, 1, CT_ERR_PARSE, "overflows"},
    {"STR_I without NUL", {0x4F, 0x03, 'a', 'b'}, 4, 0, CT_ERR_PARSE, "no terminating NUL"},
    {"STR_T without table", {0x4F, 0x83, 0x00, 0x01}, 4, 0, CT_ERR_PARSE, "string table index 0"},
    {"OPAQUE past end", {0x4F, 0xC3, 0x8F, 0xFF, 0xFF, 0xFF, 0x7F}, 7, 0, CT_ERR_PARSE, "OPAQUE length 4294967295"},
    {"entity outside Unicode", {0x4F, 0x02, 0xC4, 0x80, 0x00, 0x01}, 6, 0, CT_ERR_PARSE, "Unicode"},
    {"extension token", {0x4F, 0x40, 'x', 0x00, 0x01}, 5, 0, CT_ERR_PARSE, "0x40"},
    {"processing instruction", {0x43, 0x05, 0x01}, 3, 0, CT_ERR_PARSE, "0x43"},
    {"tokenised attribute", {0xCF, 0x05, 0x01, 0x01}, 4, 0, CT_ERR_PARSE, "tokenised attribute"},
    {"code page 2", {0x00, 0x02, 0x4F, 0x01}, 4, 0, CT_ERR_PARSE, "code page 2"},
    {"literal tag outside table", {0x44, 0x09, 0x01}, 3, 0, CT_ERR_PARSE, "index 9"},
};

START_TEST(gate_rejects)
{
    const struct bad *b = &bads[_i];
    struct wb w = {.n = 0};
    if (b->header) {
        put(&w, b->bytes, b->n);
        /* the rest of a message after the header */
        struct wb full;
        minimal(&full);
        put(&w, full.b + sizeof(head12), full.n - sizeof(head12));
    } else {
        open_message(&w);
        put(&w, b->bytes, b->n);
        close_message(&w);
    }
    struct ct_diag d;
    int rc = gate(&w, &d);
    ck_assert_msg(rc == b->code, "%s: got %d (%s), want %d", b->name, rc, d.text, b->code);
    ck_assert_msg(strstr(d.text, b->says) != NULL, "%s: '%s' does not say '%s'", b->name, d.text, b->says);
    ck_assert_msg(strstr(d.text, "WBXML offset") != NULL, "%s: no offset in '%s'", b->name, d.text);
    /* And the full parse gives the same answer without reaching libwbxml. */
    struct ct_msg *m;
    ck_assert_int_eq(parse(&w, &m, &d), b->code);
    ck_assert_ptr_null(m);
}
END_TEST

START_TEST(gate_rejects_structure)
{
    struct wb w;
    struct ct_diag d;
    /* Truncated: elements still open. */
    minimal(&w);
    w.n -= 2;
    ck_assert_int_eq(gate(&w, &d), CT_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(d.text, "2 element(s) still open"));
    /* Trailing bytes after the root element. */
    minimal(&w);
    u8(&w, 0x6B);
    ck_assert_int_eq(gate(&w, &d), CT_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(d.text, "after the end of the root element"));
    /* Text before the root element. */
    w.n = 0;
    put(&w, head12, sizeof(head12));
    str_i(&w, "x");
    ck_assert_int_eq(gate(&w, &d), CT_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(d.text, "outside the root element"));
    /* Header only. */
    w.n = sizeof(head12);
    ck_assert_int_eq(gate(&w, &d), CT_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(d.text, "no root element"));
    /* Nothing at all. */
    w.n = 0;
    ck_assert_int_eq(gate(&w, &d), CT_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(d.text, "truncated"));
}
END_TEST

START_TEST(gate_bounds_depth)
{
    struct wb w = {.n = 0};
    put(&w, head12, sizeof(head12));
    u8(&w, 0x6D);
    for (int i = 0; i < 100; i++)
        u8(&w, 0x6B); /* SyncBody inside SyncBody ... */
    for (int i = 0; i < 101; i++)
        u8(&w, 0x01);
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_wbxml_check(w.b, w.n, 64, NULL, &d), CT_ERR_TOO_DEEP);
    ck_assert_ptr_nonnull(strstr(d.text, "WBXML offset 69"));
    ck_assert_ptr_nonnull(strstr(d.text, "limit of 64"));
    ct_diag_clear(&d);
    ck_assert_int_eq(ct_wbxml_check(w.b, w.n, 101, NULL, &d), CT_OK);
    struct ct_limits lim = {.max_bytes = 1 << 20, .max_depth = 128};
    struct ct_msg *m = NULL;
    ck_assert_int_eq(ct_msg_parse(&m, w.b, w.n, CT_ENC_AUTO, &lim, &d), CT_OK);
    ct_msg_free(m);
}
END_TEST

START_TEST(gate_accepts_nokia_literal_xmlns)
{
    /* Nokia: <SyncML> with a LITERAL attribute at string-table index 0 and no string table. */
    struct wb w = {.n = 0};
    put(&w, head12, sizeof(head12));
    u8(&w, 0xED);
    u8(&w, 0x04);
    u8(&w, 0x00);
    str_i(&w, "SYNCML:SYNCML1.2");
    u8(&w, 0x01); /* end of attributes */
    struct wb rest;
    minimal(&rest);
    put(&w, rest.b + sizeof(head12) + 1, rest.n - sizeof(head12) - 1);
    struct ct_diag d;
    ck_assert_int_eq(gate(&w, &d), CT_OK);
    /* Whatever libwbxml makes of it, the result is an answer, not a crash. */
    struct ct_msg *m = NULL;
    int rc = parse(&w, &m, &d);
    ck_assert(rc == CT_OK || d.text[0] != '\0');
    ct_msg_free(m);
}
END_TEST

/* <Put> with Meta Type `type` and one Item whose Data holds `data` as OPAQUE (or STR_I). */
static void put_devinf(struct wb *w, const char *type, const uint8_t *data, size_t n, bool opaque)
{
    w->n = 0;
    open_message(w);
    u8(w, 0x5F);            /* Put */
    leaf(w, 0x0B, "1");     /* CmdID */
    u8(w, 0x5A);            /* Meta */
    u8(w, 0x00); u8(w, 0x01);
    leaf(w, 0x13, type);    /* MetInf Type */
    u8(w, 0x00); u8(w, 0x00);
    u8(w, 0x01);            /* /Meta */
    u8(w, 0x54);            /* Item */
    u8(w, 0x67); leaf(w, 0x17, "./devinf12"); u8(w, 0x01);
    u8(w, 0x4F);            /* Data */
    if (opaque) {
        u8(w, 0xC3);
        ck_assert(n < 16384);
        if (n >= 128)
            u8(w, (uint8_t)(0x80 | (n >> 7)));
        u8(w, (uint8_t)(n & 0x7F));
        put(w, data, n);
    } else {
        u8(w, 0x03);
        put(w, data, n);
        u8(w, 0x00);
    }
    u8(w, 0x01);            /* /Data */
    u8(w, 0x01);            /* /Item */
    u8(w, 0x01);            /* /Put */
    close_message(w);
}

static const uint8_t devinf12[] = {
    0x02, 0xA4, 0x03, 0x6A, 0x00, 0x4A,                   /* DevInf 1.2, <DevInf> */
    0x65, 0x03, '1', '.', '2', 0x00, 0x01,                /* <VerDTD>1.2</VerDTD> */
    0x49, 0x03, 'd', 'e', 'v', '-', '1', 0x00, 0x01,      /* <DevID>dev-1</DevID> */
    0x01,
};

#define DEVINF_WBXML "application/vnd.syncml-devinf+wbxml"

START_TEST(embedded_devinf_wbxml)
{
    struct wb w;
    struct ct_diag d;
    struct ct_msg *m = NULL;
    put_devinf(&w, DEVINF_WBXML, devinf12, sizeof(devinf12), true);
    ck_assert_int_eq(parse(&w, &m, &d), CT_OK);
    const struct ct_cmd *p = ct_msg_find_cmd(m, CT_CMD_PUT, 0);
    const xmlNode *devinf = p->items[0].data_node->children;
    ck_assert_ptr_nonnull(devinf);
    ck_assert_str_eq((const char *)devinf->name, "DevInf");
    /* libwbxml shows the embedded form as XML and says so in the Type. */
    ck_assert_str_eq(p->meta.type, "application/vnd.syncml-devinf+xml");
    ct_msg_free(m);
}
END_TEST

START_TEST(embedded_document_is_gated)
{
    struct wb w;
    struct ct_diag d;
    /* A libwbxml crasher inside <Data>: libwbxml would parse it with the language guessed. */
    size_t n;
    for (size_t i = 0; i < 3; i++) {
        static const char *const crashers[] = {
            "hostile/libwbxml-sigabrt-parse-entity.wbxml",
            "hostile/libwbxml-sigsegv-1.wbxml",
            "hostile/libwbxml-sigsegv-2.wbxml",
        };
        uint8_t *crash = tl_read(crashers[i], &n);
        put_devinf(&w, DEVINF_WBXML, crash, n, true);
        free(crash);
        ck_assert_int_ne(gate(&w, &d), CT_OK);
        ck_assert_ptr_nonnull(strstr(d.text, "embedded document in <Data>"));
        struct ct_msg *m;
        ck_assert_int_ne(parse(&w, &m, &d), CT_OK);
    }
    /* A SyncML message inside <Data>. */
    struct wb inner;
    minimal(&inner);
    put_devinf(&w, DEVINF_WBXML, inner.b, inner.n, true);
    ck_assert_int_ne(gate(&w, &d), CT_OK);
    ck_assert_ptr_nonnull(strstr(d.text, "embedded document"));
    /* Text instead of OPAQUE under a WBXML type. */
    put_devinf(&w, DEVINF_WBXML, (const uint8_t *)"\x02\x01\x6A", 3, false);
    ck_assert_int_eq(gate(&w, &d), CT_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(d.text, "exactly one OPAQUE"));
    /* The depth budget is shared with the enclosing message. */
    put_devinf(&w, DEVINF_WBXML, devinf12, sizeof(devinf12), true);
    ct_diag_clear(&d);
    ck_assert_int_eq(ct_wbxml_check(w.b, w.n, 5, NULL, &d), CT_ERR_TOO_DEEP);
    ct_diag_clear(&d);
    ck_assert_int_eq(ct_wbxml_check(w.b, w.n, 7, NULL, &d), CT_OK);
}
END_TEST

START_TEST(devinf_as_xml_text_inside_wbxml)
{
    static const char text[] = "<DevInf xmlns='syncml:devinf'><VerDTD>1.2</VerDTD></DevInf>";
    struct wb w;
    struct ct_diag d;
    struct ct_msg *m = NULL;
    /* DevInf carried as an XML string (Type +xml): it stays text, exactly as sent. */
    put_devinf(&w, "application/vnd.syncml-devinf+xml", (const uint8_t *)text, strlen(text), false);
    ck_assert_int_eq(parse(&w, &m, &d), CT_OK);
    const struct ct_cmd *p = ct_msg_find_cmd(m, CT_CMD_PUT, 0);
    ck_assert_str_eq(p->items[0].data, text);
    /* ...and survives re-encoding in both encodings. */
    char *want = tl_canon(m);
    for (int enc = CT_ENC_XML; enc <= CT_ENC_WBXML; enc++) {
        struct ct_ser_opts o = {.enc = (enum ct_enc)enc};
        size_t len;
        uint8_t *wire = tl_serialize(m, &o, &len);
        struct ct_msg *back = tl_parse(wire, len);
        char *got = tl_canon(back);
        ck_assert_str_eq(got, want);
        free(got);
        free(wire);
        ct_msg_free(back);
    }
    free(want);
    ct_msg_free(m);
}
END_TEST

START_TEST(devinf_elements_encode_as_embedded_wbxml)
{
    struct ct_msg *m = tl_parse_file("captures/syncevo-xml-01-pkg1-client.xml");
    struct ct_ser_opts o = {.enc = CT_ENC_WBXML};
    size_t len;
    uint8_t *wb = tl_serialize(m, &o, &len);
    /* The Type says +wbxml on the wire, and a DevInf 1.2 document header is embedded. */
    ck_assert_ptr_nonnull(memmem(wb, len, DEVINF_WBXML, strlen(DEVINF_WBXML)));
    ck_assert_ptr_nonnull(memmem(wb, len, "\x02\xA4\x03\x6A", 4));
    free(wb);
    ct_msg_free(m);
}
END_TEST

START_TEST(textual_public_id)
{
    struct wb w = {.n = 0};
    static const char fpi[] = "-//SYNCML//DTD SyncML 1.2//EN";
    u8(&w, 0x02);
    u8(&w, 0x00);
    u8(&w, 0x00);
    u8(&w, 0x6A);
    u8(&w, (uint8_t)sizeof(fpi));
    put(&w, fpi, sizeof(fpi));
    struct wb rest;
    minimal(&rest);
    put(&w, rest.b + sizeof(head12), rest.n - sizeof(head12));
    struct ct_msg *m = NULL;
    struct ct_diag d;
    ck_assert_int_eq(parse(&w, &m, &d), CT_OK);
    const struct ct_wbxml_form *f = ct_msg_wbxml_form(m);
    ck_assert(f->textual_public_id);
    ck_assert_uint_eq(f->public_id, 0);
    ck_assert_int_eq(f->doc, CT_WBXML_DOC_SYNCML12);
    /* Re-encoding with a textual id writes exactly this header. */
    struct ct_ser_opts o = {.enc = CT_ENC_WBXML, .textual_public_id = true};
    size_t len;
    uint8_t *out = tl_serialize(m, &o, &len);
    ck_assert_uint_gt(len, 5 + sizeof(fpi));
    ck_assert_mem_eq(out, w.b, 5 + sizeof(fpi));
    free(out);
    ct_msg_free(m);
}
END_TEST

Suite *suite_wbxml(void)
{
    Suite *s = suite_create("wbxml");
    TCase *tc = tcase_create("wbxml");
    tcase_add_test(tc, minimal_message);
    tcase_add_loop_test(tc, gate_rejects, 0, (int)(sizeof(bads) / sizeof(bads[0])));
    tcase_add_test(tc, gate_rejects_structure);
    tcase_add_test(tc, gate_bounds_depth);
    tcase_add_test(tc, gate_accepts_nokia_literal_xmlns);
    tcase_add_test(tc, embedded_devinf_wbxml);
    tcase_add_test(tc, embedded_document_is_gated);
    tcase_add_test(tc, devinf_as_xml_text_inside_wbxml);
    tcase_add_test(tc, devinf_elements_encode_as_embedded_wbxml);
    tcase_add_test(tc, textual_public_id);
    suite_add_tcase(s, tc);
    return s;
}
