/*
 * ct_report_html: the certification report, one self-contained HTML5 file a vendor can hand to
 * a partner: the run (SUT, versions, date, seed), the overall verdict, every requirement with
 * its scenarios, and every scenario with its verdict and, for failures, what was expected and
 * what came back.
 *
 * The page is a libxml2 HTML tree serialized by libxml2, never text pasted into markup: result
 * strings (the `actual` text comes from the SUT) only ever become text nodes and attribute
 * values, which the serializer escapes. It has inline CSS and nothing else: no scripts, no
 * fonts, images or style sheets by URL, so it opens offline, in an archive, years later.
 */
#define _DEFAULT_SOURCE /* realpath: glibc declares it only for XSI or the default set */

#include "report/ct_report.h"

#include "base/ct_buf.h"
#include "base/ct_err.h"
#include "report/ct_report_int.h"

#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char stylesheet[] =
    "\n"
    ":root{--pass:#1a7f37;--fail:#cf222e;--error:#8250df;--skip:#6e7781;--xfail:#9a6700;"
    "--xpass:#bc4c00;--line:#d0d7de;--soft:#f6f8fa;--text:#1f2328;--muted:#656d76}\n"
    "*{box-sizing:border-box}\n"
    "body{font:14px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,"
    "sans-serif;color:var(--text);max-width:1180px;margin:2em auto;padding:0 1.5em}\n"
    "h1{font-size:1.7em;margin:0 0 .1em}\n"
    "h2{font-size:1.25em;margin:2em 0 .6em;padding-bottom:.3em;border-bottom:1px solid var(--line)}\n"
    "h3{font-size:1.05em;margin:1.4em 0 .4em}\n"
    ".lead{color:var(--muted);margin:0 0 1.2em}\n"
    "table{border-collapse:collapse;width:100%;margin:.4em 0 1em}\n"
    "th,td{border:1px solid var(--line);padding:.4em .65em;text-align:left;vertical-align:top}\n"
    "thead th,table.meta th{background:var(--soft);font-weight:600}\n"
    "table.meta{width:auto;min-width:28em}\n"
    "table.meta th{width:12em}\n"
    "table.counts{width:auto}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"Liberation Mono\",monospace}\n"
    "code{font-size:.92em;word-break:break-all}\n"
    "pre{font-size:12px;line-height:1.45;background:var(--soft);border:1px solid var(--line);"
    "border-radius:4px;padding:.6em .8em;margin:0;white-space:pre-wrap;word-break:break-word}\n"
    "pre .k{font-weight:700;color:var(--muted)}\n"
    ".badge{display:inline-block;min-width:5.2em;padding:.1em .55em;border-radius:1em;"
    "font-size:.8em;font-weight:700;letter-spacing:.03em;text-align:center;color:#fff;"
    "white-space:nowrap}\n"
    ".v-pass{background:var(--pass)}.v-fail{background:var(--fail)}"
    ".v-error{background:var(--error)}.v-skip{background:var(--skip)}"
    ".v-xfail{background:var(--xfail)}.v-xpass{background:var(--xpass)}\n"
    ".overall{font-size:1.15em;font-weight:700;padding:.7em 1em;border:2px solid;border-radius:6px;"
    "margin:.4em 0 1em}\n"
    ".overall.ok{color:var(--pass);border-color:var(--pass);background:#dafbe1}\n"
    ".overall.nok{color:var(--fail);border-color:var(--fail);background:#ffebe9}\n"
    ".overall.none{color:var(--muted);border-color:var(--line);background:var(--soft)}\n"
    ".muted,.reason{color:var(--muted)}\n"
    ".reason{font-size:.88em;margin-top:.25em}\n"
    ".small{font-size:.85em}\n"
    "tr.problem>td{background:#fff8f7}\n"
    "tr.detail>td{background:#fff8f7;border-top:0}\n"
    "ul.list{margin:.3em 0 1em;padding-left:1.4em}\n"
    "footer{margin-top:3em;padding-top:.6em;border-top:1px solid var(--line);color:var(--muted);"
    "font-size:.85em}\n"
    "@media print{body{max-width:none;margin:0;padding:0;font-size:11px}"
    "h2{break-after:avoid}tr,pre{break-inside:avoid}"
    ".badge,.overall,tr.problem>td,tr.detail>td{-webkit-print-color-adjust:exact;"
    "print-color-adjust:exact}a{color:inherit}}\n";

