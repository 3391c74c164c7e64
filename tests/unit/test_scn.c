/*
 * The scenario parser (harness/scn/ct_scn.c) and the SUT config parser
 * (harness/engine/ct_sut.c): a complete scenario read field by field, comments, quoting and CRLF,
 * every error with its file:line, the tokenizer on its own, the size limits, robustness (every
 * prefix and a few thousand mutations of a valid text), the scenarios shipped in scenarios/, and
 * SUT configs with their lookups (claims, disabled, known failures, status names).
 *
 * The regression tests at the end pin defects these tests once found in ct_scn.c.
 * every_prefix and random_mutations fail too until the first of them is fixed.
 */
#include "testlib.h"

#include "base/ct_buf.h"
#include "engine/ct_sut.h"
#include "scn/ct_scn.h"

#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ---- */

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The four required header lines: a step written after them is on line 5. */
#define HDR "id a.b\ntitle T\nrule R-1\nrole server\n"

/* Printable form of (part of) a text for failure messages. */
static const char *show(const char *p, size_t n)
{
    static char out[2048];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 8 < sizeof(out); i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\n')
            o += (size_t)snprintf(out + o, sizeof(out) - o, "\\n");
        else if (c < 0x20 || c >= 0x7f || c == '\\')
            o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    out[o] = '\0';
    return out;
}

/* Parses text named "t.scn" and insists on success with an untouched diagnostic. */
static struct ct_scn *parse_ok(const char *text, size_t len)
{
    struct ct_scn *s = NULL;
    struct ct_diag d = {0};
    int rc = ct_scn_parse(&s, "t.scn", text, len, &d);
    ck_assert_msg(rc == CT_OK, "parse failed (%d): %s", rc, d.text);
    ck_assert_ptr_nonnull(s);
    ck_assert_msg(d.code == CT_OK, "success with a diagnostic: %s", d.text);
    return s;
}

static struct ct_scn *parse_str_ok(const char *text)
{
    return parse_ok(text, strlen(text));
}

/* Parses text named "t.scn" and insists on error rc whose diagnostic starts with
 * "t.scn:LINE: " and contains `what`. */
static void parse_fails_at(const char *text, size_t len, int rc_want, unsigned line, const char *what)
{
    struct ct_scn *s = (struct ct_scn *)&s; /* not NULL: the parser must reset it */
    struct ct_diag d = {0};
    int rc = ct_scn_parse(&s, "t.scn", text, len, &d);
    ck_assert_msg(rc == rc_want, "rc %d, want %d (diag '%s'); input: %s", rc, rc_want, d.text,
                  show(text, len));
    ck_assert_ptr_null(s);
    ck_assert_int_eq(d.code, rc_want);
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "t.scn:%u: ", line);
    ck_assert_msg(strncmp(d.text, prefix, strlen(prefix)) == 0, "diag '%s' does not start with '%s'",
                  d.text, prefix);
    ck_assert_msg(strstr(d.text, what) != NULL, "diag '%s' does not say '%s'", d.text, what);
}

/* A directive: its name, line, rest and its n arguments (const char *), in order. */
static void dir_is(const struct ct_scn_dir *d, unsigned line, const char *name, const char *rest,
                   size_t n, ...)
{
    ck_assert_str_eq(d->name, name);
    ck_assert_uint_eq(d->line, line);
    ck_assert_str_eq(d->rest, rest);
    ck_assert_uint_eq(d->n_args, n);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(d->args[i], va_arg(ap, const char *));
    va_end(ap);
}

/* A step: its verb, line and its n own arguments. */
static void step_is(const struct ct_scn_step *st, enum ct_scn_verb verb, unsigned line, size_t n, ...)
{
    ck_assert_int_eq(st->verb, verb);
    ck_assert_uint_eq(st->line, line);
    ck_assert_uint_eq(st->n_args, n);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(st->args[i], va_arg(ap, const char *));
    va_end(ap);
}

/* What every successful parse must satisfy whatever the input; the first violation, or NULL. */
static const char *insane_dir(const struct ct_scn_dir *d, unsigned min_line)
{
    if (d->name == NULL || d->rest == NULL || (d->n_args > 0 && d->args == NULL))
        return "a directive with a NULL field";
    for (size_t i = 0; i < d->n_args; i++)
        if (d->args[i] == NULL)
            return "a NULL directive argument";
    if (d->line < min_line)
        return "a directive above its step or alternative";
    return NULL;
}

static const char *insane(const struct ct_scn *s)
{
    /* Arguments of send, expect, session, resend, sleep, set (docs/SCENARIOS.md 3). */
    /* One entry per verb, in enum order; a new verb fails to compile here until it has its own. */
    static const unsigned min_args[] = {1, 0, 0, 1, 1, 2, 0};
    static const unsigned max_args[] = {1, 0, 16, 1, 1, 2, 0};
    _Static_assert(sizeof(min_args) / sizeof(min_args[0]) == CT_SCN_HANGUP + 1, "one per verb");
    _Static_assert(sizeof(max_args) / sizeof(max_args[0]) == CT_SCN_HANGUP + 1, "one per verb");
    if (s->file == NULL || s->id == NULL || s->title == NULL || s->n_rules == 0)
        return "a required header is missing";
    static const char id_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789.-";
    if (s->id[0] == '-' || s->id[0] == '.' || s->id[strspn(s->id, id_chars)] != '\0')
        return "an id outside [a-z0-9][a-z0-9.-]*";
    if (s->role != CT_SCN_ROLE_SERVER && s->role != CT_SCN_ROLE_CLIENT)
        return "no role";
    if (s->timeout_ms > 600000)
        return "timeout over 600 s";
    for (size_t i = 0; i < s->n_params; i++)
        if (s->params[i].key == NULL || s->params[i].value == NULL || s->params[i].value[0] == '\0')
            return "a param without key or value";
    for (size_t i = 0; i < s->n_requires; i++)
        if (s->requires[i] == NULL)
            return "a NULL capability";
    if (s->n_steps == 0 || s->n_steps > CT_SCN_MAX_STEPS)
        return "step count out of range";
    unsigned last = 0; /* the last line used by a step, directive or alternative */
    for (size_t i = 0; i < s->n_steps; i++) {
        const struct ct_scn_step *st = &s->steps[i];
        if (st->verb > CT_SCN_HANGUP)
            return "unknown verb";
        if (st->line <= last)
            return "step lines out of order";
        last = st->line;
        if (st->n_args < min_args[st->verb] || st->n_args > max_args[st->verb])
            return "a step with a wrong argument count";
        for (size_t k = 0; k < st->n_args; k++)
            if (st->args[k] == NULL)
                return "a NULL step argument";
            else if (st->verb == CT_SCN_SESSION && strchr(st->args[k], '=') == NULL)
                return "a session setting without '='";
        if (st->verb != CT_SCN_SEND && st->n_dirs != 0)
            return "directives under a step other than send";
        for (size_t k = 0; k < st->n_dirs; k++) {
            const char *why = insane_dir(&st->dirs[k], st->line + 1);
            if (why != NULL)
                return why;
            last = st->dirs[k].line;
        }
        if (st->verb != CT_SCN_EXPECT) {
            if (st->n_alts != 0)
                return "alternatives under a step other than expect";
            continue;
        }
        if (st->n_alts == 0 || st->n_alts > 16) /* 16: the parser's limit */
            return "an expect with no or too many alternatives";
        if (st->alts[0].line != st->line)
            return "the first alternative is not on the expect's line";
        for (size_t a = 0; a < st->n_alts; a++) {
            const struct ct_scn_alt *alt = &st->alts[a];
            if (alt->n_dirs == 0)
                return "an empty alternative";
            if (a > 0 && alt->line <= last)
                return "alternative lines out of order";
            last = alt->line;
            for (size_t k = 0; k < alt->n_dirs; k++) {
                const char *why = insane_dir(&alt->dirs[k], a == 0 ? st->line + 1 : alt->line);
                if (why != NULL)
                    return why;
                last = alt->dirs[k].line;
            }
        }
    }
    return NULL;
}

