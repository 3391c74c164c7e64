/*
 * ct_report_junit: the JUnit XML report, for CI servers. The layout follows junit-10.xsd of the
 * Jenkins xUnit plugin (a copy is tests/data/junit/junit-10.xsd, and the unit tests validate
 * against it): one <testsuite> per scenario area, the id up to its last dot, with the run's
 * <properties> and one <testcase> per scenario.
 *
 * Verdicts map onto what JUnit consumers understand: fail and xpass are <failure> (an xpass is
 * unexpected: the known-failure entry in the SUT config is stale), error is <error>, skip is
 * <skipped>, and xfail is a passing testcase whose <system-out> names the known failure.
 * <testsuites> carries no skipped count: junit-10.xsd does not allow one there, and the
 * per-suite counts have it.
 */
#include "report/ct_report.h"

#include "base/ct_buf.h"
#include "base/ct_err.h"
#include "report/ct_report_int.h"

#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The document being built; any allocation failure sets nomem and later calls do nothing. */
struct jw {
    xmlDocPtr doc;
    bool nomem;
};

/* A result placed in its area, for grouping. */
struct entry {
    const char *area;
    size_t area_len;
    size_t idx;
};

static const char *id_of(const struct ct_result *r)
{
    return r->id != NULL ? r->id : "?";
}

/* The area of an id: up to its last dot; an id without one (or starting with it) is its own. */
static size_t area_len(const char *id)
{
    const char *dot = strrchr(id, '.');
    return dot != NULL && dot != id ? (size_t)(dot - id) : strlen(id);
}

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    size_t n = x->area_len < y->area_len ? x->area_len : y->area_len;
    int c = memcmp(x->area, y->area, n);
    if (c != 0)
        return c;
    if (x->area_len != y->area_len)
        return x->area_len < y->area_len ? -1 : 1;
    /* Within an area, run order. */
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void set_attr(struct jw *w, xmlNodePtr node, const char *name, const char *value)
{
    if (node == NULL || value == NULL)
        return;
    char *clean = ct_report_clean(value, CT_REPORT_CLEAN_XML);
    if (clean == NULL || xmlNewProp(node, BAD_CAST name, BAD_CAST clean) == NULL)
        w->nomem = true;
    free(clean);
}

static void set_count(struct jw *w, xmlNodePtr node, const char *name, size_t value)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%zu", value);
    set_attr(w, node, name, buf);
}

static void set_time(struct jw *w, xmlNodePtr node, double seconds)
{
    char buf[32];
    set_attr(w, node, "time", ct_report_seconds(buf, seconds));
}

/* add_el appends <name>text</name> (text cleaned and escaped; NULL for an empty element). */
static xmlNodePtr add_el(struct jw *w, xmlNodePtr parent, const char *name, const char *text)
{
    if (parent == NULL)
        return NULL;
    char *clean = NULL;
    if (text != NULL && (clean = ct_report_clean(text, CT_REPORT_CLEAN_XML)) == NULL) {
        w->nomem = true;
        return NULL;
    }
    xmlNodePtr n = xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST clean);
    free(clean);
    if (n == NULL)
        w->nomem = true;
    return n;
}

static void add_property(struct jw *w, xmlNodePtr props, const char *name, const char *value)
{
    if (value == NULL)
        return;
    xmlNodePtr p = add_el(w, props, "property", NULL);
    set_attr(w, p, "name", name);
    set_attr(w, p, "value", value);
}

/*
 * add_field appends "label: value" to a failure body; a value of several lines goes below its
 * label, indented, so expected alternatives stay readable.
 */
static int add_field(struct ct_buf *b, const char *label, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return CT_OK;
    int rc = ct_buf_append_str(b, label);
    bool multi = strchr(value, '\n') != NULL;
    if (rc == CT_OK)
        rc = ct_buf_append_str(b, multi ? ":\n  " : ": ");
    for (const char *p = value; rc == CT_OK && *p != '\0'; p++) {
        if (*p == '\n')
            rc = p[1] != '\0' ? ct_buf_append_str(b, "\n  ") : CT_OK;
        else
            rc = ct_buf_append(b, p, 1);
    }
    return rc == CT_OK ? ct_buf_append_str(b, "\n") : rc;
}