/* The document being built; any allocation failure sets nomem and later calls do nothing. */
struct hw {
    xmlDocPtr doc;
    bool nomem;
};

/* add_text appends s (cleaned: no control characters, valid UTF-8) as a text node. */
static void add_text(struct hw *w, xmlNodePtr parent, const char *s)
{
    if (parent == NULL || s == NULL)
        return;
    char *clean = ct_report_clean(s, CT_REPORT_CLEAN_XML);
    xmlNodePtr t = clean != NULL ? xmlNewDocText(w->doc, BAD_CAST clean) : NULL;
    free(clean);
    if (t == NULL || xmlAddChild(parent, t) == NULL) {
        xmlFreeNode(t);
        w->nomem = true;
    }
}

static void set_attr(struct hw *w, xmlNodePtr node, const char *name, const char *value)
{
    if (node == NULL || value == NULL)
        return;
    char *clean = ct_report_clean(value, CT_REPORT_CLEAN_XML);
    if (clean == NULL || xmlNewProp(node, BAD_CAST name, BAD_CAST clean) == NULL)
        w->nomem = true;
    free(clean);
}

/* el appends <name class=cls>text</name>; cls and text may be NULL. */
static xmlNodePtr el(struct hw *w, xmlNodePtr parent, const char *name, const char *cls,
                     const char *text)
{
    if (parent == NULL)
        return NULL;
    xmlNodePtr n = xmlNewChild(parent, NULL, BAD_CAST name, NULL);
    if (n == NULL) {
        w->nomem = true;
        return NULL;
    }
    set_attr(w, n, "class", cls);
    add_text(w, n, text);
    return n;
}

static xmlNodePtr badge(struct hw *w, xmlNodePtr parent, enum ct_verdict v)
{
    char cls[32];
    snprintf(cls, sizeof(cls), "badge v-%s", ct_verdict_name(v));
    return el(w, parent, "span", cls, ct_report_verdict_tag(v));
}

/* The fragment id of a scenario's row ("s-<id>"), or with link set the href to it ("#s-<id>").
 * Ids are dotted names, but anything else is mapped to '_' so that the id stays one token. */
static void anchor_of(const char *id, bool link, char *buf, size_t size)
{
    size_t o = 0;
    for (const char *p = link ? "#s-" : "s-"; *p != '\0' && o + 1 < size; p++)
        buf[o++] = *p;
    for (const unsigned char *p = (const unsigned char *)id; *p != '\0' && o + 1 < size; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                  *p == '.' || *p == '-' || *p == '_';
        buf[o++] = ok ? (char)*p : '_';
    }
    buf[o] = '\0';
}

/* scenario_link appends <a href="#s-id"><code>id</code></a>. */
static void scenario_link(struct hw *w, xmlNodePtr parent, const char *id)
{
    char href[160];
    anchor_of(id, true, href, sizeof(href));
    xmlNodePtr a = el(w, parent, "a", NULL, NULL);
    set_attr(w, a, "href", href);
    el(w, a, "code", NULL, id);
}

static const char *id_of(const struct ct_result *r)
{
    return r->id != NULL ? r->id : "?";
}

/* ---- transcript links ---- */

/* relative_to returns target relative to the directory base; both are canonical absolute paths
 * (realpath), so components can be compared as text. */
static char *relative_to(const char *base, const char *target)
{
    size_t i = 0;
    while (base[i] != '\0' && base[i] == target[i])
        i++;
    /* Back to the end of the last whole component both share. */
    size_t common = i;
    if (!((base[i] == '\0' || base[i] == '/') && (target[i] == '\0' || target[i] == '/')))
        while (common > 0 && base[common - 1] != '/')
            common--;
    size_t ups = 0;
    for (size_t k = common; base[k] != '\0'; k++)
        if (base[k] != '/' && (k == common || base[k - 1] == '/'))
            ups++;
    const char *rest = target + common;
    while (*rest == '/')
        rest++;
    char *out = malloc(ups * 3 + strlen(rest) + 2);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (size_t k = 0; k < ups; k++) {
        memcpy(out + o, "../", 3);
        o += 3;
    }
    strcpy(out + o, rest[0] != '\0' || ups > 0 ? rest : ".");
    return out;
}