/*
 * Parses exactly len bytes copied into a buffer of that size (so that ASan sees any read past
 * the end) and checks the contract: success with a sane scenario and no diagnostic, or
 * CT_ERR_PARSE with a "fuzz.scn..." diagnostic and no scenario. `what` names the input.
 */
static void must_survive(const char *text, size_t len, const char *what, size_t which)
{
    char *copy = malloc(len > 0 ? len : 1);
    ck_assert_ptr_nonnull(copy);
    if (len > 0)
        memcpy(copy, text, len);
    struct ct_scn *s = NULL;
    struct ct_diag d = {0};
    int rc = ct_scn_parse(&s, "fuzz.scn", copy, len, &d);
    if (rc == CT_OK) {
        ck_assert_msg(s != NULL, "%s %zu: success without a scenario", what, which);
        ck_assert_msg(d.code == CT_OK, "%s %zu: success, but diag says '%s'; input: %s", what, which,
                      d.text, show(copy, len));
        const char *why = insane(s);
        ck_assert_msg(why == NULL, "%s %zu: %s; input: %s", what, which, why, show(copy, len));
    } else {
        ck_assert_msg(rc == CT_ERR_PARSE, "%s %zu: rc %d (%s)", what, which, rc, d.text);
        ck_assert_msg(s == NULL, "%s %zu: error, and a scenario", what, which);
        ck_assert_msg(d.code == rc && strncmp(d.text, "fuzz.scn:", 9) == 0,
                      "%s %zu: diag '%s' does not name the file", what, which, d.text);
    }
    ct_scn_free(s);
    free(copy);
}

/* ---- a complete scenario ---- */

static const char full_scn[] =
    "# Every kind of line the parser knows.\n"                  /* 1 */
    "id        enc.test.full-1\n"                               /* 2 */
    "title     Everything the parser knows   # and a comment\n" /* 3 */
    "rule      ENC-NEG-6\n"                                     /* 4 */
    "rule      DS-AUTH-1\n"                                     /* 5 */
    "role      server\n"                                        /* 6 */
    "requires  enc enc.aes128-gcm ds.auth.md5\n"                /* 7 */
    "class     interop\n"                                       /* 8 */
    "client-items 2\n"                                          /* 9 */
    "timeout   3s\n"                                            /* 10 */
    "\n"                                                        /* 11 */
    "send pkg1\n"                                               /* 12 */
    "  auth basic user=test\n"                                  /* 13 */
    "  set //Item/Data \"a \\\"quoted\\\" value\"\n"            /* 14 */
    "  offer alg=aes128-gcm kt=rsa-oaep-sha256\n"               /* 15 */
    "  encrypt\n"                                               /* 16 */
    "expect\n"                                                  /* 17 */
    "  status SyncHdr @AUTH_OK\n"                               /* 18 */
    "  xpath //Status[Cmd='SyncHdr']/Data == \"212 # kept\"\n"  /* 19 */
    "or closed\n"                                               /* 20 */
    "or\n"                                                      /* 21 */
    "  http 400 500\n"                                          /* 22 */
    "  no-final\n"                                              /* 23 */
    "session mode=slow password=x\n"                            /* 24 */
    "resend 1\n"                                                /* 25 */
    "sleep 250   \n"                                            /* 26 */
    "set name \"a value\"\n";                                   /* 27 */

static void check_full(const struct ct_scn *s)
{
    ck_assert_str_eq(s->file, "t.scn");
    ck_assert_str_eq(s->id, "enc.test.full-1");
    ck_assert_str_eq(s->title, "Everything the parser knows");
    ck_assert_uint_eq(s->n_rules, 2);
    ck_assert_str_eq(s->rules[0], "ENC-NEG-6");
    ck_assert_str_eq(s->rules[1], "DS-AUTH-1");
    ck_assert_int_eq(s->role, CT_SCN_ROLE_SERVER);
    ck_assert_str_eq(ct_scn_role_name(s->role), "server");
    ck_assert_uint_eq(s->n_requires, 3);
    ck_assert_str_eq(s->requires[0], "enc");
    ck_assert_str_eq(s->requires[1], "enc.aes128-gcm");
    ck_assert_str_eq(s->requires[2], "ds.auth.md5");
    ck_assert_str_eq(s->class_name, "interop");
    ck_assert_uint_eq(s->timeout_ms, 3000);
    ck_assert_uint_eq(s->n_params, 1);
    ck_assert_str_eq(s->params[0].key, "client-items");
    ck_assert_str_eq(s->params[0].value, "2");
    ck_assert_uint_eq(s->params[0].line, 9);
    ck_assert_str_eq(ct_scn_param(s, "client-items"), "2");
    ck_assert_ptr_null(ct_scn_param(s, "server-items"));
    ck_assert_ptr_null(ct_scn_param(s, "id"));

    ck_assert_uint_eq(s->n_steps, 6);
    const struct ct_scn_step *st = &s->steps[0];
    step_is(st, CT_SCN_SEND, 12, 1, "pkg1");
    ck_assert_uint_eq(st->n_alts, 0);
    ck_assert_uint_eq(st->n_dirs, 4);
    dir_is(&st->dirs[0], 13, "auth", "basic user=test", 2, "basic", "user=test");
    dir_is(&st->dirs[1], 14, "set", "//Item/Data \"a \\\"quoted\\\" value\"", 2, "//Item/Data",
           "a \"quoted\" value");
    dir_is(&st->dirs[2], 15, "offer", "alg=aes128-gcm kt=rsa-oaep-sha256", 2, "alg=aes128-gcm",
           "kt=rsa-oaep-sha256");
    dir_is(&st->dirs[3], 16, "encrypt", "", 0);

    st = &s->steps[1];
    step_is(st, CT_SCN_EXPECT, 17, 0);
    ck_assert_uint_eq(st->n_dirs, 0);
    ck_assert_uint_eq(st->n_alts, 3);
    ck_assert_uint_eq(st->alts[0].line, 17);
    ck_assert_uint_eq(st->alts[0].n_dirs, 2);
    dir_is(&st->alts[0].dirs[0], 18, "status", "SyncHdr @AUTH_OK", 2, "SyncHdr", "@AUTH_OK");
    dir_is(&st->alts[0].dirs[1], 19, "xpath", "//Status[Cmd='SyncHdr']/Data == \"212 # kept\"", 3,
           "//Status[Cmd='SyncHdr']/Data", "==", "212 # kept");
    ck_assert_uint_eq(st->alts[1].line, 20);
    ck_assert_uint_eq(st->alts[1].n_dirs, 1);
    dir_is(&st->alts[1].dirs[0], 20, "closed", "", 0);
    ck_assert_uint_eq(st->alts[2].line, 21);
    ck_assert_uint_eq(st->alts[2].n_dirs, 2);
    dir_is(&st->alts[2].dirs[0], 22, "http", "400 500", 2, "400", "500");
    dir_is(&st->alts[2].dirs[1], 23, "no-final", "", 0);

    step_is(&s->steps[2], CT_SCN_SESSION, 24, 2, "mode=slow", "password=x");
    step_is(&s->steps[3], CT_SCN_RESEND, 25, 1, "1");
    step_is(&s->steps[4], CT_SCN_SLEEP, 26, 1, "250");
    step_is(&s->steps[5], CT_SCN_SET, 27, 2, "name", "a value");
    for (size_t i = 2; i < 6; i++) {
        ck_assert_uint_eq(s->steps[i].n_dirs, 0);
        ck_assert_uint_eq(s->steps[i].n_alts, 0);
    }
    ck_assert_ptr_null(insane(s));
}

START_TEST(full_scenario)
{
    struct ct_scn *s = parse_str_ok(full_scn);
    check_full(s);
    ct_scn_free(s);
}
END_TEST

/* The same text with CRLF line endings gives the same tree, with no '\r' anywhere. */
START_TEST(crlf_line_endings)
{
    struct ct_buf b;
    ct_buf_init(&b, 0);
    for (const char *p = full_scn; *p != '\0'; p++)
        ck_assert_int_eq(ct_buf_append(&b, *p == '\n' ? "\r\n" : p, *p == '\n' ? 2 : 1), CT_OK);
    struct ct_scn *s = parse_ok((const char *)b.data, b.len);
    check_full(s);
    ct_scn_free(s);
    /* The last line without its LF. */
    ck_assert_int_eq(b.data[b.len - 1], '\n');
    s = parse_ok((const char *)b.data, b.len - 1);
    check_full(s);
    ct_scn_free(s);
    ct_buf_cleanup(&b);
}
END_TEST