/* The body of <failure> and <error>: requirements, where, expected and actual. */
static int failure_body(const struct ct_result *r, struct ct_buf *b)
{
    int rc = CT_OK;
    if (r->rules != NULL && r->n_rules > 0) {
        rc = ct_buf_append_str(b, r->n_rules > 1 ? "requirements: " : "requirement: ");
        for (size_t i = 0; rc == CT_OK && i < r->n_rules; i++) {
            if (i > 0)
                rc = ct_buf_append_str(b, ", ");
            if (rc == CT_OK)
                rc = ct_buf_append_str(b, r->rules[i] != NULL ? r->rules[i] : "?");
        }
        if (rc == CT_OK)
            rc = ct_buf_append_str(b, "\n");
    }
    if (rc == CT_OK && r->verdict == CT_VERDICT_XPASS)
        rc = add_field(b, "known failure", r->reason);
    if (rc == CT_OK)
        rc = add_field(b, "where", r->where);
    if (rc == CT_OK)
        rc = add_field(b, "expected", r->expected);
    if (rc == CT_OK)
        rc = add_field(b, "actual", r->actual);
    return rc;
}

static void add_problem(struct jw *w, xmlNodePtr tc, const struct ct_result *r)
{
    const char *element = r->verdict == CT_VERDICT_ERROR ? "error" : "failure";
    struct ct_buf body;
    ct_buf_init(&body, 0);
    /* The body is plain text: add_el cleans and escapes it like every other value. */
    if (failure_body(r, &body) != CT_OK) {
        w->nomem = true;
        ct_buf_cleanup(&body);
        return;
    }
    xmlNodePtr n = add_el(w, tc, element, body.len > 0 ? (const char *)body.data : "");
    ct_buf_cleanup(&body);

    struct ct_buf msg;
    ct_buf_init(&msg, 0);
    int rc;
    if (r->verdict == CT_VERDICT_XPASS)
        rc = ct_buf_append_str(&msg, "passed, but the SUT config lists it as a known failure");
    else if (r->reason != NULL)
        rc = ct_buf_append_str(&msg, r->reason);
    else
        rc = ct_buf_append_str(&msg, r->verdict == CT_VERDICT_ERROR ? "harness error" : "failed");
    if (rc != CT_OK)
        w->nomem = true;
    else
        set_attr(w, n, "message", (const char *)msg.data);
    ct_buf_cleanup(&msg);
    set_attr(w, n, "type", ct_verdict_name(r->verdict));
}

static void add_testcase(struct jw *w, xmlNodePtr suite, const struct ct_result *r, const char *area)
{
    xmlNodePtr tc = add_el(w, suite, "testcase", NULL);
    set_attr(w, tc, "name", id_of(r));
    set_attr(w, tc, "classname", area);
    set_time(w, tc, r->seconds);

    switch (r->verdict) {
    case CT_VERDICT_FAIL:
    case CT_VERDICT_ERROR:
    case CT_VERDICT_XPASS:
        add_problem(w, tc, r);
        break;
    case CT_VERDICT_SKIP: {
        xmlNodePtr s = add_el(w, tc, "skipped", NULL);
        set_attr(w, s, "message", r->reason != NULL ? r->reason : "not applicable");
        break;
    }
    case CT_VERDICT_PASS:
    case CT_VERDICT_XFAIL:
        break;
    }

    struct ct_buf out;
    ct_buf_init(&out, 0);
    int rc = CT_OK;
    if (r->verdict == CT_VERDICT_XFAIL)
        rc = ct_buf_printf(&out, "expected failure: %s\n",
                           r->reason != NULL ? r->reason : "listed in the SUT config");
    if (rc == CT_OK && r->verdict == CT_VERDICT_XFAIL && r->where != NULL)
        rc = ct_buf_printf(&out, "where: %s\n", r->where);
    if (rc == CT_OK && r->transcript != NULL)
        rc = ct_buf_printf(&out, "transcript: %s\n", r->transcript);
    if (rc != CT_OK)
        w->nomem = true;
    else if (out.len > 0)
        add_el(w, tc, "system-out", (const char *)out.data);
    ct_buf_cleanup(&out);
}