/*
 * transcript_href makes the link to a transcript relative to the report's directory, so the
 * report and its transcripts can be moved or archived together. Both paths are resolved when
 * they exist; otherwise a transcript under the report's directory as written is still made
 * relative, and anything else is linked as given. A value that would read as a URL scheme
 * ("x:...") is prefixed with "./" so that it stays a path.
 */
static char *transcript_href(const char *report, const char *transcript)
{
    char *href = NULL;
    const char *slash = strrchr(report, '/');
    char *dir = NULL;
    if (slash == NULL)
        dir = strdup(".");
    else if (slash == report)
        dir = strdup("/");
    else if ((dir = malloc((size_t)(slash - report) + 1)) != NULL) {
        memcpy(dir, report, (size_t)(slash - report));
        dir[slash - report] = '\0';
    }
    if (dir == NULL)
        return NULL;
    char *rdir = realpath(dir, NULL);
    char *rtr = realpath(transcript, NULL);
    if (rdir != NULL && rtr != NULL) {
        href = relative_to(rdir, rtr);
    } else {
        size_t dlen = slash != NULL ? (size_t)(slash - report) + 1 : 0;
        const char *t = transcript;
        if (dlen > 0 && strncmp(transcript, report, dlen) == 0 && transcript[dlen] != '\0')
            t = transcript + dlen;
        href = strdup(t);
    }
    free(rdir);
    free(rtr);
    free(dir);
    if (href == NULL)
        return NULL;
    const char *colon = strchr(href, ':');
    const char *first_slash = strchr(href, '/');
    if (colon != NULL && (first_slash == NULL || colon < first_slash)) {
        char *safe = malloc(strlen(href) + 3);
        if (safe != NULL) {
            strcpy(safe, "./");
            strcat(safe, href);
        }
        free(href);
        href = safe;
    }
    return href;
}

/* ---- the header block ---- */

static void meta_row(struct hw *w, xmlNodePtr table, const char *label, const char *value,
                     bool code)
{
    xmlNodePtr tr = el(w, table, "tr", NULL, NULL);
    el(w, tr, "th", NULL, label);
    xmlNodePtr td = el(w, tr, "td", NULL, NULL);
    if (code)
        el(w, td, "code", NULL, value);
    else
        add_text(w, td, value);
}

static void add_header(struct hw *w, xmlNodePtr body, const struct ct_run_info *info)
{
    xmlNodePtr header = el(w, body, "header", NULL, NULL);
    el(w, header, "h1", NULL, "conftest certification report");
    el(w, header, "p", "lead", "SyncML DS 1.2 conformance, as judged by conftest.");
    xmlNodePtr t = el(w, header, "table", "meta", NULL);
    char buf[64];
    meta_row(w, t, "System under test", info->sut_name != NULL ? info->sut_name : "-", false);
    if (info->sut_config != NULL)
        meta_row(w, t, "SUT configuration", info->sut_config, true);
    else
        meta_row(w, t, "SUT configuration", "none (builtin reference)", false);
    meta_row(w, t, "conftest version", info->conftest_version != NULL ? info->conftest_version : "-",
             false);
    meta_row(w, t, "Scenario suite version", info->suite_version != NULL ? info->suite_version : "-",
             false);
    meta_row(w, t, "Date", info->started != NULL ? info->started : "-", false);
    snprintf(buf, sizeof(buf), "%lu", info->seed);
    meta_row(w, t, "Seed", buf, true);
    meta_row(w, t, "Seeded bugs", info->ref_bugs != NULL ? info->ref_bugs : "none", false);
    ct_report_seconds(buf, info->seconds);
    strcat(buf, " s");
    meta_row(w, t, "Wall time", buf, false);
}

/* ---- the summary ---- */

static void count_row(struct hw *w, xmlNodePtr table, enum ct_verdict v, size_t count,
                      const char *meaning)
{
    xmlNodePtr tr = el(w, table, "tr", NULL, NULL);
    badge(w, el(w, tr, "td", NULL, NULL), v);
    char buf[32];
    snprintf(buf, sizeof(buf), "%zu", count);
    el(w, tr, "td", "num", buf);
    el(w, tr, "td", NULL, meaning);
}

