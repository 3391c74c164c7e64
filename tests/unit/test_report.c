/*
 * Tests of the report module: verdicts and counts, the console lines, the text cleaning, and
 * the three report files (JUnit XML validated against junit-10.xsd, JSON read back with
 * jansson, HTML read back with libxml2's HTML parser), including a hostile `actual` text a SUT
 * could have sent.
 */
#define _DEFAULT_SOURCE /* mkdtemp */

#include "testlib.h"

#include "report/ct_report.h"
#include "report/ct_report_int.h"

#include <ctype.h>
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlversion.h>
#include <libxml/xpath.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Markup, quotes, a control byte, invalid UTF-8 (a lone 0xFF, 0xFE, a lead byte without its
 * continuation) and a terminal escape: everything a SUT must not get through a report. */
#define HOSTILE "</pre><script>alert(1)</script>&\"'\x01 bad:\xff\xfe\xc3( \033[2J end"
#define FFFD "\xEF\xBF\xBD"
/* HOSTILE as the writers keep it in XML and HTML: each bad byte and control is U+FFFD. */
#define HOSTILE_XML "</pre><script>alert(1)</script>&\"'" FFFD " bad:" FFFD FFFD FFFD "( " FFFD "[2J end"
/* ... and in JSON, where controls stay (jansson escapes them). */
#define HOSTILE_JSON "</pre><script>alert(1)</script>&\"'\x01 bad:" FFFD FFFD FFFD "( \033[2J end"

/* ---- fixtures ---- */

static char *dup_or_null(const char *s)
{
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    ck_assert_ptr_nonnull(d);
    return d;
}

static void set_rules(struct ct_result *r, const char *const *rules)
{
    size_t n = 0;
    while (rules != NULL && rules[n] != NULL)
        n++;
    if (n == 0)
        return;
    r->rules = calloc(n, sizeof(*r->rules));
    ck_assert_ptr_nonnull(r->rules);
    for (size_t i = 0; i < n; i++)
        r->rules[i] = dup_or_null(rules[i]);
    r->n_rules = n;
}

static void make(struct ct_result *r, const char *id, const char *title, enum ct_verdict v,
                 const char *const *rules, const char *reason, double seconds)
{
    memset(r, 0, sizeof(*r));
    r->id = dup_or_null(id);
    r->title = dup_or_null(title);
    r->verdict = v;
    set_rules(r, rules);
    r->reason = dup_or_null(reason);
    r->seconds = seconds;
    if (title != NULL) {
        r->role = dup_or_null("server");
        char file[256];
        snprintf(file, sizeof(file), "scenarios/%s.scn", id);
        r->file = dup_or_null(file);
    }
}

enum { N_RUN = 7 };

/* A run with every verdict: pass 2, fail 1, error 1, skip 1, xfail 1, xpass 1. */
static void fixture(struct ct_result r[N_RUN], const char *transcript)
{
    static const char *const r0[] = {"ENC-NEG-6", "ENC-NEG-10", NULL};
    static const char *const r1[] = {"ENC-NEG-6", "DS-PRO 5.3", NULL};
    static const char *const r2[] = {"DS-PRO 5.3", NULL};
    static const char *const r3[] = {"DS-PRO 5.4", NULL};
    static const char *const r4[] = {"DS-PRO 5.5", NULL};
    static const char *const r5[] = {"DS-PRO 6.1", NULL};
    make(&r[0], "enc.neg.offer-accepted", "Offer accepted", CT_VERDICT_PASS, r0, NULL, 0.25);
    r[0].transcript = dup_or_null(transcript);
    make(&r[1], "enc.neg.bad-offer", "Bad offer refused", CT_VERDICT_FAIL, r1,
         "Status 200 for a bad offer", 1.5);
    r[1].where = dup_or_null("step 3 (expect, line 14)");
    r[1].expected = dup_or_null("Status 400\nStatus 406");
    r[1].actual = dup_or_null(HOSTILE);
    make(&r[2], "ds.sync.slow", "Slow sync", CT_VERDICT_ERROR, r2,
         "template error: undefined variable", 0.01);
    r[2].where = dup_or_null("step 1 (send, line 3)");
    r[2].transcript = dup_or_null("javascript:alert(1)");
    make(&r[3], "ds.sync.refresh", "Refresh from server", CT_VERDICT_SKIP, r3,
         "the SUT does not claim refresh-from-server", 0);
    make(&r[4], "ds.sync.two-way", "Two-way sync", CT_VERDICT_XFAIL, r4, "vendor bug 123", 0.5);
    make(&r[5], "ds.sync.map", "Map acknowledged", CT_VERDICT_XPASS, r5, "vendor bug 456", 0.5);
    make(&r[6], "smoke", NULL, CT_VERDICT_PASS, NULL, NULL, 0);
}

static void free_run(struct ct_result *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ct_result_cleanup(&r[i]);
}

static const struct ct_run_info info = {
    .conftest_version = "0.1.0",
    .suite_version = "2024.1",
    .sut_name = "ACME <Sync> & Co",
    .sut_config = "sut/acme.toml",
    .ref_bugs = "nonce-reuse",
    .started = "2024-05-01T12:00:00Z",
    .seed = 42,
    .seconds = 3.5,
};

