/*
 * ct_report_json: the JSON report, modelled on Chromium's JSON Test Results format (version 3)
 * so that dashboards which read that format read conftest's too, with conftest's own fields
 * (verdict, rules, where, expected and actual behaviour) beside the standard ones. "tests" is
 * flat, keyed by scenario id, rather than Chromium's trie by path component.
 *
 * Keys are sorted and the indent is 2, so two runs of the same results give the same bytes and
 * reports diff well. Keys whose value is NULL are left out.
 */
#include "report/ct_report.h"

#include "base/ct_err.h"
#include "report/ct_report_int.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Any allocation failure sets nomem; the build goes on harmlessly and the writer fails. */
struct jb {
    bool nomem;
};

static void put(struct jb *b, json_t *obj, const char *key, json_t *value)
{
    /* json_object_set_new takes value's reference even when it fails, and accepts NULL. */
    if (value == NULL || json_object_set_new(obj, key, value) != 0)
        b->nomem = true;
}

/* put_str sets key to s, repaired to valid UTF-8 (jansson refuses anything else), if s is set. */
static void put_str(struct jb *b, json_t *obj, const char *key, const char *s)
{
    if (s == NULL)
        return;
    char *clean = ct_report_clean(s, CT_REPORT_CLEAN_UTF8);
    if (clean == NULL) {
        b->nomem = true;
        return;
    }
    put(b, obj, key, json_string(clean));
    free(clean);
}

/* Seconds rounded to milliseconds: sub-millisecond digits are noise and break diffs. */
static double seconds_ms(double s)
{
    if (!(s > 0))
        return 0;
    if (s > 1e12)
        s = 1e12;
    return (double)(unsigned long long)(s * 1000.0 + 0.5) / 1000.0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), so the
 * epoch time of `started` needs neither timegm nor the TZ environment. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* The run's start as seconds since the epoch: from info->started (ISO 8601 UTC) when it
 * parses, so the report is a function of its inputs, else the current time. */
static double epoch_of(const char *started)
{
    int y, mo, d, h, mi, s;
    if (started != NULL &&
        sscanf(started, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) == 6 &&
        mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 &&
        s >= 0 && s <= 60)
        return (double)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400LL + h * 3600LL +
                        mi * 60LL + s);
    return (double)time(NULL);
}

/* Chromium's "expected" and "actual" result types for a verdict. */
static const char *expected_type(enum ct_verdict v)
{
    switch (v) {
    case CT_VERDICT_SKIP: return "SKIP";
    case CT_VERDICT_XFAIL:
    case CT_VERDICT_XPASS: return "FAIL";
    case CT_VERDICT_PASS:
    case CT_VERDICT_FAIL:
    case CT_VERDICT_ERROR: break;
    }
    return "PASS";
}

static const char *actual_type(enum ct_verdict v)
{
    switch (v) {
    case CT_VERDICT_PASS:
    case CT_VERDICT_XPASS: return "PASS";
    case CT_VERDICT_FAIL:
    case CT_VERDICT_XFAIL: return "FAIL";
    case CT_VERDICT_ERROR: return "ERROR";
    case CT_VERDICT_SKIP: return "SKIP";
    }
    return "FAIL";
}

static json_t *test_entry(struct jb *b, const struct ct_result *r)
{
    json_t *t = json_object();
    if (t == NULL) {
        b->nomem = true;
        return NULL;
    }
    put_str(b, t, "expected", expected_type(r->verdict));
    put_str(b, t, "actual", actual_type(r->verdict));
    put(b, t, "is_unexpected", json_boolean(!ct_verdict_expected(r->verdict)));
    put_str(b, t, "verdict", ct_verdict_name(r->verdict));
    put_str(b, t, "title", r->title);
    put_str(b, t, "file", r->file);
    put_str(b, t, "role", r->role);
    json_t *rules = json_array();
    for (size_t i = 0; rules != NULL && r->rules != NULL && i < r->n_rules; i++) {
        if (r->rules[i] == NULL)
            continue;
        char *clean = ct_report_clean(r->rules[i], CT_REPORT_CLEAN_UTF8);
        if (clean == NULL || json_array_append_new(rules, json_string(clean)) != 0)
            b->nomem = true;
        free(clean);
    }
    put(b, t, "rules", rules);
    put_str(b, t, "reason", r->reason);
    put_str(b, t, "where", r->where);
    put_str(b, t, "expected_behaviour", r->expected);
    put_str(b, t, "actual_behaviour", r->actual);
    put(b, t, "time", json_real(seconds_ms(r->seconds)));
    put_str(b, t, "transcript", r->transcript);
    return t;
}