/* A list of scenarios of one verdict with their reasons: the not applicable, the known failures. */
static void reason_list(struct hw *w, xmlNodePtr parent, const struct ct_result *r, size_t n,
                        enum ct_verdict v, const char *heading, const char *intro)
{
    el(w, parent, "h3", NULL, heading);
    el(w, parent, "p", "muted", intro);
    xmlNodePtr ul = el(w, parent, "ul", "list", NULL);
    for (size_t i = 0; i < n; i++) {
        if (r[i].verdict != v)
            continue;
        xmlNodePtr li = el(w, ul, "li", NULL, NULL);
        scenario_link(w, li, id_of(&r[i]));
        add_text(w, li, ": ");
        add_text(w, li, r[i].reason != NULL ? r[i].reason : "no reason given");
    }
}

static void add_summary(struct hw *w, xmlNodePtr content, const struct ct_result *r, size_t n)
{
    struct ct_report_counts c;
    ct_report_count(r, n, &c);
    size_t failures = c.fail + c.error + c.xpass;
    size_t applicable = n - c.skip;

    xmlNodePtr sec = el(w, content, "section", NULL, NULL);
    set_attr(w, sec, "id", "summary");
    el(w, sec, "h2", NULL, "Summary");

    char line[200];
    const char *cls;
    if (failures > 0) {
        snprintf(line, sizeof(line), "NOT CONFORMANT: %zu failure%s", failures,
                 failures == 1 ? "" : "s");
        cls = "overall nok";
    } else if (applicable == 0) {
        snprintf(line, sizeof(line), "NO VERDICT: no applicable scenario was run");
        cls = "overall none";
    } else if (c.xfail > 0) {
        snprintf(line, sizeof(line),
                 "CONFORMANT: all %zu applicable scenarios passed or failed as expected "
                 "(%zu known failure%s)", applicable, c.xfail, c.xfail == 1 ? "" : "s");
        cls = "overall ok";
    } else {
        snprintf(line, sizeof(line), "CONFORMANT: all %zu applicable scenarios passed", applicable);
        cls = "overall ok";
    }
    el(w, sec, "p", cls, line);

    snprintf(line, sizeof(line), "%zu scenario%s in the run, %zu applicable to this SUT.", n,
             n == 1 ? "" : "s", applicable);
    el(w, sec, "p", NULL, line);

    xmlNodePtr t = el(w, sec, "table", "counts", NULL);
    xmlNodePtr tr = el(w, el(w, t, "thead", NULL, NULL), "tr", NULL, NULL);
    el(w, tr, "th", NULL, "Verdict");
    el(w, tr, "th", NULL, "Scenarios");
    el(w, tr, "th", NULL, "Meaning");
    xmlNodePtr tb = el(w, t, "tbody", NULL, NULL);
    count_row(w, tb, CT_VERDICT_PASS, c.pass, "every step as the scenario allows");
    count_row(w, tb, CT_VERDICT_FAIL, c.fail, "the SUT did something the scenario does not allow");
    count_row(w, tb, CT_VERDICT_ERROR, c.error, "the harness could not judge the scenario");
    count_row(w, tb, CT_VERDICT_SKIP, c.skip, "not applicable to this SUT, or disabled");
    count_row(w, tb, CT_VERDICT_XFAIL, c.xfail, "failed, and listed as a known failure in the SUT config");
    count_row(w, tb, CT_VERDICT_XPASS, c.xpass, "passed, although listed as a known failure");

    if (c.skip > 0)
        reason_list(w, sec, r, n, CT_VERDICT_SKIP, "Not applicable",
                    "These scenarios were skipped and do not count towards the verdict.");
    if (c.xfail > 0)
        reason_list(w, sec, r, n, CT_VERDICT_XFAIL, "Known failures",
                    "These scenarios failed as the SUT configuration declares.");
}