static void add_suite(struct jw *w, xmlNodePtr root, const struct ct_run_info *info,
                      const struct ct_result *r, const struct entry *e, size_t n)
{
    char *area = malloc(e[0].area_len + 1);
    if (area == NULL) {
        w->nomem = true;
        return;
    }
    memcpy(area, e[0].area, e[0].area_len);
    area[e[0].area_len] = '\0';

    size_t failures = 0, errors = 0, skipped = 0;
    double seconds = 0;
    for (size_t i = 0; i < n; i++) {
        const struct ct_result *x = &r[e[i].idx];
        failures += x->verdict == CT_VERDICT_FAIL || x->verdict == CT_VERDICT_XPASS;
        errors += x->verdict == CT_VERDICT_ERROR;
        skipped += x->verdict == CT_VERDICT_SKIP;
        if (x->seconds > 0)
            seconds += x->seconds;
    }

    xmlNodePtr suite = add_el(w, root, "testsuite", NULL);
    set_attr(w, suite, "name", area);
    set_count(w, suite, "tests", n);
    set_count(w, suite, "failures", failures);
    set_count(w, suite, "errors", errors);
    set_count(w, suite, "skipped", skipped);
    set_time(w, suite, seconds);
    set_attr(w, suite, "timestamp", info->started);

    xmlNodePtr props = add_el(w, suite, "properties", NULL);
    char seed[32];
    snprintf(seed, sizeof(seed), "%lu", info->seed);
    add_property(w, props, "conftest_version", info->conftest_version);
    add_property(w, props, "suite_version", info->suite_version);
    add_property(w, props, "sut", info->sut_name);
    add_property(w, props, "sut_config", info->sut_config);
    add_property(w, props, "seed", seed);
    add_property(w, props, "ref_bugs", info->ref_bugs);
    add_property(w, props, "started", info->started);

    for (size_t i = 0; i < n && !w->nomem; i++)
        add_testcase(w, suite, &r[e[i].idx], area);
    free(area);
}

int ct_report_junit(const char *path, const struct ct_run_info *info, const struct ct_result *r,
                    size_t n, struct ct_diag *diag)
{
    static const struct ct_run_info no_info;
    if (path == NULL || (r == NULL && n > 0))
        return ct_diag_set(diag, CT_ERR_INVALID_ARG, "junit report: no path or no results");
    if (info == NULL)
        info = &no_info;

    struct entry *e = NULL;
    if (n > 0 && (e = calloc(n, sizeof(*e))) == NULL)
        return ct_diag_set(diag, CT_ERR_NOMEM, "junit report: out of memory");
    for (size_t i = 0; i < n; i++) {
        e[i].area = id_of(&r[i]);
        e[i].area_len = area_len(e[i].area);
        e[i].idx = i;
    }
    if (n > 1)
        qsort(e, n, sizeof(*e), cmp_entry);

    struct ct_report_counts c;
    ct_report_count(r, n, &c);
    struct jw w = {.doc = xmlNewDoc(BAD_CAST "1.0"), .nomem = false};
    xmlNodePtr root = NULL;
    if (w.doc == NULL || (root = xmlNewDocNode(w.doc, NULL, BAD_CAST "testsuites", NULL)) == NULL) {
        w.nomem = true;
    } else {
        xmlDocSetRootElement(w.doc, root);
        set_attr(&w, root, "name", "conftest");
        set_count(&w, root, "tests", n);
        set_count(&w, root, "failures", c.fail + c.xpass);
        set_count(&w, root, "errors", c.error);
        set_time(&w, root, info->seconds);
    }
    for (size_t i = 0; i < n && !w.nomem;) {
        size_t j = i + 1;
        while (j < n && e[j].area_len == e[i].area_len &&
               memcmp(e[j].area, e[i].area, e[i].area_len) == 0)
            j++;
        add_suite(&w, root, info, r, e + i, j - i);
        i = j;
    }
    free(e);

    xmlChar *mem = NULL;
    int size = 0;
    if (!w.nomem)
        xmlDocDumpFormatMemoryEnc(w.doc, &mem, &size, "UTF-8", 1);
    xmlFreeDoc(w.doc);
    if (w.nomem || mem == NULL || size < 0) {
        xmlFree(mem);
        return ct_diag_set(diag, CT_ERR_NOMEM, "junit report: out of memory building the XML");
    }
    int rc = ct_report_write_file(path, mem, (size_t)size, diag);
    xmlFree(mem);
    return rc;
}