/* A fresh directory for one test's files (each test runs in its own process). */
static char dir[64];

static const char *tmp_path(const char *name)
{
    static char path[4][256];
    static int slot;
    if (dir[0] == '\0') {
        snprintf(dir, sizeof(dir), "/tmp/ct_report_XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
    }
    slot = (slot + 1) % 4;
    snprintf(path[slot], sizeof(path[slot]), "%s/%s", dir, name);
    return path[slot];
}

static char *slurp(const char *path)
{
    return (char *)tl_read_file(path, NULL);
}

/* rm_dir removes the test's directory (a checked teardown: it runs in the test's process). */
static void rm_dir(void)
{
    if (dir[0] == '\0')
        return;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    dir[0] = '\0';
}

static void capture_start(FILE **f, size_t *len, char **buf)
{
    *f = open_memstream(buf, len);
    ck_assert_ptr_nonnull(*f);
}

/* ---- verdicts, counts, cleanup ---- */

START_TEST(verdict_names)
{
    ck_assert_str_eq(ct_verdict_name(CT_VERDICT_PASS), "pass");
    ck_assert_str_eq(ct_verdict_name(CT_VERDICT_FAIL), "fail");
    ck_assert_str_eq(ct_verdict_name(CT_VERDICT_ERROR), "error");
    ck_assert_str_eq(ct_verdict_name(CT_VERDICT_SKIP), "skip");
    ck_assert_str_eq(ct_verdict_name(CT_VERDICT_XFAIL), "xfail");
    ck_assert_str_eq(ct_verdict_name(CT_VERDICT_XPASS), "xpass");
    ck_assert_str_eq(ct_verdict_name((enum ct_verdict)99), "?");
    ck_assert(ct_verdict_expected(CT_VERDICT_PASS));
    ck_assert(!ct_verdict_expected(CT_VERDICT_FAIL));
    ck_assert(!ct_verdict_expected(CT_VERDICT_ERROR));
    ck_assert(ct_verdict_expected(CT_VERDICT_SKIP));
    ck_assert(ct_verdict_expected(CT_VERDICT_XFAIL));
    ck_assert(!ct_verdict_expected(CT_VERDICT_XPASS));
    ck_assert_str_eq(ct_report_verdict_tag(CT_VERDICT_XPASS), "XPASS");
}
END_TEST

START_TEST(counts)
{
    struct ct_result r[N_RUN];
    fixture(r, NULL);
    struct ct_report_counts c;
    ct_report_count(r, N_RUN, &c);
    ck_assert_uint_eq(c.pass, 2);
    ck_assert_uint_eq(c.fail, 1);
    ck_assert_uint_eq(c.error, 1);
    ck_assert_uint_eq(c.skip, 1);
    ck_assert_uint_eq(c.xfail, 1);
    ck_assert_uint_eq(c.xpass, 1);
    ct_report_count(NULL, 0, &c);
    ck_assert_uint_eq(c.pass + c.fail + c.error + c.skip + c.xfail + c.xpass, 0);
    free_run(r, N_RUN);
}
END_TEST

START_TEST(cleanup)
{
    struct ct_result r[N_RUN];
    fixture(r, "t/x");
    free_run(r, N_RUN);
    for (size_t i = 0; i < N_RUN; i++) {
        ck_assert_ptr_null(r[i].id);
        ck_assert_ptr_null(r[i].rules);
        ck_assert_uint_eq(r[i].n_rules, 0);
    }
    free_run(r, N_RUN); /* twice is harmless */
    ct_result_cleanup(NULL);
}
END_TEST

/* ---- text helpers ---- */

START_TEST(clean_text)
{
    static const struct {
        const char *in, *utf8, *xml;
    } cases[] = {
        {"plain", "plain", "plain"},
        {"tab\tlf\ncr\r", "tab\tlf\ncr\r", "tab\tlf\ncr\r"},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e",
         "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e"},
        {"a\x01z", "a\x01z", "a" FFFD "z"},
        {"del\x7f", "del\x7f", "del" FFFD},
        {"c1\xc2\x9b", "c1\xc2\x9b", "c1" FFFD},                 /* U+009B, a C1 CSI */
        {"nc\xef\xbf\xbe", "nc\xef\xbf\xbe", "nc" FFFD},         /* U+FFFE */
        {"\xff", FFFD, FFFD},
        {"\xc0\xaf", FFFD FFFD, FFFD FFFD},                      /* overlong '/' */
        {"\xed\xa0\x80", FFFD FFFD FFFD, FFFD FFFD FFFD},        /* a surrogate */
        {"\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD, FFFD FFFD FFFD FFFD}, /* past U+10FFFF */
        {"cut\xe2\x82", "cut" FFFD FFFD, "cut" FFFD FFFD},       /* truncated sequence */
        {"", "", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *u = ct_report_clean(cases[i].in, CT_REPORT_CLEAN_UTF8);
        char *x = ct_report_clean(cases[i].in, CT_REPORT_CLEAN_XML);
        ck_assert_msg(strcmp(u, cases[i].utf8) == 0, "utf8 case %zu", i);
        ck_assert_msg(strcmp(x, cases[i].xml) == 0, "xml case %zu", i);
        free(u);
        free(x);
    }
    ck_assert_ptr_null(ct_report_clean(NULL, CT_REPORT_CLEAN_XML));
}
END_TEST

START_TEST(clean_bounded)
{
    size_t n = CT_REPORT_TEXT_MAX + 100;
    char *big = malloc(n + 1);
    ck_assert_ptr_nonnull(big);
    memset(big, 'a', n);
    /* A 3-byte character across the cut goes whole, not as a broken sequence. */
    memcpy(big + CT_REPORT_TEXT_MAX - 1, "\xe2\x82\xac", 3);
    big[n] = '\0';
    char *c = ct_report_clean(big, CT_REPORT_CLEAN_XML);
    ck_assert_uint_eq(strlen(c), CT_REPORT_TEXT_MAX - 1 + strlen(" [truncated]"));
    ck_assert_str_eq(c + CT_REPORT_TEXT_MAX - 1, " [truncated]");
    free(c);
    free(big);
}
END_TEST

START_TEST(seconds_format)
{
    char buf[32];
    ck_assert_str_eq(ct_report_seconds(buf, 0), "0.000");
    ck_assert_str_eq(ct_report_seconds(buf, 1.5), "1.500");
    ck_assert_str_eq(ct_report_seconds(buf, 12345.678), "12345.678");
    ck_assert_str_eq(ct_report_seconds(buf, -2), "0.000");
    ck_assert_str_eq(ct_report_seconds(buf, NAN), "0.000");
    ck_assert_str_eq(ct_report_seconds(buf, INFINITY), "1000000000000.000");
}
END_TEST

/* ---- console ---- */

START_TEST(console_lines)
{
    struct ct_result r[N_RUN];
    fixture(r, "out/t/enc.neg.offer-accepted");
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    capture_start(&f, &len, &buf);
    ct_report_line(f, &r[0], false);
    fclose(f);
    ck_assert_str_eq(buf, "PASS   enc.neg.offer-accepted  Offer accepted\n");
    free(buf);

    capture_start(&f, &len, &buf);
    ct_report_line(f, &r[3], false);
    ct_report_line(f, &r[6], false);
    fclose(f);
    ck_assert_str_eq(buf, "SKIP   ds.sync.refresh  Refresh from server "
                          "(the SUT does not claim refresh-from-server)\n"
                          "PASS   smoke\n");
    free(buf);

    capture_start(&f, &len, &buf);
    ct_report_line(f, &r[1], false);
    fclose(f);
    ck_assert_str_eq(buf, "FAIL   enc.neg.bad-offer  Bad offer refused\n"
                          "       rules:    ENC-NEG-6, DS-PRO 5.3\n"
                          "       reason:   Status 200 for a bad offer\n"
                          "       where:    step 3 (expect, line 14)\n"
                          "       expected: Status 400\n"
                          "                 Status 406\n"
                          "       actual:   " HOSTILE_XML "\n");
    /* No byte of the SUT's reaches the terminal raw: no ESC, no control. */
    ck_assert_ptr_null(strchr(buf, '\033'));
    ck_assert_ptr_null(strchr(buf, '\x01'));
    free(buf);

    capture_start(&f, &len, &buf);
    ct_report_line(f, &r[0], true);
    ct_report_line(f, NULL, true);
    ct_report_line(NULL, &r[0], true);
    fclose(f);
    ck_assert_str_eq(buf, "\033[32mPASS \033[0m  enc.neg.offer-accepted  Offer accepted\n");
    free(buf);
    free_run(r, N_RUN);
}
END_TEST

START_TEST(console_summary)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    struct ct_report_counts c = {.pass = 3, .fail = 1, .error = 1, .skip = 2, .xfail = 1, .xpass = 1};
    capture_start(&f, &len, &buf);
    ct_report_summary(f, &c, 1.5, false);
    fclose(f);
    ck_assert_str_eq(buf, "3 passed, 1 failed, 1 error, 2 skipped, 1 expected failure, "
                          "1 unexpected pass in 1.500 s\n");
    free(buf);

    c = (struct ct_report_counts){.pass = 2, .error = 2, .xfail = 2, .xpass = 2};
    capture_start(&f, &len, &buf);
    ct_report_summary(f, &c, 0, false);
    fclose(f);
    ck_assert_str_eq(buf, "2 passed, 0 failed, 2 errors, 2 expected failures, "
                          "2 unexpected passes in 0.000 s\n");
    free(buf);

    c = (struct ct_report_counts){.pass = 2};
    capture_start(&f, &len, &buf);
    ct_report_summary(f, &c, 0.25, true);
    fclose(f);
    ck_assert_str_eq(buf, "\033[1;32m2 passed, 0 failed in 0.250 s\033[0m\n");
    free(buf);
}
END_TEST

/* ---- JUnit ---- */

/* The error callback's parameter became const in libxml2 2.12. */
#if LIBXML_VERSION >= 21200
static void on_schema_error(void *ctx, const xmlError *e)
#else
static void on_schema_error(void *ctx, xmlErrorPtr e)
#endif
{
    struct ct_diag *d = ctx;
    if (d->code == 0) {
        d->code = -1;
        snprintf(d->text, sizeof(d->text), "line %d: %s", e->line, e->message);
    }
}

/* validate fails the test unless path is valid against the JUnit schema. */
static void validate(const char *path)
{
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(tl_path("junit/junit-10.xsd"));
    ck_assert_ptr_nonnull(pc);
    xmlSchemaPtr schema = xmlSchemaParse(pc);
    ck_assert_msg(schema != NULL, "cannot parse %s", tl_path("junit/junit-10.xsd"));
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    ck_assert_ptr_nonnull(vc);
    struct ct_diag d = {0};
    xmlSchemaSetValidStructuredErrors(vc, on_schema_error, &d);
    int rc = xmlSchemaValidateFile(vc, path, 0);
    ck_assert_msg(rc == 0, "%s is not valid JUnit (%d): %s", path, rc, d.text);
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pc);
}