/* ---- the requirements ---- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Natural order, so that ENC-NEG-9 comes before ENC-NEG-10; ties fall back to bytes. */
static int natural_cmp(const char *a, const char *b)
{
    const char *x = a, *y = b;
    while (*x != '\0' && *y != '\0') {
        if (is_digit(*x) && is_digit(*y)) {
            while (*x == '0' && is_digit(x[1]))
                x++;
            while (*y == '0' && is_digit(y[1]))
                y++;
            size_t nx = 0, ny = 0;
            while (is_digit(x[nx]))
                nx++;
            while (is_digit(y[ny]))
                ny++;
            if (nx != ny)
                return nx < ny ? -1 : 1;
            int c = memcmp(x, y, nx);
            if (c != 0)
                return c;
            x += nx;
            y += ny;
        } else if (*x != *y) {
            return (unsigned char)*x < (unsigned char)*y ? -1 : 1;
        } else {
            x++;
            y++;
        }
    }
    if (*x != *y)
        return (unsigned char)*x < (unsigned char)*y ? -1 : 1;
    return strcmp(a, b);
}

static int cmp_rule(const void *a, const void *b)
{
    return natural_cmp(*(const char *const *)a, *(const char *const *)b);
}

static bool has_rule(const struct ct_result *r, const char *rule)
{
    for (size_t i = 0; r->rules != NULL && i < r->n_rules; i++)
        if (r->rules[i] != NULL && strcmp(r->rules[i], rule) == 0)
            return true;
    return false;
}

static void rule_row(struct hw *w, xmlNodePtr tb, const char *rule, const struct ct_result *r,
                     size_t n)
{
    bool failed = false, known = false, passed = false;
    xmlNodePtr tr = el(w, tb, "tr", NULL, NULL);
    el(w, el(w, tr, "td", NULL, NULL), "code", NULL, rule);
    xmlNodePtr td = el(w, tr, "td", NULL, NULL);
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (!has_rule(&r[i], rule))
            continue;
        enum ct_verdict v = r[i].verdict;
        failed |= ct_report_is_failure(v);
        known |= v == CT_VERDICT_XFAIL;
        passed |= v == CT_VERDICT_PASS;
        if (!first)
            add_text(w, td, ", ");
        first = false;
        scenario_link(w, td, id_of(&r[i]));
        if (v != CT_VERDICT_PASS) {
            add_text(w, td, " (");
            add_text(w, td, ct_verdict_name(v));
            add_text(w, td, ")");
        }
    }
    /* A known failure is not a pass: a requirement the SUT is known to break is shown so. */
    const char *cls, *label;
    if (failed) {
        cls = "badge v-fail";
        label = "FAIL";
    } else if (known) {
        cls = "badge v-xfail";
        label = "KNOWN FAILURE";
    } else if (passed) {
        cls = "badge v-pass";
        label = "PASS";
    } else {
        cls = "badge v-skip";
        label = "NOT TESTED";
    }
    el(w, el(w, tr, "td", NULL, NULL), "span", cls, label);
}

static void add_requirements(struct hw *w, xmlNodePtr content, const struct ct_result *r, size_t n)
{
    xmlNodePtr sec = el(w, content, "section", NULL, NULL);
    set_attr(w, sec, "id", "requirements");
    el(w, sec, "h2", NULL, "Requirements");

    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += r[i].rules != NULL ? r[i].n_rules : 0;
    const char **rules = total > 0 ? calloc(total, sizeof(*rules)) : NULL;
    if (total > 0 && rules == NULL) {
        w->nomem = true;
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; r[i].rules != NULL && j < r[i].n_rules; j++)
            if (r[i].rules[j] != NULL)
                rules[k++] = r[i].rules[j];
    if (k > 1)
        qsort(rules, k, sizeof(*rules), cmp_rule);

    if (k == 0) {
        el(w, sec, "p", "muted", "No scenario in this run names a requirement.");
    } else {
        el(w, sec, "p", "muted",
           "A requirement fails when any of its scenarios failed, errored or passed unexpectedly; "
           "it is not tested when all of its scenarios were not applicable.");
        xmlNodePtr t = el(w, sec, "table", "rules", NULL);
        xmlNodePtr tr = el(w, el(w, t, "thead", NULL, NULL), "tr", NULL, NULL);
        el(w, tr, "th", NULL, "Requirement");
        el(w, tr, "th", NULL, "Scenarios");
        el(w, tr, "th", NULL, "Verdict");
        xmlNodePtr tb = el(w, t, "tbody", NULL, NULL);
        for (size_t i = 0; i < k && !w->nomem; i++) {
            if (i > 0 && strcmp(rules[i], rules[i - 1]) == 0)
                continue;
            rule_row(w, tb, rules[i], r, n);
        }
    }
    free(rules);
}

