/*
 * ct_report: verdicts, counts, console lines, and the text helpers every report writer shares
 * (ct_report_int.h). The file writers are in ct_report_junit.c, ct_report_json.c and
 * ct_report_html.c.
 */
#include "report/ct_report.h"

#include "base/ct_err.h"
#include "report/ct_report_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- verdicts and counts ---- */

const char *ct_verdict_name(enum ct_verdict v)
{
    switch (v) {
    case CT_VERDICT_PASS: return "pass";
    case CT_VERDICT_FAIL: return "fail";
    case CT_VERDICT_ERROR: return "error";
    case CT_VERDICT_SKIP: return "skip";
    case CT_VERDICT_XFAIL: return "xfail";
    case CT_VERDICT_XPASS: return "xpass";
    }
    return "?";
}

const char *ct_report_verdict_tag(enum ct_verdict v)
{
    switch (v) {
    case CT_VERDICT_PASS: return "PASS";
    case CT_VERDICT_FAIL: return "FAIL";
    case CT_VERDICT_ERROR: return "ERROR";
    case CT_VERDICT_SKIP: return "SKIP";
    case CT_VERDICT_XFAIL: return "XFAIL";
    case CT_VERDICT_XPASS: return "XPASS";
    }
    return "?";
}

bool ct_verdict_expected(enum ct_verdict v)
{
    return v == CT_VERDICT_PASS || v == CT_VERDICT_SKIP || v == CT_VERDICT_XFAIL;
}

bool ct_report_is_failure(enum ct_verdict v)
{
    return v == CT_VERDICT_FAIL || v == CT_VERDICT_ERROR || v == CT_VERDICT_XPASS;
}

void ct_result_cleanup(struct ct_result *r)
{
    if (r == NULL)
        return;
    free(r->id);
    free(r->title);
    free(r->file);
    free(r->role);
    if (r->rules != NULL) {
        for (size_t i = 0; i < r->n_rules; i++)
            free(r->rules[i]);
        free(r->rules);
    }
    free(r->reason);
    free(r->where);
    free(r->expected);
    free(r->actual);
    free(r->transcript);
    memset(r, 0, sizeof(*r));
}

void ct_report_count(const struct ct_result *r, size_t n, struct ct_report_counts *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; r != NULL && i < n; i++) {
        switch (r[i].verdict) {
        case CT_VERDICT_PASS: out->pass++; break;
        case CT_VERDICT_FAIL: out->fail++; break;
        case CT_VERDICT_ERROR: out->error++; break;
        case CT_VERDICT_SKIP: out->skip++; break;
        case CT_VERDICT_XFAIL: out->xfail++; break;
        case CT_VERDICT_XPASS: out->xpass++; break;
        }
    }
}

/* ---- text helpers ---- */

/*
 * utf8_seq returns the length of the well-formed UTF-8 sequence at p (RFC 3629, table 3-7 of
 * Unicode: the second byte's range excludes overlongs, surrogates and values past U+10FFFF) and
 * its code point, or 0 when p does not start one. p is NUL-terminated, and NUL is never a
 * continuation byte, so the walk stops at the end of the string.
 */
static size_t utf8_seq(const unsigned char *p, uint32_t *cp)
{
    unsigned char c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    uint32_t v;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0Fu;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07u;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        unsigned char t = p[i];
        if (t < (i == 1 ? lo : 0x80) || t > (i == 1 ? hi : 0xBF))
            return 0;
        v = (v << 6) | (t & 0x3Fu);
    }
    *cp = v;
    return n;
}

/* Characters XML 1.0 (section 2.2) cannot carry, plus those HTML treats as parse errors. */
static bool xml_forbidden(uint32_t cp)
{
    if (cp < 0x20)
        return cp != '\t' && cp != '\n' && cp != '\r';
    return cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF;
}

char *ct_report_clean(const char *s, enum ct_report_clean mode)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    static const char cut[] = " [truncated]";
    if (s == NULL)
        return NULL;
    size_t len = strlen(s);
    size_t limit = len < CT_REPORT_TEXT_MAX ? len : CT_REPORT_TEXT_MAX;
    /* Worst case every input byte becomes a 3-byte U+FFFD. */
    char *out = malloc(limit * 3 + sizeof(cut));
    if (out == NULL)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < limit) {
        uint32_t cp = 0;
        size_t n = utf8_seq(p + i, &cp);
        if (n > 0 && i + n > limit)
            break; /* a character straddling the cut goes with the rest */
        if (n == 0 || (mode == CT_REPORT_CLEAN_XML && xml_forbidden(cp))) {
            memcpy(out + o, replacement, 3);
            o += 3;
            i += n > 0 ? n : 1;
            continue;
        }
        memcpy(out + o, p + i, n);
        o += n;
        i += n;
    }
    if (i < len) {
        memcpy(out + o, cut, sizeof(cut) - 1);
        o += sizeof(cut) - 1;
    }
    out[o] = '\0';
    return out;
}

char *ct_report_seconds(char *buf, double seconds)
{
    unsigned long long ms = 0;
    /* NaN fails the comparison and stays 0; the cap keeps the conversion defined. */
    if (seconds > 0) {
        if (seconds > 1e12)
            seconds = 1e12;
        ms = (unsigned long long)(seconds * 1000.0 + 0.5);
    }
    snprintf(buf, 32, "%llu.%03llu", ms / 1000, ms % 1000);
    return buf;
}