/* xp returns the string value of an XPath expression (malloc'ed). */
static char *xp(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    ck_assert_ptr_nonnull(ctx);
    char full[512];
    snprintf(full, sizeof(full), "string(%s)", expr);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST full, ctx);
    ck_assert_msg(o != NULL && o->type == XPATH_STRING, "bad xpath %s", expr);
    char *s = strdup((const char *)o->stringval);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return s;
}

static void xp_eq(xmlDocPtr doc, const char *expr, const char *want)
{
    char *got = xp(doc, expr);
    ck_assert_msg(strcmp(got, want) == 0, "%s: got '%s', want '%s'", expr, got, want);
    free(got);
}

static void xp_has(xmlDocPtr doc, const char *expr, const char *part)
{
    char *got = xp(doc, expr);
    ck_assert_msg(strstr(got, part) != NULL, "%s: '%s' lacks '%s'", expr, got, part);
    free(got);
}

START_TEST(junit_valid)
{
    struct ct_result r[N_RUN];
    fixture(r, "out/t/enc.neg.offer-accepted");
    const char *path = tmp_path("junit.xml");
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_report_junit(path, &info, r, N_RUN, &d), CT_OK);
    validate(path);

    xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    xp_eq(doc, "/testsuites/@name", "conftest");
    xp_eq(doc, "/testsuites/@tests", "7");
    xp_eq(doc, "/testsuites/@failures", "2"); /* fail + xpass */
    xp_eq(doc, "/testsuites/@errors", "1");
    xp_eq(doc, "/testsuites/@time", "3.500");
    xp_eq(doc, "count(/testsuites/@skipped)", "0"); /* junit-10.xsd has none there */
    xp_eq(doc, "count(/testsuites/testsuite)", "3");
    /* Areas in order, each with its counts. */
    xp_eq(doc, "/testsuites/testsuite[1]/@name", "ds.sync");
    xp_eq(doc, "/testsuites/testsuite[2]/@name", "enc.neg");
    xp_eq(doc, "/testsuites/testsuite[3]/@name", "smoke");
    xp_eq(doc, "/testsuites/testsuite[1]/@tests", "4");
    xp_eq(doc, "/testsuites/testsuite[1]/@failures", "1");
    xp_eq(doc, "/testsuites/testsuite[1]/@errors", "1");
    xp_eq(doc, "/testsuites/testsuite[1]/@skipped", "1");
    xp_eq(doc, "/testsuites/testsuite[1]/@time", "1.010");
    xp_eq(doc, "/testsuites/testsuite[2]/@tests", "2");
    xp_eq(doc, "/testsuites/testsuite[2]/@failures", "1");
    xp_eq(doc, "/testsuites/testsuite[2]/@errors", "0");
    xp_eq(doc, "/testsuites/testsuite[2]/@skipped", "0");
    /* Properties come first in each suite. */
    xp_eq(doc, "name(/testsuites/testsuite[2]/*[1])", "properties");
    xp_eq(doc, "//testsuite[@name='enc.neg']/properties/property[@name='conftest_version']/@value", "0.1.0");
    xp_eq(doc, "//testsuite[@name='enc.neg']/properties/property[@name='suite_version']/@value", "2024.1");
    xp_eq(doc, "//testsuite[@name='enc.neg']/properties/property[@name='sut']/@value", "ACME <Sync> & Co");
    xp_eq(doc, "//testsuite[@name='enc.neg']/properties/property[@name='seed']/@value", "42");
    xp_eq(doc, "//testsuite[@name='enc.neg']/properties/property[@name='ref_bugs']/@value", "nonce-reuse");

    /* Verdicts to elements. */
    xp_eq(doc, "//testcase[@name='enc.neg.offer-accepted']/@classname", "enc.neg");
    xp_eq(doc, "//testcase[@name='enc.neg.offer-accepted']/@time", "0.250");
    xp_eq(doc, "count(//testcase[@name='enc.neg.offer-accepted']/*[not(self::system-out)])", "0");
    xp_has(doc, "//testcase[@name='enc.neg.offer-accepted']/system-out",
           "transcript: out/t/enc.neg.offer-accepted");
    xp_eq(doc, "//testcase[@name='enc.neg.bad-offer']/failure/@type", "fail");
    xp_eq(doc, "//testcase[@name='enc.neg.bad-offer']/failure/@message", "Status 200 for a bad offer");
    xp_has(doc, "//testcase[@name='enc.neg.bad-offer']/failure", "requirements: ENC-NEG-6, DS-PRO 5.3\n");
    xp_has(doc, "//testcase[@name='enc.neg.bad-offer']/failure", "where: step 3 (expect, line 14)\n");
    xp_has(doc, "//testcase[@name='enc.neg.bad-offer']/failure", "expected:\n  Status 400\n  Status 406\n");
    xp_has(doc, "//testcase[@name='enc.neg.bad-offer']/failure", "actual: " HOSTILE_XML "\n");
    xp_eq(doc, "//testcase[@name='ds.sync.slow']/error/@type", "error");
    xp_eq(doc, "//testcase[@name='ds.sync.slow']/error/@message", "template error: undefined variable");
    xp_eq(doc, "count(//testcase[@name='ds.sync.slow']/failure)", "0");
    xp_eq(doc, "//testcase[@name='ds.sync.refresh']/skipped/@message",
          "the SUT does not claim refresh-from-server");
    xp_eq(doc, "count(//testcase[@name='ds.sync.two-way']/failure | //testcase[@name='ds.sync.two-way']/error)", "0");
    xp_eq(doc, "//testcase[@name='ds.sync.two-way']/system-out", "expected failure: vendor bug 123\n");
    xp_eq(doc, "//testcase[@name='ds.sync.map']/failure/@type", "xpass");
    xp_has(doc, "//testcase[@name='ds.sync.map']/failure", "known failure: vendor bug 456");
    xp_eq(doc, "//testcase[@name='smoke']/@classname", "smoke");
    xmlFreeDoc(doc);
    free_run(r, N_RUN);
}
END_TEST