/* ---- the scenarios ---- */

/* detail_line appends a labelled value to the <pre> of a failure: "where: step 3" on one
 * line, or a value of several lines below its label, indented (expected alternatives). */
static void detail_line(struct hw *w, xmlNodePtr pre, const char *label, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return;
    if (pre->children != NULL)
        add_text(w, pre, "\n");
    el(w, pre, "span", "k", label);
    if (strchr(value, '\n') == NULL) {
        add_text(w, pre, " ");
        add_text(w, pre, value);
        return;
    }
    struct ct_buf b;
    ct_buf_init(&b, 0);
    int rc = CT_OK;
    for (const char *p = value; rc == CT_OK && *p != '\0'; p++) {
        if (p == value || p[-1] == '\n')
            rc = ct_buf_append_str(&b, "\n  ");
        if (rc == CT_OK && *p != '\n')
            rc = ct_buf_append(&b, p, 1);
    }
    /* Plain text, cleaned and escaped by add_text like any other value. */
    if (rc != CT_OK)
        w->nomem = true;
    else
        add_text(w, pre, (const char *)b.data);
    ct_buf_cleanup(&b);
}

static void scenario_rows(struct hw *w, xmlNodePtr tb, const struct ct_result *r,
                          const char *path)
{
    bool problem = ct_report_is_failure(r->verdict);
    xmlNodePtr tr = el(w, tb, "tr", problem ? "problem" : NULL, NULL);
    char anchor[160];
    anchor_of(id_of(r), false, anchor, sizeof(anchor));
    set_attr(w, tr, "id", anchor);

    xmlNodePtr td = el(w, tr, "td", NULL, NULL);
    el(w, td, "code", NULL, id_of(r));
    if (r->transcript != NULL) {
        char *href = transcript_href(path, r->transcript);
        if (href == NULL) {
            w->nomem = true;
        } else {
            xmlNodePtr div = el(w, td, "div", "small", NULL);
            xmlNodePtr a = el(w, div, "a", NULL, "transcript");
            set_attr(w, a, "href", href);
            free(href);
        }
    }

    td = el(w, tr, "td", NULL, r->title != NULL ? r->title : "");
    if (r->file != NULL)
        el(w, el(w, td, "div", "small muted", NULL), "code", NULL, r->file);
    el(w, tr, "td", NULL, r->role != NULL ? r->role : "-");

    td = el(w, tr, "td", NULL, NULL);
    for (size_t i = 0; r->rules != NULL && i < r->n_rules; i++) {
        if (r->rules[i] == NULL)
            continue;
        if (td != NULL && td->children != NULL)
            add_text(w, td, ", ");
        el(w, td, "code", NULL, r->rules[i]);
    }

    td = el(w, tr, "td", NULL, NULL);
    badge(w, td, r->verdict);
    if (!problem && r->reason != NULL && r->verdict != CT_VERDICT_PASS)
        el(w, td, "div", "reason", r->reason);

    char buf[40];
    ct_report_seconds(buf, r->seconds);
    strcat(buf, " s");
    el(w, tr, "td", "num", buf);

    if (!problem)
        return;
    xmlNodePtr detail = el(w, tb, "tr", "detail", NULL);
    td = el(w, detail, "td", NULL, NULL);
    set_attr(w, td, "colspan", "6");
    xmlNodePtr pre = el(w, td, "pre", NULL, NULL);
    if (pre == NULL)
        return;
    detail_line(w, pre, r->verdict == CT_VERDICT_XPASS ? "known failure:" : "reason:", r->reason);
    if (r->verdict == CT_VERDICT_XPASS)
        detail_line(w, pre, "verdict:", "passed, although the SUT config lists it as a known failure");
    detail_line(w, pre, "where:", r->where);
    detail_line(w, pre, "expected:", r->expected);
    detail_line(w, pre, "actual:", r->actual);
    if (pre->children == NULL)
        add_text(w, pre, "no detail recorded");
}