int ct_report_write_file(const char *path, const void *data, size_t len, struct ct_diag *diag)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return ct_diag_set(diag, CT_ERR_IO, "%s: %s", path, strerror(errno));
    errno = 0;
    size_t put = len > 0 ? fwrite(data, 1, len, f) : 0;
    int saved = errno;
    bool bad = put != len || fflush(f) != 0 || ferror(f);
    if (bad && saved == 0)
        saved = errno;
    if (fclose(f) != 0 && !bad) {
        bad = true;
        saved = errno;
    }
    if (bad)
        return ct_diag_set(diag, CT_ERR_IO, "%s: write failed: %s", path,
                           saved != 0 ? strerror(saved) : "short write");
    return CT_OK;
}

/* ---- console ---- */

#define ANSI_RESET "\033[0m"

static const char *verdict_colour(enum ct_verdict v)
{
    switch (v) {
    case CT_VERDICT_PASS: return "\033[32m";
    case CT_VERDICT_FAIL: return "\033[1;31m";
    case CT_VERDICT_ERROR: return "\033[1;35m";
    case CT_VERDICT_SKIP: return "\033[33m";
    case CT_VERDICT_XFAIL: return "\033[36m";
    case CT_VERDICT_XPASS: return "\033[1;31m";
    }
    return "";
}

/*
 * put_text prints result text to a console. SUT bytes could otherwise drive the terminal
 * (ESC sequences, C1 CSI, CR overwriting the line), so the text goes through the XML cleaning,
 * which leaves only TAB, LF and CR of the controls; LF continues on a new line with indent,
 * TAB and CR become spaces. A trailing LF is dropped: the caller ends the line.
 */
static void put_text(FILE *f, const char *s, const char *indent)
{
    char *clean = ct_report_clean(s, CT_REPORT_CLEAN_XML);
    if (clean == NULL) {
        fputs(s != NULL ? "(out of memory)" : "-", f);
        return;
    }
    for (const char *p = clean; *p != '\0'; p++) {
        if (*p == '\n') {
            if (p[1] != '\0') {
                fputc('\n', f);
                fputs(indent, f);
            }
        } else if (*p == '\t' || *p == '\r') {
            fputc(' ', f);
        } else {
            fputc(*p, f);
        }
    }
    free(clean);
}

/* The indent of detail lines: under the id, past the 5-wide tag and two spaces. */
#define DETAIL "       "
#define DETAIL_CONT DETAIL "          "

static void put_field(FILE *f, const char *label, const char *value)
{
    if (value == NULL || value[0] == '\0')
        return;
    fprintf(f, DETAIL "%-10s", label);
    put_text(f, value, DETAIL_CONT);
    fputc('\n', f);
}

void ct_report_line(FILE *f, const struct ct_result *r, bool color)
{
    if (f == NULL || r == NULL)
        return;
    if (color)
        fprintf(f, "%s%-5s" ANSI_RESET, verdict_colour(r->verdict), ct_report_verdict_tag(r->verdict));
    else
        fprintf(f, "%-5s", ct_report_verdict_tag(r->verdict));
    fputs("  ", f);
    put_text(f, r->id != NULL ? r->id : "?", DETAIL);
    if (r->title != NULL) {
        fputs("  ", f);
        put_text(f, r->title, DETAIL);
    }
    bool detailed = ct_report_is_failure(r->verdict);
    if (!detailed && r->reason != NULL && r->verdict != CT_VERDICT_PASS) {
        fputs(" (", f);
        put_text(f, r->reason, DETAIL);
        fputc(')', f);
    }
    fputc('\n', f);
    if (!detailed)
        return;
    if (r->rules != NULL && r->n_rules > 0) {
        fprintf(f, DETAIL "%-10s", r->n_rules > 1 ? "rules:" : "rule:");
        for (size_t i = 0; i < r->n_rules; i++) {
            if (i > 0)
                fputs(", ", f);
            put_text(f, r->rules[i] != NULL ? r->rules[i] : "?", DETAIL_CONT);
        }
        fputc('\n', f);
    }
    put_field(f, "reason:", r->reason);
    put_field(f, "where:", r->where);
    put_field(f, "expected:", r->expected);
    put_field(f, "actual:", r->actual);
    put_field(f, "transcript:", r->transcript);
}

void ct_report_summary(FILE *f, const struct ct_report_counts *c, double seconds, bool color)
{
    if (f == NULL || c == NULL)
        return;
    bool ok = c->fail == 0 && c->error == 0 && c->xpass == 0;
    if (color)
        fputs(ok ? "\033[1;32m" : "\033[1;31m", f);
    fprintf(f, "%zu passed, %zu failed", c->pass, c->fail);
    if (c->error > 0)
        fprintf(f, ", %zu error%s", c->error, c->error == 1 ? "" : "s");
    if (c->skip > 0)
        fprintf(f, ", %zu skipped", c->skip);
    if (c->xfail > 0)
        fprintf(f, ", %zu expected failure%s", c->xfail, c->xfail == 1 ? "" : "s");
    if (c->xpass > 0)
        fprintf(f, ", %zu unexpected pass%s", c->xpass, c->xpass == 1 ? "" : "es");
    char buf[32];
    fprintf(f, " in %s s", ct_report_seconds(buf, seconds));
    if (color)
        fputs(ANSI_RESET, f);
    fputc('\n', f);
}