START_TEST(client_role_and_defaults)
{
    struct ct_scn *s = parse_str_ok("id 0.x\ntitle A client\nrule DS-1\nrole client\nexpect\n  end\n");
    ck_assert_int_eq(s->role, CT_SCN_ROLE_CLIENT);
    ck_assert_str_eq(ct_scn_role_name(s->role), "client");
    ck_assert_str_eq(ct_scn_role_name((enum ct_scn_role)0), "?");
    ck_assert_uint_eq(s->timeout_ms, 0);
    ck_assert_ptr_null(s->class_name);
    ck_assert_uint_eq(s->n_requires, 0);
    ck_assert_uint_eq(s->n_params, 0);
    ck_assert_uint_eq(s->n_steps, 1);
    ck_assert_uint_eq(s->steps[0].n_alts, 1);
    dir_is(&s->steps[0].alts[0].dirs[0], 6, "end", "", 0);
    ct_scn_free(s);

    s = parse_str_ok(HDR "timeout 500ms\nsleep 1\n");
    ck_assert_uint_eq(s->timeout_ms, 500);
    ct_scn_free(s);
    s = parse_str_ok(HDR "timeout 600s\nsleep 1\n");
    ck_assert_uint_eq(s->timeout_ms, 600000);
    ct_scn_free(s);
    s = parse_str_ok(HDR "timeout 600000ms\nsleep 1\n");
    ck_assert_uint_eq(s->timeout_ms, 600000);
    ct_scn_free(s);
}
END_TEST

/* ---- comments and blanks ---- */

START_TEST(comments_and_blanks)
{
    static const char text[] =
        "# a comment at the start of a line\n"      /* 1 */
        "   # an indented comment in the header\n"  /* 2 */
        "id c.1   # after blanks\n"                 /* 3 */
        "title T#1 is not a comment\n"              /* 4 */
        "rule R   \n"                               /* 5 */
        "role client\t# after a tab\n"              /* 6 */
        "\n"                                        /* 7 */
        "expect    # the first request\n"           /* 8 */
        "  # a comment inside a step\n"             /* 9 */
        "  xpath \"//Data[.='a #b']\"  # real\n"    /* 10 */
        "  capture v //a#b\n"                       /* 11 */
        "#\n"                                       /* 12 */
        "send pkg2   \n";                           /* 13 */
    struct ct_scn *s = parse_str_ok(text);
    ck_assert_str_eq(s->id, "c.1");
    ck_assert_str_eq(s->title, "T#1 is not a comment");
    ck_assert_str_eq(s->rules[0], "R");
    ck_assert_int_eq(s->role, CT_SCN_ROLE_CLIENT);
    ck_assert_uint_eq(s->n_steps, 2);
    step_is(&s->steps[0], CT_SCN_EXPECT, 8, 0);
    ck_assert_uint_eq(s->steps[0].n_alts, 1);
    ck_assert_uint_eq(s->steps[0].alts[0].n_dirs, 2);
    dir_is(&s->steps[0].alts[0].dirs[0], 10, "xpath", "\"//Data[.='a #b']\"", 1, "//Data[.='a #b']");
    dir_is(&s->steps[0].alts[0].dirs[1], 11, "capture", "v //a#b", 2, "v", "//a#b");
    step_is(&s->steps[1], CT_SCN_SEND, 13, 1, "pkg2");
    ct_scn_free(s);
}
END_TEST

/* ct_scn_next_line on its own: numbering, CR, comments, trailing blanks, too long. */
START_TEST(next_line)
{
    static const char text[] = "a b  # c\r\n\n  x \"# y\" #z\t \nlast";
    struct ct_scn_lines it = {text, text + strlen(text), 0};
    char buf[CT_SCN_MAX_LINE + 2];
    bool too_long = true;
    ck_assert(ct_scn_next_line(&it, buf, sizeof(buf), &too_long));
    ck_assert(!too_long);
    ck_assert_str_eq(buf, "a b");
    ck_assert_uint_eq(it.no, 1);
    ck_assert(ct_scn_next_line(&it, buf, sizeof(buf), &too_long));
    ck_assert_str_eq(buf, "");
    ck_assert(ct_scn_next_line(&it, buf, sizeof(buf), &too_long));
    ck_assert_str_eq(buf, "  x \"# y\"");
    ck_assert(ct_scn_next_line(&it, buf, sizeof(buf), &too_long));
    ck_assert_str_eq(buf, "last");
    ck_assert_uint_eq(it.no, 4);
    ck_assert(!ct_scn_next_line(&it, buf, sizeof(buf), &too_long));

    /* A line that does not fit the caller's buffer is flagged, and the walk goes on. */
    static const char two[] = "0123456789\nok\n";
    struct ct_scn_lines it2 = {two, two + strlen(two), 0};
    char small[8];
    ck_assert(ct_scn_next_line(&it2, small, sizeof(small), &too_long));
    ck_assert(too_long);
    ck_assert_str_eq(small, "");
    ck_assert(ct_scn_next_line(&it2, small, sizeof(small), &too_long));
    ck_assert(!too_long);
    ck_assert_str_eq(small, "ok");
    ck_assert_uint_eq(it2.no, 2);
}
END_TEST

/* ---- errors, each with its file and line ---- */

struct scn_error {
    const char *text;
    unsigned line;
    const char *what;
};

static const struct scn_error scn_errors[] = {
    /* header */
    {"id a\nfoo bar\n", 2, "unknown header 'foo'"},
    {HDR "id c\nsend pkg1\n", 5, "a second id"},
    {"title T\nid A_b\n", 2, "id 'A_b'"},
    {"id -ab\n", 1, "id '-ab'"},
    {"id a b\n", 1, "id 'a b'"},
    {"id é\n", 1, "lowercase letters"},
    {"id a\ntitle t\ntitle u\n", 3, "a second title"},
    {"id a\nrole both\n", 2, "role 'both'"},
    {"id a\nrole server\nrole client\n", 3, "a second role"},
    {"id a\ntitle\n", 2, "'title' needs a value"},
    {"id a\nclient-items\n", 2, "'client-items' needs a value"},
    {"id a\nclient-items 1\nclient-items 2\n", 3, "'client-items' given twice"},
    {"id a\n  title x\n", 2, "an indented line in the header"},
    {"  id a\n", 1, "an indented line in the header"},
    {"id a\ntitle a\tb\n", 2, "a tab"},
    {"id a\nrequires enc \"ds\n", 2, "unterminated quoted string"},
    {"id a\nrequires \"enc\"x\n", 2, "text right after a closing quote"},
    {"id a\ntimeout 601s\n", 2, "timeout '601s'"},
    {"id a\ntimeout 0s\n", 2, "timeout '0s'"},
    {"id a\ntimeout 600001ms\n", 2, "timeout '600001ms'"},
    {"id a\ntimeout 3\n", 2, "timeout '3'"},
    {"id a\ntimeout 3m\n", 2, "timeout '3m'"},
    {"id a\ntimeout s\n", 2, "timeout 's'"},
    {"id a\ntimeout 3 s\n", 2, "timeout '3 s'"},
    /* missing pieces: reported at line 1 */
    {"title t\nrule R\nrole server\nsleep 1\n", 1, "no 'id' header"},
    {"id a\nrule R\nrole server\nsleep 1\n", 1, "no 'title' header"},
    {"id a\ntitle t\nrole server\nsleep 1\n", 1, "no 'rule' header"},
    {"id a\ntitle t\nrule R\nsleep 1\n", 1, "no 'role' header"},
    {HDR, 1, "no steps"},
    {"", 1, "no 'id' header"},
    {"# only a comment\n\n", 1, "no 'id' header"},
    /* directives */
    {HDR "send pkg1\n  frob x\n", 6, "'frob' is not a directive of send"},
    {HDR "send pkg1\n  closed\n", 6, "'closed' is not a directive of send"},
    {HDR "expect\n  final\n  frob\n", 7, "'frob' is not a directive of expect"},
    {HDR "expect\n  encrypt\n", 6, "'encrypt' is not a directive of expect"},
    {HDR "expect\n  final\nor frob\n", 7, "'frob' is not a directive of expect"},
    {HDR "send pkg1\n  set //a\n", 6, "'set' needs more arguments"},
    {HDR "send pkg1\n  remove a b\n", 6, "'remove' has too many arguments"},
    {HDR "send pkg1\n  encrypt now\n", 6, "encrypt: 'now' is not key=value"},
    {HDR "send pkg1\n  encrypt bad-padding=1 ignore-limit=1 x=2\n", 6, "'encrypt' has too many arguments"},
    {HDR "send pkg1\n  encrypt x=2\n", 6, "encrypt: 'x' is not one of bad-padding|ignore-limit"},
    {HDR "expect\n  status SyncHdr\n", 6, "'status' needs more arguments"},
    {HDR "expect\n  final\nor closed now\n", 7, "'closed' has too many arguments"},
    {HDR "send pkg1\n  set //a \"x y\n", 6, "unterminated quoted string"},
    {HDR "send pkg1\n  set //a \"x\"y\n", 6, "text right after a closing quote"},
    {HDR "send pkg1\n\tencrypt\n", 6, "a tab"},
    {HDR "send pkg1\n  encrypt\t\n  auth\tbasic\n", 7, "a tab"},
    {HDR "resend 1\n  encrypt\n", 6, "'resend' takes no indented directives"},
    {HDR "sleep 10\n  final\n", 6, "'sleep' takes no indented directives"},
    {HDR "set a b\n  final\n", 6, "'set' takes no indented directives"},
    {HDR "session\n  final\n", 6, "'session' takes no indented directives"},
    /* alternatives */
    {HDR "send pkg1\nor closed\n", 6, "'or' must follow an expect"},
    {"id a\nor\n", 2, "'or' must follow an expect"},
    {HDR "expect\nor closed\n", 6, "the alternative before 'or' is empty"},
    {HDR "expect\n  final\nor\nor closed\n", 8, "the alternative before 'or' is empty"},
    {HDR "expect\n  final\nor\n", 7, "an expect alternative with no directive"},
    {HDR "expect\nsleep 1\n", 5, "an expect alternative with no directive"},
};