static void add_scenarios(struct hw *w, xmlNodePtr content, const struct ct_result *r, size_t n,
                          const char *path)
{
    xmlNodePtr sec = el(w, content, "section", NULL, NULL);
    set_attr(w, sec, "id", "scenarios");
    el(w, sec, "h2", NULL, "Scenarios");
    if (n == 0) {
        el(w, sec, "p", "muted", "No scenario was run.");
        return;
    }
    xmlNodePtr t = el(w, sec, "table", "scenarios", NULL);
    xmlNodePtr tr = el(w, el(w, t, "thead", NULL, NULL), "tr", NULL, NULL);
    static const char *const heads[] = {"Scenario", "Title", "Role", "Requirements", "Verdict",
                                        "Time"};
    for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
        el(w, tr, "th", NULL, heads[i]);
    xmlNodePtr tb = el(w, t, "tbody", NULL, NULL);
    for (size_t i = 0; i < n && !w->nomem; i++)
        scenario_rows(w, tb, &r[i], path);
}

int ct_report_html(const char *path, const struct ct_run_info *info, const struct ct_result *r,
                   size_t n, struct ct_diag *diag)
{
    static const struct ct_run_info no_info;
    if (path == NULL || (r == NULL && n > 0))
        return ct_diag_set(diag, CT_ERR_INVALID_ARG, "html report: no path or no results");
    if (info == NULL)
        info = &no_info;

    /* htmlNewDoc(NULL, NULL) would declare HTML 4.0 Transitional with a DTD URL; an empty
     * internal subset named html serializes as the HTML5 <!DOCTYPE html>. */
    struct hw w = {.doc = htmlNewDocNoDtD(NULL, NULL), .nomem = false};
    xmlNodePtr html = NULL;
    if (w.doc == NULL || xmlCreateIntSubset(w.doc, BAD_CAST "html", NULL, NULL) == NULL ||
        (html = xmlNewDocNode(w.doc, NULL, BAD_CAST "html", NULL)) == NULL) {
        w.nomem = true;
    } else {
        xmlDocSetRootElement(w.doc, html);
        set_attr(&w, html, "lang", "en");
        xmlNodePtr head = el(&w, html, "head", NULL, NULL);
        set_attr(&w, el(&w, head, "meta", NULL, NULL), "charset", "utf-8");
        xmlNodePtr vp = el(&w, head, "meta", NULL, NULL);
        set_attr(&w, vp, "name", "viewport");
        set_attr(&w, vp, "content", "width=device-width, initial-scale=1");
        xmlNodePtr gen = el(&w, head, "meta", NULL, NULL);
        set_attr(&w, gen, "name", "generator");
        set_attr(&w, gen, "content", "conftest");
        el(&w, head, "title", NULL, "conftest certification report");
        el(&w, head, "style", NULL, stylesheet);

        xmlNodePtr body = el(&w, html, "body", NULL, NULL);
        add_header(&w, body, info);
        xmlNodePtr content = el(&w, body, "main", NULL, NULL);
        add_summary(&w, content, r, n);
        add_requirements(&w, content, r, n);
        add_scenarios(&w, content, r, n, path);
        xmlNodePtr footer = el(&w, body, "footer", NULL, NULL);
        add_text(&w, footer, "Generated by conftest ");
        add_text(&w, footer, info->conftest_version != NULL ? info->conftest_version : "");
        if (info->started != NULL) {
            add_text(&w, footer, " for the run started ");
            add_text(&w, footer, info->started);
        }
        add_text(&w, footer, ". Verdicts are those of the scenario suite ");
        add_text(&w, footer, info->suite_version != NULL ? info->suite_version : "");
        add_text(&w, footer, " against the system under test named above.");
    }

    xmlChar *mem = NULL;
    int size = 0;
    if (!w.nomem)
        htmlDocDumpMemoryFormat(w.doc, &mem, &size, 1);
    xmlFreeDoc(w.doc);
    if (w.nomem || mem == NULL || size < 0) {
        xmlFree(mem);
        return ct_diag_set(diag, CT_ERR_NOMEM, "html report: out of memory building the HTML");
    }
    int rc = ct_report_write_file(path, mem, (size_t)size, diag);
    xmlFree(mem);
    return rc;
}