START_TEST(junit_sparse)
{
    /* Only verdicts: every optional field NULL, no run info, no id. */
    struct ct_result r[4] = {
        {.verdict = CT_VERDICT_FAIL}, {.verdict = CT_VERDICT_ERROR},
        {.verdict = CT_VERDICT_SKIP}, {.verdict = CT_VERDICT_XPASS},
    };
    const char *path = tmp_path("sparse.xml");
    ck_assert_int_eq(ct_report_junit(path, NULL, r, 4, NULL), CT_OK);
    validate(path);
    const char *empty = tmp_path("empty.xml");
    ck_assert_int_eq(ct_report_junit(empty, &info, NULL, 0, NULL), CT_OK);
    validate(empty);
}
END_TEST

/* ---- JSON ---- */

static json_t *get(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    ck_assert_msg(v != NULL, "no key %s", key);
    return v;
}

static void str_eq(json_t *obj, const char *key, const char *want)
{
    json_t *v = get(obj, key);
    ck_assert_msg(json_is_string(v), "%s is not a string", key);
    ck_assert_str_eq(json_string_value(v), want);
}

START_TEST(json_fields)
{
    struct ct_result r[N_RUN];
    fixture(r, "out/t/enc.neg.offer-accepted");
    const char *path = tmp_path("report.json");
    ck_assert_int_eq(ct_report_json(path, &info, r, N_RUN, NULL), CT_OK);

    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    ck_assert_msg(root != NULL, "json: %s at line %d", err.text, err.line);
    ck_assert_int_eq(json_integer_value(get(root, "version")), 3);
    ck_assert(json_is_false(get(root, "interrupted")));
    ck_assert(json_real_value(get(root, "seconds_since_epoch")) == 1714564800.0);
    str_eq(root, "conftest_version", "0.1.0");
    str_eq(root, "suite_version", "2024.1");
    str_eq(root, "sut", "ACME <Sync> & Co");
    str_eq(root, "sut_config", "sut/acme.toml");
    str_eq(root, "ref_bugs", "nonce-reuse");
    str_eq(root, "started", "2024-05-01T12:00:00Z");
    ck_assert_int_eq(json_integer_value(get(root, "seed")), 42);
    ck_assert(json_real_value(get(root, "seconds")) == 3.5);
    json_t *by = get(root, "num_failures_by_type");
    static const struct {
        const char *type;
        int n;
    } want[] = {{"PASS", 2}, {"FAIL", 1}, {"ERROR", 1}, {"SKIP", 1}, {"XFAIL", 1}, {"XPASS", 1}};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        ck_assert_int_eq(json_integer_value(get(by, want[i].type)), want[i].n);

    json_t *tests = get(root, "tests");
    ck_assert_uint_eq(json_object_size(tests), N_RUN);
    json_t *t = get(tests, "enc.neg.bad-offer");
    str_eq(t, "expected", "PASS");
    str_eq(t, "actual", "FAIL");
    ck_assert(json_is_true(get(t, "is_unexpected")));
    str_eq(t, "verdict", "fail");
    str_eq(t, "title", "Bad offer refused");
    str_eq(t, "file", "scenarios/enc.neg.bad-offer.scn");
    str_eq(t, "role", "server");
    ck_assert_uint_eq(json_array_size(get(t, "rules")), 2);
    ck_assert_str_eq(json_string_value(json_array_get(get(t, "rules"), 1)), "DS-PRO 5.3");
    str_eq(t, "reason", "Status 200 for a bad offer");
    str_eq(t, "where", "step 3 (expect, line 14)");
    str_eq(t, "expected_behaviour", "Status 400\nStatus 406");
    str_eq(t, "actual_behaviour", HOSTILE_JSON);
    ck_assert(json_real_value(get(t, "time")) == 1.5);
    ck_assert_ptr_null(json_object_get(t, "transcript"));

    t = get(tests, "enc.neg.offer-accepted");
    str_eq(t, "expected", "PASS");
    str_eq(t, "actual", "PASS");
    ck_assert(json_is_false(get(t, "is_unexpected")));
    str_eq(t, "transcript", "out/t/enc.neg.offer-accepted");
    t = get(tests, "ds.sync.slow");
    str_eq(t, "actual", "ERROR");
    ck_assert(json_is_true(get(t, "is_unexpected")));
    t = get(tests, "ds.sync.refresh");
    str_eq(t, "expected", "SKIP");
    str_eq(t, "actual", "SKIP");
    ck_assert(json_is_false(get(t, "is_unexpected")));
    t = get(tests, "ds.sync.two-way");
    str_eq(t, "expected", "FAIL");
    str_eq(t, "actual", "FAIL");
    str_eq(t, "verdict", "xfail");
    ck_assert(json_is_false(get(t, "is_unexpected")));
    t = get(tests, "ds.sync.map");
    str_eq(t, "expected", "FAIL");
    str_eq(t, "actual", "PASS");
    ck_assert(json_is_true(get(t, "is_unexpected")));
    /* NULL fields are left out; rules is always a list. */
    t = get(tests, "smoke");
    static const char *const absent[] = {"title", "file", "role", "reason", "where",
                                         "expected_behaviour", "actual_behaviour", "transcript"};
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
        ck_assert_msg(json_object_get(t, absent[i]) == NULL, "smoke has %s", absent[i]);
    ck_assert(json_is_array(get(t, "rules")));
    ck_assert_uint_eq(json_array_size(get(t, "rules")), 0);
    json_decref(root);

    /* Sorted keys, indent 2, a final newline; the control byte escaped. */
    char *text = slurp(path);
    ck_assert_ptr_nonnull(strstr(text, "{\n  \"conftest_version\": \"0.1.0\",\n"));
    ck_assert_ptr_nonnull(strstr(text, "\\u0001"));
    ck_assert_ptr_null(strchr(text, '\x01'));
    ck_assert(strstr(text, "\"conftest_version\"") < strstr(text, "\"interrupted\""));
    ck_assert(strstr(text, "\"interrupted\"") < strstr(text, "\"tests\""));
    ck_assert_int_eq(text[strlen(text) - 1], '\n');
    free(text);
    free_run(r, N_RUN);
}
END_TEST