START_TEST(errors_name_the_line)
{
    const struct scn_error *e = &scn_errors[_i];
    parse_fails_at(e->text, strlen(e->text), CT_ERR_PARSE, e->line, e->what);
}
END_TEST

/* Lines up to CT_SCN_MAX_LINE bytes (without CR LF) are fine; one byte more is refused. */
START_TEST(line_length_limit)
{
    struct ct_buf b;
    ct_buf_init(&b, 0);
#define LEAD "  xpath "
    const char *lead = LEAD;
    for (size_t extra = 0; extra < 2; extra++)
        for (int crlf = 0; crlf < 2; crlf++) {
            ct_buf_reset(&b);
            ck_assert_int_eq(ct_buf_append_str(&b, HDR "expect\n" LEAD), CT_OK);
            for (size_t i = strlen(lead); i < CT_SCN_MAX_LINE + extra; i++)
                ck_assert_int_eq(ct_buf_append(&b, "a", 1), CT_OK);
            ck_assert_int_eq(ct_buf_append_str(&b, crlf ? "\r\n" : "\n"), CT_OK);
            if (extra == 0) {
                struct ct_scn *s = parse_ok((const char *)b.data, b.len);
                const struct ct_scn_dir *d = &s->steps[0].alts[0].dirs[0];
                ck_assert_uint_eq(strlen(d->args[0]), CT_SCN_MAX_LINE - strlen(lead));
                ct_scn_free(s);
            } else {
                parse_fails_at((const char *)b.data, b.len, CT_ERR_PARSE, 6, "line longer than 4096 bytes");
            }
        }
#undef LEAD
    /* A comment line is no exception, nor is the last line without LF. */
    ct_buf_reset(&b);
    ck_assert_int_eq(ct_buf_append_str(&b, HDR "sleep 1\n#"), CT_OK);
    for (size_t i = 1; i <= CT_SCN_MAX_LINE; i++)
        ck_assert_int_eq(ct_buf_append(&b, "#", 1), CT_OK);
    parse_fails_at((const char *)b.data, b.len, CT_ERR_PARSE, 6, "line longer");
    ct_buf_cleanup(&b);
}
END_TEST

START_TEST(nul_byte)
{
    static const char text[] = HDR "send pkg1\n  encr\0ypt\n";
    struct ct_scn *s = NULL;
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_scn_parse(&s, "t.scn", text, sizeof(text) - 1, &d), CT_ERR_PARSE);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(d.code, CT_ERR_PARSE);
    /* The whole file is refused: the message names the file and the line of the NUL. */
    ck_assert_msg(strncmp(d.text, "t.scn:6: ", 9) == 0 && strstr(d.text, "NUL") != NULL, "%s", d.text);
    /* A NUL as the very first or last byte. */
    static const char first[] = "\0" HDR "sleep 1\n";
    ct_diag_clear(&d);
    ck_assert_int_eq(ct_scn_parse(&s, "t.scn", first, sizeof(first) - 1, &d), CT_ERR_PARSE);
    ck_assert_ptr_null(s);
    static const char last[] = HDR "sleep 1\n";
    ct_diag_clear(&d);
    ck_assert_int_eq(ct_scn_parse(&s, "t.scn", last, sizeof(last), &d), CT_ERR_PARSE); /* with its NUL */
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(d.text, "NUL"));
}
END_TEST

/* A valid scenario padded with blank lines to exactly CT_SCN_MAX_BYTES parses; a byte more
 * is CT_ERR_TOO_BIG. */
START_TEST(size_limit)
{
    static const char text[] = HDR "sleep 1\n";
    char *big = malloc(CT_SCN_MAX_BYTES + 1);
    ck_assert_ptr_nonnull(big);
    memcpy(big, text, strlen(text));
    memset(big + strlen(text), '\n', CT_SCN_MAX_BYTES + 1 - strlen(text));
    struct ct_scn *s = parse_ok(big, CT_SCN_MAX_BYTES);
    ck_assert_uint_eq(s->n_steps, 1);
    ct_scn_free(s);
    s = (struct ct_scn *)&s;
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_scn_parse(&s, "t.scn", big, CT_SCN_MAX_BYTES + 1, &d), CT_ERR_TOO_BIG);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(d.code, CT_ERR_TOO_BIG);
    ck_assert_msg(strncmp(d.text, "t.scn: ", 7) == 0, "%s", d.text);
    free(big);
}
END_TEST

/* Appends n lines "<before><i><after>", i = 1..n. */
static void append_numbered(struct ct_buf *b, size_t n, const char *before, const char *after)
{
    for (size_t i = 1; i <= n; i++)
        ck_assert_int_eq(ct_buf_printf(b, "%s%zu%s", before, i, after), CT_OK);
}