static json_t *build(struct jb *b, const struct ct_run_info *info, const struct ct_result *r,
                     size_t n)
{
    json_t *root = json_object();
    if (root == NULL) {
        b->nomem = true;
        return NULL;
    }
    put(b, root, "version", json_integer(3));
    put(b, root, "interrupted", json_false());
    put(b, root, "seconds_since_epoch", json_real(epoch_of(info->started)));
    put_str(b, root, "conftest_version", info->conftest_version);
    put_str(b, root, "suite_version", info->suite_version);
    put_str(b, root, "sut", info->sut_name);
    put_str(b, root, "sut_config", info->sut_config);
    put_str(b, root, "ref_bugs", info->ref_bugs);
    put_str(b, root, "started", info->started);
    put(b, root, "seconds", json_real(seconds_ms(info->seconds)));
    /* json_int_t is signed: a seed past its range is written as a string rather than wrapped. */
    if (info->seed <= (unsigned long)LLONG_MAX) {
        put(b, root, "seed", json_integer((json_int_t)info->seed));
    } else {
        char seed[32];
        snprintf(seed, sizeof(seed), "%lu", info->seed);
        put_str(b, root, "seed", seed);
    }

    struct ct_report_counts c;
    ct_report_count(r, n, &c);
    json_t *by_type = json_object();
    put(b, by_type, "PASS", json_integer((json_int_t)c.pass));
    put(b, by_type, "FAIL", json_integer((json_int_t)c.fail));
    put(b, by_type, "ERROR", json_integer((json_int_t)c.error));
    put(b, by_type, "SKIP", json_integer((json_int_t)c.skip));
    put(b, by_type, "XFAIL", json_integer((json_int_t)c.xfail));
    put(b, by_type, "XPASS", json_integer((json_int_t)c.xpass));
    put(b, root, "num_failures_by_type", by_type);

    json_t *tests = json_object();
    for (size_t i = 0; tests != NULL && i < n && !b->nomem; i++) {
        char *key = ct_report_clean(r[i].id != NULL ? r[i].id : "?", CT_REPORT_CLEAN_UTF8);
        if (key == NULL) {
            b->nomem = true;
            break;
        }
        put(b, tests, key, test_entry(b, &r[i]));
        free(key);
    }
    put(b, root, "tests", tests);
    return root;
}

int ct_report_json(const char *path, const struct ct_run_info *info, const struct ct_result *r,
                   size_t n, struct ct_diag *diag)
{
    static const struct ct_run_info no_info;
    if (path == NULL || (r == NULL && n > 0))
        return ct_diag_set(diag, CT_ERR_INVALID_ARG, "json report: no path or no results");
    if (info == NULL)
        info = &no_info;

    struct jb b = {.nomem = false};
    json_t *root = build(&b, info, r, n);
    char *text = NULL;
    if (!b.nomem)
        text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(12));
    json_decref(root);
    if (text == NULL)
        return ct_diag_set(diag, CT_ERR_NOMEM, "json report: out of memory building the JSON");

    /* A final newline, as text tools expect. */
    size_t len = strlen(text);
    char *full = realloc(text, len + 2);
    if (full == NULL) {
        free(text);
        return ct_diag_set(diag, CT_ERR_NOMEM, "json report: out of memory");
    }
    full[len] = '\n';
    full[len + 1] = '\0';
    int rc = ct_report_write_file(path, full, len + 1, diag);
    free(full);
    return rc;
}