START_TEST(json_sparse)
{
    struct ct_result r[2] = {{.verdict = CT_VERDICT_PASS}, {.verdict = CT_VERDICT_SKIP}};
    struct ct_run_info bare = {.seed = 7};
    const char *path = tmp_path("sparse.json");
    ck_assert_int_eq(ct_report_json(path, &bare, r, 2, NULL), CT_OK);
    json_t *root = json_load_file(path, 0, NULL);
    ck_assert_ptr_nonnull(root);
    static const char *const absent[] = {"conftest_version", "suite_version", "sut", "sut_config",
                                         "ref_bugs", "started"};
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
        ck_assert_msg(json_object_get(root, absent[i]) == NULL, "has %s", absent[i]);
    ck_assert_int_eq(json_integer_value(get(root, "seed")), 7);
    ck_assert(json_is_number(get(root, "seconds_since_epoch")));
    ck_assert_uint_eq(json_object_size(get(root, "tests")), 1); /* both have no id: "?" */
    json_decref(root);

    ck_assert_int_eq(ct_report_json(path, NULL, NULL, 0, NULL), CT_OK);
    root = json_load_file(path, 0, NULL);
    ck_assert_ptr_nonnull(root);
    ck_assert_uint_eq(json_object_size(get(root, "tests")), 0);
    json_decref(root);
}
END_TEST