/* The table limits: 256 directives, 16 alternatives, 64 arguments, 32 requirements a line. */
START_TEST(count_limits)
{
    struct ct_buf b;
    ct_buf_init(&b, 0);
    for (size_t extra = 0; extra < 2; extra++) {
        /* directives of a send: lines 6.. */
        ct_buf_reset(&b);
        ck_assert_int_eq(ct_buf_append_str(&b, HDR "send pkg1\n"), CT_OK);
        append_numbered(&b, 256 + extra, "  remove //X", "\n");
        if (extra == 0) {
            struct ct_scn *s = parse_ok((const char *)b.data, b.len);
            ck_assert_uint_eq(s->steps[0].n_dirs, 256);
            dir_is(&s->steps[0].dirs[255], 5 + 256, "remove", "//X256", 1, "//X256");
            ct_scn_free(s);
        } else {
            parse_fails_at((const char *)b.data, b.len, CT_ERR_PARSE, 5 + 257, "too many directives");
        }

        /* alternatives: "expect" on 5, "  final" on 6, then "or closed" on 7.. */
        ct_buf_reset(&b);
        ck_assert_int_eq(ct_buf_append_str(&b, HDR "expect\n  final\n"), CT_OK);
        append_numbered(&b, 15 + extra, "or no-final # ", "\n");
        if (extra == 0) {
            struct ct_scn *s = parse_ok((const char *)b.data, b.len);
            ck_assert_uint_eq(s->steps[0].n_alts, 16);
            ck_assert_uint_eq(s->steps[0].alts[15].line, 6 + 15);
            ct_scn_free(s);
        } else {
            parse_fails_at((const char *)b.data, b.len, CT_ERR_PARSE, 6 + 16, "too many alternatives");
        }

        /* arguments of a directive */
        ct_buf_reset(&b);
        ck_assert_int_eq(ct_buf_append_str(&b, HDR "expect\n  xpath"), CT_OK);
        append_numbered(&b, 64 + extra, " a", "");
        ck_assert_int_eq(ct_buf_append_str(&b, "\n"), CT_OK);
        if (extra == 0) {
            struct ct_scn *s = parse_ok((const char *)b.data, b.len);
            ck_assert_uint_eq(s->steps[0].alts[0].dirs[0].n_args, 64);
            ck_assert_str_eq(s->steps[0].alts[0].dirs[0].args[63], "a64");
            ct_scn_free(s);
        } else {
            parse_fails_at((const char *)b.data, b.len, CT_ERR_PARSE, 6, "too many arguments");
        }

        /* capabilities on one requires line */
        ct_buf_reset(&b);
        ck_assert_int_eq(ct_buf_append_str(&b, HDR "requires"), CT_OK);
        append_numbered(&b, 32 + extra, " c", "");
        ck_assert_int_eq(ct_buf_append_str(&b, "\nsleep 1\n"), CT_OK);
        if (extra == 0) {
            struct ct_scn *s = parse_ok((const char *)b.data, b.len);
            ck_assert_uint_eq(s->n_requires, 32);
            ck_assert_str_eq(s->requires[31], "c32");
            ct_scn_free(s);
        } else {
            parse_fails_at((const char *)b.data, b.len, CT_ERR_PARSE, 5, "too many arguments");
        }
    }
    /* 512 steps are fine. */
    ct_buf_reset(&b);
    ck_assert_int_eq(ct_buf_append_str(&b, HDR), CT_OK);
    append_numbered(&b, CT_SCN_MAX_STEPS, "sleep ", "\n");
    struct ct_scn *s = parse_ok((const char *)b.data, b.len);
    ck_assert_uint_eq(s->n_steps, CT_SCN_MAX_STEPS);
    step_is(&s->steps[CT_SCN_MAX_STEPS - 1], CT_SCN_SLEEP, 4 + CT_SCN_MAX_STEPS, 1, "512");
    ct_scn_free(s);
    ct_buf_cleanup(&b);
}
END_TEST

START_TEST(load_files)
{
    struct ct_scn *s = (struct ct_scn *)&s;
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_scn_load(&s, "/nonexistent/x.scn", &d), CT_ERR_IO);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(d.text, "/nonexistent/x.scn"));

    /* Every scenario shipped in scenarios/ parses cleanly, with its path in s->file. */
    glob_t g;
    char pattern[1024];
    snprintf(pattern, sizeof(pattern), "%s", tl_path("../../scenarios/*/*/*.scn"));
    ck_assert_msg(glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0, "no scenarios at %s", pattern);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        ct_diag_clear(&d);
        int rc = ct_scn_load(&s, g.gl_pathv[i], &d);
        ck_assert_msg(rc == CT_OK && d.code == CT_OK, "%s: %d %s", g.gl_pathv[i], rc, d.text);
        ck_assert_str_eq(s->file, g.gl_pathv[i]);
        const char *why = insane(s);
        ck_assert_msg(why == NULL, "%s: %s", g.gl_pathv[i], why);
        ct_scn_free(s);
    }
    globfree(&g);
}
END_TEST

/* ---- the tokenizer ---- */

/* Tokenizes with room for max tokens; checks the count and the tokens (n == -1: the error). */
static void tokens_are(const char *line, size_t max, int n, ...)
{
    char *toks[8];
    const char *err = "not touched";
    ck_assert_uint_le(max, N_OF(toks));
    int got = ct_scn_tokenize(line, toks, max, &err);
    ck_assert_msg(got == n, "'%s': %d tokens, want %d (%s)", line, got, n, err != NULL ? err : "");
    va_list ap;
    va_start(ap, n);
    if (n < 0) {
        ck_assert_ptr_nonnull(err);
        ck_assert_str_eq(err, va_arg(ap, const char *));
    } else {
        ck_assert_ptr_null(err);
        for (int i = 0; i < n; i++) {
            ck_assert_str_eq(toks[i], va_arg(ap, const char *));
            free(toks[i]);
        }
    }
    va_end(ap);
}

START_TEST(tokenize)
{
    tokens_are("", 4, 0);
    tokens_are(" \t  ", 4, 0);
    tokens_are("a", 4, 1, "a");
    tokens_are("  a \t b  c  ", 4, 3, "a", "b", "c");
    tokens_are("\"a b\" c", 4, 2, "a b", "c");
    tokens_are("\"\" x", 4, 2, "", "x");
    tokens_are("\"x \\\"y\\\" \\\\ z\"", 4, 1, "x \"y\" \\ z");
    tokens_are("\"a\\b\\n\"", 4, 1, "a\\b\\n");          /* other escapes stay */
    tokens_are("\"a\\\\\"", 4, 1, "a\\");                /* "a\\" ends after the backslash */
    tokens_are("a\"b c\"", 4, 2, "a\"b", "c\"");         /* a quote inside a bare token is plain */
    tokens_are("k=\"v w\"", 4, 2, "k=\"v", "w\"");
    tokens_are("\"a\"\t\"b\"", 4, 2, "a", "b");
    tokens_are("a b c", 3, 3, "a", "b", "c");
    tokens_are("a b c  ", 3, 3, "a", "b", "c");          /* trailing blanks are not a token */
    tokens_are("a b c d", 3, -1, "too many arguments");
    tokens_are("a", 0, -1, "too many arguments");
    tokens_are("\"abc", 4, -1, "unterminated quoted string");
    tokens_are("a \"b c", 4, -1, "unterminated quoted string");
    tokens_are("\"a\\\"", 4, -1, "unterminated quoted string");
    tokens_are("\"a\\", 4, -1, "unterminated quoted string");
    tokens_are("\"a\"b", 4, -1, "text right after a closing quote");
    tokens_are("x \"a\"\"b\"", 4, -1, "text right after a closing quote");
}
END_TEST

/* ---- robustness ---- */

static const char comments_scn[] =
    "# c\nid c.1 # x\ntitle T#1\nrule R\nrole client\t# t\n\nexpect # e\n  # d\n"
    "  xpath \"//D[.='a #b']\" # r\nor\n  end failed\nsession auth=md5\nsend pkg2  \n";

/* Every prefix of valid texts, each in a buffer of its exact size (ASan sees any overread). */
START_TEST(every_prefix)
{
    const char *texts[] = {full_scn, comments_scn};
    for (size_t t = 0; t < N_OF(texts); t++) {
        size_t len = strlen(texts[t]);
        for (size_t n = 0; n <= len; n++)
            must_survive(texts[t], n, "prefix of length", n);
    }
}
END_TEST

static uint32_t xorshift32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* Start and end of the line around pos in t[0..len). */
static void line_at(const char *t, size_t len, size_t pos, size_t *start, size_t *end)
{
    size_t s = pos, e = pos;
    while (s > 0 && t[s - 1] != '\n')
        s--;
    while (e < len && t[e] != '\n')
        e++;
    *start = s;
    *end = e < len ? e + 1 : e;
}

/* One random change of t[0..*len) (capacity cap): flip, insert, delete a byte; duplicate,
 * delete or move a line. */