/* ---- HTML ---- */

static char *lower(const char *s)
{
    char *l = strdup(s);
    ck_assert_ptr_nonnull(l);
    for (char *p = l; *p != '\0'; p++)
        *p = (char)tolower((unsigned char)*p);
    return l;
}

/* write_html writes the report for r and checks what every HTML report must be. */
static char *write_html(const char *path, const struct ct_run_info *ri, const struct ct_result *r,
                        size_t n, htmlDocPtr *doc)
{
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_report_html(path, ri, r, n, &d), CT_OK);
    char *text = slurp(path);
    char *low = lower(text);
    ck_assert_msg(strstr(low, "<script") == NULL, "a <script> in the report");
    ck_assert_msg(strstr(low, "http://") == NULL, "an http:// reference in the report");
    ck_assert_msg(strstr(low, "https://") == NULL, "an https:// reference in the report");
    ck_assert_msg(strstr(low, "<link") == NULL && strstr(low, "<img") == NULL &&
                      strstr(low, "@import") == NULL && strstr(low, "url(") == NULL,
                  "an external asset in the report");
    ck_assert(strncmp(low, "<!doctype html>", 15) == 0);
    free(low);
    *doc = htmlReadFile(path, "UTF-8", HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    ck_assert_ptr_nonnull(*doc);
    xp_eq(*doc, "count(//script)", "0");
    xp_eq(*doc, "/html/head/title", "conftest certification report");
    return text;
}