static void mutate(char *t, size_t *len, size_t cap, uint32_t *rng)
{
    static const char interesting[] = " \n\r\t\"\\#=-.0az@";
    uint32_t r = xorshift32(rng);
    size_t pos = *len > 0 ? xorshift32(rng) % *len : 0;
    char c = (r >> 8) % 4 == 0 ? (char)(xorshift32(rng) & 0xff)
                               : interesting[xorshift32(rng) % (sizeof(interesting) - 1)];
    size_t start, end;
    switch (r % 6) {
    case 0: /* replace a byte */
        if (*len > 0)
            t[pos] = c;
        break;
    case 1: /* insert a byte */
        if (*len < cap) {
            memmove(t + pos + 1, t + pos, *len - pos);
            t[pos] = c;
            (*len)++;
        }
        break;
    case 2: /* delete a byte */
        if (*len > 0) {
            memmove(t + pos, t + pos + 1, *len - pos - 1);
            (*len)--;
        }
        break;
    case 3: /* duplicate a line */
        line_at(t, *len, pos, &start, &end);
        if (*len + (end - start) <= cap) {
            memmove(t + end + (end - start), t + end, *len - end);
            memmove(t + end, t + start, end - start);
            *len += end - start;
        }
        break;
    case 4: /* delete a line */
        line_at(t, *len, pos, &start, &end);
        memmove(t + start, t + end, *len - end);
        *len -= end - start;
        break;
    default: /* move a line to the end */
        line_at(t, *len, pos, &start, &end);
        if (end - start < 256 && end > start) {
            char line[256];
            size_t n = end - start;
            memcpy(line, t + start, n);
            memmove(t + start, t + end, *len - end);
            memcpy(t + *len - n, line, n);
        }
        break;
    }
}

/* A few thousand random mutations of the complete scenario. Fails, like every_prefix, until
 * the step-line bug is fixed; in the sanitizer build, mutations that repeat the class line also
 * show a leak such as the one regression_second_class pins. */
START_TEST(random_mutations)
{
    uint32_t rng = 0x2545f491u; /* fixed: a failure reproduces */
    size_t base = strlen(full_scn);
    char t[4096];
    for (size_t iter = 0; iter < 5000; iter++) {
        size_t len = base;
        memcpy(t, full_scn, base);
        size_t changes = 1 + xorshift32(&rng) % 4;
        for (size_t k = 0; k < changes; k++)
            mutate(t, &len, sizeof(t), &rng);
        must_survive(t, len, "mutation", iter);
    }
}
END_TEST

/* ---- regressions: defects these tests found, fixed ---- */

/*
 * Errors of step lines are reported. (They were not: `rc = p.in_header = false, step_line()`
 * threw step_line's result away, so a typo in a verb passed silently.)
 */
static const struct scn_error step_errors[] = {
    {HDR "send pkg1\nfrob x\n", 6, "'frob' is not a step"},
    {HDR "sleep 1\nid b\n", 6, "header 'id' after the first step"},
    {HDR "sleep 1\nrequires enc\n", 6, "header 'requires' after the first step"},
    {HDR "sleep 1\nclient-items 2\n", 6, "'client-items' is not a step"},
    {HDR "send\n", 5, "'send' takes one template name"},
    {HDR "send pkg1 pkg2\n", 5, "'send' takes one template name"},
    {HDR "expect now\n", 5, "'expect' takes no arguments"},
    {HDR "sleep\n", 5, "'sleep' takes milliseconds"},
    {HDR "sleep 1 2\n", 5, "'sleep' takes milliseconds"},
    {HDR "resend\n", 5, "'resend' takes the number"},
    {HDR "set x\n", 5, "'set' takes a name and a value"},
    {HDR "session mode=slow fast\n", 5, "session setting 'fast' is not key=value"},
    {HDR "send \"pkg1\n", 5, "unterminated quoted string"},
};

START_TEST(regression_step_errors)
{
    const struct scn_error *e = &step_errors[_i];
    parse_fails_at(e->text, strlen(e->text), CT_ERR_PARSE, e->line, e->what);
}
END_TEST

/* Over CT_SCN_MAX_STEPS steps is an error, not steps silently dropped (same cause). */
START_TEST(regression_too_many_steps)
{
    struct ct_buf b;
    ct_buf_init(&b, 0);
    ck_assert_int_eq(ct_buf_append_str(&b, HDR), CT_OK);
    append_numbered(&b, CT_SCN_MAX_STEPS + 1, "sleep ", "\n");
    parse_fails_at((const char *)b.data, b.len, CT_ERR_PARSE, 5 + CT_SCN_MAX_STEPS, "too many steps");
    ct_buf_cleanup(&b);
}
END_TEST

/*
 * "expect ARG" followed by a directive or `or` is an error at the expect line. (It crashed:
 * the expect had no alternative yet and the next line read alts[n_alts - 1] with n_alts 0.)
 */
static const char *const expect_crashers[] = {
    HDR "expect now\n  final\n",
    HDR "expect now\nor closed\n",
};

START_TEST(regression_expect_with_argument)
{
    const char *text = expect_crashers[_i];
    parse_fails_at(text, strlen(text), CT_ERR_PARSE, 5, "'expect' takes no arguments");
}
END_TEST

/* The 65th `rule` line, or the 65th capability of `requires`, is a parse error naming the line
 * (it was reported as "out of memory"). */
START_TEST(regression_too_many_rules)
{
    struct ct_buf b;
    ct_buf_init(&b, 0);
    ck_assert_int_eq(ct_buf_append_str(&b, "id a\ntitle t\nrole server\n"), CT_OK);
    append_numbered(&b, 65, "rule R-", "\n");
    ck_assert_int_eq(ct_buf_append_str(&b, "sleep 1\n"), CT_OK);
    parse_fails_at((const char *)b.data, b.len, CT_ERR_PARSE, 3 + 65, "rule");

    ct_buf_reset(&b);
    ck_assert_int_eq(ct_buf_append_str(&b, HDR), CT_OK);
    append_numbered(&b, 3, "requires a", ".1 b.2 c.3 d.4 e.5 f.6 g.7 h.8 i.9 j.10 k.11 l.12 m.13 n.14 "
                        "o.15 p.16 q.17 r.18 s.19 t.20 u.21 v.22\n");
    ck_assert_int_eq(ct_buf_append_str(&b, "sleep 1\n"), CT_OK);
    parse_fails_at((const char *)b.data, b.len, CT_ERR_PARSE, 7, "requires");
    ct_buf_cleanup(&b);
}
END_TEST

/* A second `class` line is refused like a second id (it replaced the first and leaked it). */
START_TEST(regression_second_class)
{
    static const char text[] = HDR "class a\nclass b\nsleep 1\n";
    parse_fails_at(text, strlen(text), CT_ERR_PARSE, 6, "a second class");
}
END_TEST

/* The comment stripper reads `\\` before a closing quote as the tokenizer does: the string ends
 * there and the comment after it goes (it was kept, as two more arguments). */
START_TEST(regression_comment_after_escaped_backslash)
{
    struct ct_scn *s = parse_str_ok(HDR "expect\n  xpath \"a\\\\\" # note\n");
    dir_is(&s->steps[0].alts[0].dirs[0], 6, "xpath", "\"a\\\\\"", 1, "a\\");
    ct_scn_free(s);
}
END_TEST

/* ---- SUT configs ---- */

/* Writes text as sut.conf in a new temporary directory, loads it, removes both. path gets the
 * file's path (it names the file in diagnostics). */
static int load_sut(const char *text, struct ct_sut_config **out, struct ct_diag *d, char *path,
                    size_t size)
{
    char dir[] = "/tmp/ct-scn-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, size, "%s/sut.conf", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    ct_diag_clear(d);
    int rc = ct_sut_load(out, path, d);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(rmdir(dir), 0);
    return rc;
}

static const char server_conf[] =
    "# An example server SUT\n"                                   /* 1 */
    "name          Example SyncML server 4.2\n"                   /* 2 */
    "role          server\n"                                      /* 3 */
    "url           http://127.0.0.1:8080/sync\n"                  /* 4 */
    "claims        ds ds.auth.basic\n"                            /* 5 */
    "claims        enc enc.*     # every algorithm\n"             /* 6 */
    "\n"                                                          /* 7 */
    "disable       enc.kt.replay   no replay cache: restarts between sessions\n" /* 8 */
    "disable       enc.pol.*  policies are not configurable\n"    /* 9 */
    "known-failure ds.auth.*  nonces repeat until 4.3\n"          /* 10 */
    "error         @FIELD_FAILED 400,500\n"                       /* 11 */
    "timeout       5s\n"                                          /* 12 */
    "encoding      wbxml\n";                                      /* 13 */

static struct ct_sut_config *server_config(char *path, size_t size)
{
    struct ct_sut_config *c = NULL;
    struct ct_diag d = {0};
    int rc = load_sut(server_conf, &c, &d, path, size);
    ck_assert_msg(rc == CT_OK, "load failed (%d): %s", rc, d.text);
    ck_assert_ptr_nonnull(c);
    return c;
}

START_TEST(sut_valid)
{
    char path[128];
    struct ct_sut_config *c = server_config(path, sizeof(path));
    ck_assert_str_eq(c->file, path);
    ck_assert_uint_eq(strlen(c->dir), strlen(path) - strlen("/sut.conf"));
    ck_assert(strncmp(c->dir, path, strlen(c->dir)) == 0);
    ck_assert_str_eq(c->name, "Example SyncML server 4.2");
    ck_assert_int_eq(c->role, CT_SCN_ROLE_SERVER);
    ck_assert(!c->builtin);
    ck_assert_str_eq(c->url, "http://127.0.0.1:8080/sync");
    ck_assert_ptr_null(c->sync_cmd);
    ck_assert_ptr_null(c->reset_cmd);
    ck_assert_ptr_null(c->server_cert);
    /* defaults */
    ck_assert_str_eq(c->user, "test");
    ck_assert_str_eq(c->password, "test");
    ck_assert_str_eq(c->db, "contacts");
    ck_assert_str_eq(c->device_id, "conftest-harness");
    ck_assert_str_eq(c->pki, "2048");

    ck_assert_uint_eq(c->n_claims, 4);
    ck_assert_str_eq(c->claims[0], "ds");
    ck_assert_str_eq(c->claims[1], "ds.auth.basic");
    ck_assert_str_eq(c->claims[2], "enc");
    ck_assert_str_eq(c->claims[3], "enc.*");
    ck_assert_uint_eq(c->n_disabled, 2);
    ck_assert_str_eq(c->disabled[0].pattern, "enc.kt.replay");
    ck_assert_str_eq(c->disabled[0].reason, "no replay cache: restarts between sessions");
    ck_assert_str_eq(c->disabled[1].pattern, "enc.pol.*");
    ck_assert_str_eq(c->disabled[1].reason, "policies are not configurable");
    ck_assert_uint_eq(c->n_known, 1);
    ck_assert_str_eq(c->known[0].pattern, "ds.auth.*");
    ck_assert_str_eq(c->known[0].reason, "nonces repeat until 4.3");
    ck_assert_uint_eq(c->n_errors, 1);
    ck_assert_str_eq(c->errors[0].name, "@FIELD_FAILED");
    ck_assert_str_eq(c->errors[0].codes, "400,500");
    ck_assert_uint_eq(c->timeout_ms, 5000);
    ck_assert_int_eq(c->encoding, CT_ENC_WBXML);
    ct_sut_free(c);
}
END_TEST

START_TEST(sut_client)
{
    static const char text[] = "role client\n"
                               "sync-cmd ./client --url {url} --user {user}\n"
                               "reset-cmd ./reset.sh\n"
                               "user u1\npassword p w\ndb calendar\ndevice-id dev-9\n"
                               "pki expired\nserver-cert x.pem\ntimeout 750ms\nencoding xml\n"
                               "name first\nname second\n";
    char path[128];
    struct ct_sut_config *c = NULL;
    struct ct_diag d = {0};
    ck_assert_int_eq(load_sut(text, &c, &d, path, sizeof(path)), CT_OK);
    ck_assert_int_eq(c->role, CT_SCN_ROLE_CLIENT);
    ck_assert_ptr_null(c->url);
    ck_assert_str_eq(c->sync_cmd, "./client --url {url} --user {user}");
    ck_assert_str_eq(c->reset_cmd, "./reset.sh");
    ck_assert_str_eq(c->user, "u1");
    ck_assert_str_eq(c->password, "p w");
    ck_assert_str_eq(c->db, "calendar");
    ck_assert_str_eq(c->device_id, "dev-9");
    ck_assert_str_eq(c->pki, "expired");
    ck_assert_str_eq(c->server_cert, "x.pem");
    ck_assert_uint_eq(c->timeout_ms, 750);
    ck_assert_int_eq(c->encoding, CT_ENC_XML);
    ck_assert_str_eq(c->name, "second"); /* the last one wins */
    ck_assert_uint_eq(c->n_claims, 0);
    ct_sut_free(c);

    /* Without a name, the config is named by its path. */
    ck_assert_int_eq(load_sut("role server\nurl http://x/\n", &c, &d, path, sizeof(path)), CT_OK);
    ck_assert_str_eq(c->name, path);
    ct_sut_free(c);
}
END_TEST

START_TEST(sut_claims)
{
    char path[128];
    struct ct_sut_config *c = server_config(path, sizeof(path));
    const char *missing = "untouched";
    char *have[] = {"ds", "enc", "enc.aes128-gcm", "ds.auth.basic", "enc.rsa-oaep-sha256"};
    ck_assert(ct_sut_claims(c, have, N_OF(have), &missing));
    ck_assert_str_eq(missing, "untouched");
    ck_assert(ct_sut_claims(c, have, 0, &missing));

    char *lacking[] = {"ds", "enc.aes128-gcm", "ds.auth.md5", "enc.x"};
    ck_assert(!ct_sut_claims(c, lacking, N_OF(lacking), &missing));
    ck_assert_str_eq(missing, "ds.auth.md5");
    char *not_glob[] = {"encx"}; /* "enc.*" needs the dot; "enc" is exact */
    ck_assert(!ct_sut_claims(c, not_glob, 1, &missing));
    ck_assert_str_eq(missing, "encx");
    char *no_ds_glob[] = {"ds.sync"};
    ck_assert(!ct_sut_claims(c, no_ds_glob, 1, &missing));
    ck_assert_str_eq(missing, "ds.sync");
    ct_sut_free(c);
}
END_TEST

START_TEST(sut_disabled_and_known)
{
    char path[128];
    struct ct_sut_config *c = server_config(path, sizeof(path));
    ck_assert_str_eq(ct_sut_disabled(c, "enc.kt.replay"), "no replay cache: restarts between sessions");
    ck_assert_ptr_null(ct_sut_disabled(c, "enc.kt.replay2"));
    ck_assert_ptr_null(ct_sut_disabled(c, "enc.kt"));
    ck_assert_str_eq(ct_sut_disabled(c, "enc.pol.optional"), "policies are not configurable");
    ck_assert_ptr_null(ct_sut_disabled(c, "enc.polx"));
    ck_assert_ptr_null(ct_sut_disabled(c, "ds.auth.md5-challenge"));
    ck_assert_str_eq(ct_sut_known_failure(c, "ds.auth.md5-challenge"), "nonces repeat until 4.3");
    ck_assert_ptr_null(ct_sut_known_failure(c, "ds.session.x"));
    ck_assert_ptr_null(ct_sut_known_failure(c, "enc.kt.replay"));
    ct_sut_free(c);
}
END_TEST