START_TEST(html_report)
{
    struct ct_result r[N_RUN];
    ck_assert_int_eq(mkdir(tmp_path("transcripts"), 0700), 0);
    ck_assert_int_eq(mkdir(tmp_path("transcripts/enc.neg.offer-accepted"), 0700), 0);
    fixture(r, tmp_path("transcripts/enc.neg.offer-accepted"));
    htmlDocPtr doc;
    char *text = write_html(tmp_path("report.html"), &info, r, N_RUN, &doc);

    /* The SUT's text is there, as text: escaped in the file, intact once parsed. */
    ck_assert_ptr_nonnull(strstr(text, "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;"));
    ck_assert_ptr_null(strchr(text, '\x01'));
    ck_assert_ptr_null(strchr(text, '\033'));
    ck_assert_ptr_nonnull(strstr(text, "ACME &lt;Sync&gt; &amp; Co"));
    xp_has(doc, "//tr[@id='s-enc.neg.bad-offer']/following-sibling::tr[1]//pre", "actual: " HOSTILE_XML);
    xp_has(doc, "//tr[@id='s-enc.neg.bad-offer']/following-sibling::tr[1]//pre",
           "expected:\n  Status 400\n  Status 406\n");
    xp_has(doc, "//tr[@id='s-enc.neg.bad-offer']/following-sibling::tr[1]//pre",
           "where: step 3 (expect, line 14)");

    /* Header block. */
    xp_eq(doc, "//table[@class='meta']/tr[th='System under test']/td", "ACME <Sync> & Co");
    xp_eq(doc, "//table[@class='meta']/tr[th='SUT configuration']/td", "sut/acme.toml");
    xp_eq(doc, "//table[@class='meta']/tr[th='conftest version']/td", "0.1.0");
    xp_eq(doc, "//table[@class='meta']/tr[th='Scenario suite version']/td", "2024.1");
    xp_eq(doc, "//table[@class='meta']/tr[th='Date']/td", "2024-05-01T12:00:00Z");
    xp_eq(doc, "//table[@class='meta']/tr[th='Seed']/td", "42");
    xp_eq(doc, "//table[@class='meta']/tr[th='Seeded bugs']/td", "nonce-reuse");
    xp_eq(doc, "//table[@class='meta']/tr[th='Wall time']/td", "3.500 s");

    /* Summary: unexpected results only are failures; the skipped one listed with its reason. */
    xp_eq(doc, "//p[contains(@class,'overall')]", "NOT CONFORMANT: 3 failures");
    xp_eq(doc, "count(//table[@class='counts']/tbody/tr)", "6");
    xp_eq(doc, "//table[@class='counts']/tbody/tr[td/span='SKIP']/td[2]", "1");
    xp_has(doc, "//section[@id='summary']/ul[1]/li", "ds.sync.refresh: the SUT does not claim refresh-from-server");
    xp_has(doc, "//section[@id='summary']/ul[2]/li", "ds.sync.two-way: vendor bug 123");

    /* Requirements: naturally sorted, each with its verdict. */
    static const struct {
        const char *rule, *verdict;
    } rules[] = {
        {"DS-PRO 5.3", "FAIL"}, {"DS-PRO 5.4", "NOT TESTED"}, {"DS-PRO 5.5", "KNOWN FAILURE"},
        {"DS-PRO 6.1", "FAIL"}, {"ENC-NEG-6", "FAIL"},        {"ENC-NEG-10", "PASS"},
    };
    xp_eq(doc, "count(//table[@class='rules']/tbody/tr)", "6");
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        char expr[128];
        snprintf(expr, sizeof(expr), "//table[@class='rules']/tbody/tr[%zu]/td[1]", i + 1);
        xp_eq(doc, expr, rules[i].rule);
        snprintf(expr, sizeof(expr), "//table[@class='rules']/tbody/tr[%zu]/td[3]", i + 1);
        xp_eq(doc, expr, rules[i].verdict);
    }
    xp_eq(doc, "normalize-space(//table[@class='rules']/tbody/tr[td[1]='ENC-NEG-6']/td[2])",
          "enc.neg.offer-accepted, enc.neg.bad-offer (fail)");
    xp_eq(doc, "//table[@class='rules']/tbody/tr[td[1]='ENC-NEG-6']/td[2]/a[2]/@href",
          "#s-enc.neg.bad-offer");

    /* Scenarios: one row each, plus a detail row per failure; verdict badges with colour classes. */
    xp_eq(doc, "count(//table[@class='scenarios']/tbody/tr[@id])", "7");
    xp_eq(doc, "count(//table[@class='scenarios']/tbody/tr[@class='detail'])", "3");
    xp_eq(doc, "//tr[@id='s-enc.neg.bad-offer']/td[5]/span/@class", "badge v-fail");
    xp_eq(doc, "//tr[@id='s-ds.sync.map']/td[5]/span", "XPASS");
    xp_eq(doc, "//tr[@id='s-ds.sync.refresh']/td[5]/div", "the SUT does not claim refresh-from-server");
    xp_eq(doc, "//tr[@id='s-enc.neg.bad-offer']/td[2]/text()", "Bad offer refused");
    xp_eq(doc, "//tr[@id='s-enc.neg.bad-offer']/td[3]", "server");
    xp_eq(doc, "normalize-space(//tr[@id='s-enc.neg.bad-offer']/td[4])", "ENC-NEG-6, DS-PRO 5.3");
    xp_eq(doc, "//tr[@id='s-enc.neg.bad-offer']/td[6]", "1.500 s");
    /* Transcript links are relative to the report; a scheme-like path cannot become a URL. */
    xp_eq(doc, "//tr[@id='s-enc.neg.offer-accepted']//a/@href", "transcripts/enc.neg.offer-accepted");
    xp_eq(doc, "//tr[@id='s-ds.sync.slow']//a/@href", "./javascript:alert(1)");
    xp_eq(doc, "count(//tr[@id='s-smoke']//a)", "0");
    xmlFreeDoc(doc);
    free(text);
    free_run(r, N_RUN);
}
END_TEST

START_TEST(html_verdict_line)
{
    struct ct_result r[N_RUN];
    fixture(r, NULL);
    htmlDocPtr doc;
    const char *path = tmp_path("r.html");
    /* pass, skip: conformant over the one applicable scenario. */
    struct ct_result ok[2] = {r[0], r[3]};
    free(write_html(path, &info, ok, 2, &doc));
    xp_eq(doc, "//p[contains(@class,'overall')]", "CONFORMANT: all 1 applicable scenarios passed");
    xp_eq(doc, "//p[contains(@class,'overall')]/@class", "overall ok");
    xmlFreeDoc(doc);
    /* A known failure is not a failure, but it is said. */
    struct ct_result known[3] = {r[0], r[6], r[4]};
    free(write_html(path, &info, known, 3, &doc));
    xp_eq(doc, "//p[contains(@class,'overall')]",
          "CONFORMANT: all 3 applicable scenarios passed or failed as expected (1 known failure)");
    xmlFreeDoc(doc);
    /* One unexpected pass is one failure. */
    struct ct_result xpass[2] = {r[0], r[5]};
    free(write_html(path, &info, xpass, 2, &doc));
    xp_eq(doc, "//p[contains(@class,'overall')]", "NOT CONFORMANT: 1 failure");
    xmlFreeDoc(doc);
    /* Nothing applicable: no verdict either way. */
    free(write_html(path, &info, &r[3], 1, &doc));
    xp_eq(doc, "//p[contains(@class,'overall')]", "NO VERDICT: no applicable scenario was run");
    xp_eq(doc, "//table[@class='rules']/tbody/tr/td[3]", "NOT TESTED");
    xmlFreeDoc(doc);
    /* No run info, no results, no optional fields. */
    free(write_html(path, NULL, NULL, 0, &doc));
    xmlFreeDoc(doc);
    struct ct_result bare[3] = {{.verdict = CT_VERDICT_FAIL}, {.verdict = CT_VERDICT_XPASS},
                                {.verdict = CT_VERDICT_SKIP}};
    free(write_html(path, NULL, bare, 3, &doc));
    xp_eq(doc, "//p[contains(@class,'overall')]", "NOT CONFORMANT: 2 failures");
    xmlFreeDoc(doc);
    free_run(r, N_RUN);
}
END_TEST

/* ---- errors ---- */

START_TEST(write_errors)
{
    struct ct_result r[N_RUN];
    fixture(r, NULL);
    int (*const writers[])(const char *, const struct ct_run_info *, const struct ct_result *,
                           size_t, struct ct_diag *) = {ct_report_junit, ct_report_json,
                                                        ct_report_html};
    for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
        struct ct_diag d = {0};
        ck_assert_int_eq(writers[i]("/nonexistent-ct-dir/report", &info, r, N_RUN, &d), CT_ERR_IO);
        ck_assert_int_eq(d.code, CT_ERR_IO);
        ck_assert_ptr_nonnull(strstr(d.text, "/nonexistent-ct-dir/report"));
        d = (struct ct_diag){0};
        ck_assert_int_eq(writers[i](NULL, &info, r, N_RUN, &d), CT_ERR_INVALID_ARG);
        ck_assert_int_eq(writers[i](tmp_path("x"), &info, NULL, 1, NULL), CT_ERR_INVALID_ARG);
    }
    free_run(r, N_RUN);
}
END_TEST

Suite *suite_report(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, verdict_names);
    tcase_add_test(tc, counts);
    tcase_add_test(tc, cleanup);
    tcase_add_test(tc, clean_text);
    tcase_add_test(tc, clean_bounded);
    tcase_add_test(tc, seconds_format);
    tcase_add_test(tc, console_lines);
    tcase_add_test(tc, console_summary);
    suite_add_tcase(s, tc);
    tc = tcase_create("files");
    tcase_add_checked_fixture(tc, NULL, rm_dir);
    tcase_add_test(tc, junit_valid);
    tcase_add_test(tc, junit_sparse);
    tcase_add_test(tc, json_fields);
    tcase_add_test(tc, json_sparse);
    tcase_add_test(tc, html_report);
    tcase_add_test(tc, html_verdict_line);
    tcase_add_test(tc, write_errors);
    suite_add_tcase(s, tc);
    return s;
}