START_TEST(sut_codes)
{
    char path[128];
    struct ct_sut_config *c = server_config(path, sizeof(path));
    char out[64];
    ck_assert_int_eq(ct_sut_codes(c, "401", out, sizeof(out)), CT_OK);
    ck_assert_str_eq(out, "401");
    ck_assert_int_eq(ct_sut_codes(c, "@AUTH_MISSING", out, sizeof(out)), CT_OK);
    ck_assert_str_eq(out, "407");
    ck_assert_int_eq(ct_sut_codes(c, "@AUTH_OK", out, sizeof(out)), CT_OK);
    ck_assert_str_eq(out, "200,212");
    ck_assert_int_eq(ct_sut_codes(c, "@FIELD_FAILED", out, sizeof(out)), CT_OK);
    ck_assert_str_eq(out, "400,500"); /* the config's */
    ck_assert_int_eq(ct_sut_codes(NULL, "@FIELD_FAILED", out, sizeof(out)), CT_OK);
    ck_assert_str_eq(out, "400");     /* the default */
    ck_assert_int_eq(ct_sut_codes(c, "@NO_SUCH_NAME", out, sizeof(out)), CT_ERR_INVALID_ARG);
    ck_assert_int_eq(ct_sut_codes(c, "@field_failed", out, sizeof(out)), CT_ERR_INVALID_ARG);
    ct_sut_free(c);
}
END_TEST

START_TEST(sut_builtin)
{
    enum ct_scn_role roles[] = {CT_SCN_ROLE_SERVER, CT_SCN_ROLE_CLIENT};
    for (size_t i = 0; i < N_OF(roles); i++) {
        struct ct_sut_config *c = ct_sut_builtin(roles[i]);
        ck_assert_ptr_nonnull(c);
        ck_assert_int_eq(c->role, roles[i]);
        ck_assert(c->builtin);
        ck_assert_ptr_null(c->file);
        ck_assert_ptr_nonnull(strstr(c->name, ct_scn_role_name(roles[i])));
        ck_assert_int_eq(c->encoding, CT_ENC_XML);
        ck_assert_str_eq(c->user, "test");
        ck_assert_str_eq(c->password, "test");
        const char *missing = NULL;
        char *caps[] = {"ds", "ds.auth.md5", "enc", "enc.aes128-gcm", "enc.required", "enc.download"};
        ck_assert(ct_sut_claims(c, caps, N_OF(caps), &missing));
        ck_assert_ptr_null(missing);
        /* What the reference does not implement, it does not claim. */
        char *not_done[] = {"enc.aes128-cbc"}; /* an insecure mode: never */
        ck_assert(!ct_sut_claims(c, not_done, 1, &missing));
        ck_assert_str_eq(missing, "enc.aes128-cbc");
        ck_assert_ptr_null(ct_sut_disabled(c, "enc.kt.replay"));
        ck_assert_ptr_null(ct_sut_known_failure(c, "enc.kt.replay"));
        char out[16];
        ck_assert_int_eq(ct_sut_codes(c, "@FIELD_FAILED", out, sizeof(out)), CT_OK);
        ck_assert_str_eq(out, "400");
        ct_sut_free(c);
    }
}
END_TEST

#define SRV "role server\nurl http://x/\n"

static const struct scn_error sut_errors[] = {
    {SRV "frobnicate 1\n", 3, "unknown key frobnicate"},
    {SRV "disable enc.kt.replay\n", 3, "give a scenario id (or glob) and a reason"},
    {SRV "disable enc.kt.replay   # a comment is no reason\n", 3, "and a reason"},
    {SRV "known-failure ds.*\n", 3, "and a reason"},
    {"name x\nurl http://x/\n", 1, "no 'role'"},
    {"\n", 1, "no 'role'"},
    {"role server\nname x\n", 1, "a server SUT needs 'url'"},
    {"role client\nurl http://x/\n", 1, "a client SUT needs 'sync-cmd'"},
    {"role both\n", 1, "role is server or client, not both"},
    {SRV "encoding json\n", 3, "encoding is xml or wbxml, not json"},
    {SRV "error @NOPE 400\n", 3, "unknown status name @NOPE"},
    {SRV "error FIELD_FAILED 400\n", 3, "error takes @NAME CODES"},
    {SRV "error @FIELD_FAILED\n", 3, "error takes @NAME CODES"},
    {SRV "name\n", 3, "no value for name"},
    {SRV "  name x\n", 3, "indented line"},
    {SRV "timeout 601s\n", 3, "timeout is a number"},
    {SRV "timeout 600001ms\n", 3, "timeout is a number"},
    {SRV "timeout 0s\n", 3, "timeout is a number"},
    {SRV "timeout 5\n", 3, "timeout is a number"},
    {SRV "claims ds \"enc\n", 3, "unterminated quoted string"},
};

START_TEST(sut_errors_name_the_line)
{
    const struct scn_error *e = &sut_errors[_i];
    char path[128];
    struct ct_sut_config *c = (struct ct_sut_config *)&c;
    struct ct_diag d = {0};
    int rc = load_sut(e->text, &c, &d, path, sizeof(path));
    ck_assert_msg(rc == CT_ERR_PARSE, "rc %d for '%s' (%s)", rc, e->text, d.text);
    ck_assert_ptr_null(c);
    char prefix[160];
    snprintf(prefix, sizeof(prefix), "%s:%u: ", path, e->line);
    ck_assert_msg(strncmp(d.text, prefix, strlen(prefix)) == 0, "diag '%s', want '%s...'", d.text, prefix);
    ck_assert_msg(strstr(d.text, e->what) != NULL, "diag '%s' does not say '%s'", d.text, e->what);
}
END_TEST

START_TEST(sut_file_errors)
{
    struct ct_sut_config *c = (struct ct_sut_config *)&c;
    struct ct_diag d = {0};
    ck_assert_int_eq(ct_sut_load(&c, "/nonexistent/sut.conf", &d), CT_ERR_IO);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(d.text, "/nonexistent/sut.conf"));

    /* A line over CT_SCN_MAX_LINE bytes, on line 3. */
    struct ct_buf b;
    ct_buf_init(&b, 0);
    ck_assert_int_eq(ct_buf_append_str(&b, SRV "name "), CT_OK);
    for (size_t i = 5; i <= CT_SCN_MAX_LINE; i++)
        ck_assert_int_eq(ct_buf_append(&b, "n", 1), CT_OK);
    ck_assert_int_eq(ct_buf_append_str(&b, "\n"), CT_OK);
    char path[128];
    ck_assert_int_eq(load_sut((const char *)b.data, &c, &d, path, sizeof(path)), CT_ERR_PARSE);
    ck_assert_ptr_null(c);
    char want[160];
    snprintf(want, sizeof(want), "%s:3: line too long", path);
    ck_assert_str_eq(d.text, want);
    ct_buf_cleanup(&b);
}
END_TEST

Suite *suite_scn(void)
{
    Suite *s = suite_create("scn");
    TCase *tc = tcase_create("scn");
    tcase_add_test(tc, full_scenario);
    tcase_add_test(tc, crlf_line_endings);
    tcase_add_test(tc, client_role_and_defaults);
    tcase_add_test(tc, comments_and_blanks);
    tcase_add_test(tc, next_line);
    tcase_add_loop_test(tc, errors_name_the_line, 0, (int)N_OF(scn_errors));
    tcase_add_test(tc, line_length_limit);
    tcase_add_test(tc, nul_byte);
    tcase_add_test(tc, size_limit);
    tcase_add_test(tc, count_limits);
    tcase_add_test(tc, load_files);
    tcase_add_test(tc, tokenize);
    tcase_add_test(tc, every_prefix);
    tcase_add_test(tc, random_mutations);
    tcase_add_loop_test(tc, regression_step_errors, 0, (int)N_OF(step_errors));
    tcase_add_test(tc, regression_too_many_steps);
    tcase_add_loop_test(tc, regression_expect_with_argument, 0, (int)N_OF(expect_crashers));
    tcase_add_test(tc, regression_too_many_rules);
    tcase_add_test(tc, regression_second_class);
    tcase_add_test(tc, regression_comment_after_escaped_backslash);
    suite_add_tcase(s, tc);

    TCase *sut = tcase_create("sut-config");
    tcase_add_test(sut, sut_valid);
    tcase_add_test(sut, sut_client);
    tcase_add_test(sut, sut_claims);
    tcase_add_test(sut, sut_disabled_and_known);
    tcase_add_test(sut, sut_codes);
    tcase_add_test(sut, sut_builtin);
    tcase_add_loop_test(sut, sut_errors_name_the_line, 0, (int)N_OF(sut_errors));
    tcase_add_test(sut, sut_file_errors);
    suite_add_tcase(s, sut);
    return s;
}
