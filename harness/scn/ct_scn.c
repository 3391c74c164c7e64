/*
 * The scenario parser (docs/SCENARIOS.md). Line-oriented and strict: a header of `key value`
 * lines, then steps at column 0, each step's directives indented below it, `or` between the
 * alternatives of an expect. What a directive means is the engine's business; here each
 * keyword is checked against the table of what may appear where, with its argument counts, so
 * that a typo is a parse error with a line number rather than a surprise at run time.
 */
#include "scn/ct_scn.h"

#include "base/ct_buf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- lines and tokens ---- */

bool ct_scn_next_line(struct ct_scn_lines *it, char *buf, size_t size, bool *too_long)
{
    *too_long = false;
    if (it->p >= it->end)
        return false;
    const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    const char *eol = nl != NULL ? nl : it->end;
    size_t n = (size_t)(eol - it->p);
    if (n > 0 && it->p[n - 1] == '\r')
        n--;
    it->no++;
    if (n >= size || n > CT_SCN_MAX_LINE) {
        *too_long = true;
        n = 0;
    }
    /* Strip a comment: '#' at the start or after a blank, outside double quotes. */
    bool quoted = false;
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        char c = it->p[i];
        if (quoted && c == '\\' && i + 1 < n && (it->p[i + 1] == '"' || it->p[i + 1] == '\\')) {
            /* an escape inside quotes, as ct_scn_tokenize reads it: copy both, stay quoted */
            buf[out++] = c;
            buf[out++] = it->p[++i];
            continue;
        }
        if (c == '"')
            quoted = !quoted;
        if (c == '#' && !quoted && (i == 0 || it->p[i - 1] == ' ' || it->p[i - 1] == '\t'))
            break;
        buf[out++] = c;
    }
    while (out > 0 && (buf[out - 1] == ' ' || buf[out - 1] == '\t'))
        out--;
    buf[out] = '\0';
    it->p = nl != NULL ? nl + 1 : it->end;
    return true;
}

int ct_scn_tokenize(const char *line, char **toks, size_t max, const char **err)
{
    size_t n = 0;
    const char *p = line;
    *err = NULL;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            return (int)n;
        if (n == max) {
            *err = "too many arguments";
            goto fail;
        }
        struct ct_buf b;
        ct_buf_init(&b, CT_SCN_MAX_LINE + 1);
        if (*p == '"') {
            p++;
            while (*p != '"') {
                if (*p == '\0') {
                    ct_buf_cleanup(&b);
                    *err = "unterminated quoted string";
                    goto fail;
                }
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                    p++;
                ct_buf_append(&b, p, 1);
                p++;
            }
            p++;
            if (*p != '\0' && *p != ' ' && *p != '\t') {
                ct_buf_cleanup(&b);
                *err = "text right after a closing quote";
                goto fail;
            }
        } else {
            const char *s = p;
            while (*p != '\0' && *p != ' ' && *p != '\t')
                p++;
            ct_buf_append(&b, s, (size_t)(p - s));
        }
        if (ct_buf_append(&b, "", 1) != CT_OK) {
            ct_buf_cleanup(&b);
            *err = "out of memory";
            goto fail;
        }
        toks[n++] = (char *)ct_buf_steal(&b, NULL);
    }
fail:
    for (size_t i = 0; i < n; i++)
        free(toks[i]);
    return -1;
}

/* ---- what may appear where ---- */

struct keyword {
    const char *name;
    unsigned min, max; /* argument counts */
};

static const struct keyword header_keys[] = {
    {"id", 1, 1}, {"title", 1, 64}, {"rule", 1, 64}, {"role", 1, 1}, {"requires", 1, 32},
    {"class", 1, 1}, {"timeout", 1, 1},
};

/* Setup of the reference SUT and of conftest's side, per scenario (docs/SCENARIOS.md 2, Header). */
static const char *const param_keys[] = {
    "server-items",   /* the server SUT starts with N items in its first database */
    "client-items",   /* the client SUT starts with N local items */
    "client-mode",    /* the sync type the client SUT is asked for */
    "client-profile", /* off | pre-configured | download: how the client SUT uses the profile */
    "client-password",/* the password the client SUT is configured with */
    "client-auth",    /* basic | md5: what the client SUT sends first */
    "client-algs",    /* the algorithms the client SUT offers, comma-separated */
    "client-kt",      /* the key transport the client SUT wraps with */
    "pki",            /* the certificate conftest-as-server presents: vectors/pki/server-NAME */
    "server-auth",    /* basic | md5: what the server SUT challenges for */
    "server-require-profile", /* yes: the server SUT refuses plain sessions */
    "server-max-msg-size",    /* the MaxMsgSize the server SUT announces */
    "server-algs",    /* the algorithms the server SUT accepts, comma-separated, preferred first */
    "server-kts",     /* the key transports the server SUT accepts, comma-separated */
    "vectors",        /* run once per test of a Wycheproof RSA file, its keys the builtin's */
    "encoding",       /* xml | wbxml: conftest's messages (default: the SUT config's) */
    "catches",        /* the seeded bugs of the reference this scenario must catch (proof) */
};

static const struct keyword send_dirs[] = {
    {"set", 2, 2},          /* set XPATH VALUE: the text of every match */
    {"remove", 1, 1},       /* remove XPATH */
    {"add", 2, 2},          /* add XPATH XML-FRAGMENT: append to every match */
    {"auth", 1, 4},         /* auth none|basic|md5|clear [user=] [password=] [nonce=] */
    {"offer", 0, 8},        /* offer [alg=] [kt=] [parts=] [key=] [kid=] ...: conftest as client */
    {"select", 0, 4},       /* select [alg=] [parts=] [confirm=bad]: conftest as server */
    {"caps", 0, 1},         /* caps [required]: the capability list (406) */
    {"encrypt", 0, 2},      /* encrypt [bad-padding=N] [ignore-limit=1]: seal the fields of the parts in force */
    {"mutate", 2, 7},       /* mutate field N PART OP ARGS | key OP ARGS | bytes OP ARGS */
    {"statuses", 0, 16},    /* statuses [CMD=CODE]... [hdr-only]: a Status for each command received */
    {"encoding", 1, 1},     /* xml | wbxml */
    {"content-type", 1, 1}, /* the HTTP Content-Type, as given */
    {"chal", 1, 1},         /* chal basic|md5: a challenge in the SyncHdr's Status (fresh nonce) */
};

static const struct keyword expect_dirs[] = {
    {"http", 1, 8},          /* http CODE...: the HTTP status (a code, or a class: 4xx) */
    {"status", 2, 3},        /* status CMD CODES [count=N] */
    {"no-status", 1, 1},     /* no-status CMD */
    {"xpath", 1, 64},        /* xpath EXPR [== VALUE | != VALUE] */
    {"absent", 1, 64},       /* absent EXPR: selects nothing */
    {"count", 2, 64},        /* count EXPR N */
    {"capture", 2, 64},      /* capture NAME EXPR */
    {"encrypted", 1, 3},     /* encrypted PART...: every field of these parts came sealed and opened */
    {"clear", 0, 0},         /* no field carries the marker */
    {"distinct-ivs", 0, 3},  /* distinct-ivs [PART...]: no IV or nonce seen twice in the scenario */
    {"selection", 0, 0},     /* a valid selection for our offer (ENC-NEG-6/7) */
    {"no-selection", 0, 0},
    {"caps", 0, 1},          /* caps [required]: a capability list */
    {"offered", 0, 4},       /* offered [alg=] [kt=] [parts=]: the client's offer, and we could accept it */
    {"no-offer", 0, 0},
    {"final", 0, 0},
    {"no-final", 0, 0},
    {"message", 0, 0},       /* any well-formed SyncML message */
    {"max-size", 1, 1},      /* max-size BYTES: the encoded message is at most this long */
    {"encoding", 1, 1},      /* encoding xml|wbxml: the encoding it came in */
    {"malformed", 0, 0},     /* a body that is not a well-formed SyncML message */
    {"closed", 0, 0},        /* the connection closed without an answer */
    {"timeout", 0, 0},       /* nothing within the step's timeout */
    {"transport-error", 0, 0},
    {"end", 0, 1},           /* end [ok|failed]: a client SUT ended instead of sending */
    {"cred", 1, 2},          /* cred none|ok|bad [basic|md5|clear]: a client SUT's credential */
    {"next-session", 0, 0},  /* when this alternative wins, skip to the next `session` step */
};

static const struct keyword *find_kw(const struct keyword *t, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the parse ---- */

struct parser {
    struct ct_scn *s;
    struct ct_diag *diag;
    const char *file;
    unsigned line;
    bool in_header;
};

static int perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parser *p, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ct_diag_set(p->diag, CT_ERR_PARSE, "%s:%u: %s", p->file, p->line, msg);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static void free_toks(char **t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i]);
    free(t);
}

static void dir_cleanup(struct ct_scn_dir *d)
{
    free(d->name);
    free_toks(d->args, d->n_args);
    free(d->rest);
}

/* Grow an array by one zeroed element; returns it or NULL. */
static void *push(void **arr, size_t *n, size_t elem, size_t max)
{
    if (*n >= max)
        return NULL;
    void *p = realloc(*arr, (*n + 1) * elem);
    if (p == NULL)
        return NULL;
    *arr = p;
    void *e = (char *)p + *n * elem;
    memset(e, 0, elem);
    (*n)++;
    return e;
}

static bool valid_id(const char *id)
{
    if (!islower((unsigned char)id[0]) && !isdigit((unsigned char)id[0]))
        return false;
    for (const char *c = id; *c != '\0'; c++)
        if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '.' && *c != '-')
            return false;
    return strlen(id) <= 128;
}

/* ---- arguments that must be one of a few words, or key=value with known keys ---- */

struct arg_rule {
    const char *dir;   /* directive (or "session" for the step's settings) */
    int pos;           /* the argument it applies to; -1: every key=value argument */
    const char *words; /* allowed words or keys, separated by '|' */
};

static const struct arg_rule arg_rules[] = {
    {"auth", 0, "none|basic|md5|clear"},
    {"auth", -1, "user|password|nonce"},
    {"offer", -1, "alg|kt|parts|key|kid|t|blob-version|blob-len|text|wrapped"},
    {"select", -1, "alg|parts|confirm"},
    {"encrypt", -1, "bad-padding|ignore-limit"},
    {"caps", 0, "required"},
    {"encoding", 0, "xml|wbxml"},
    {"mutate", 0, "field|key|bytes"},
    {"status", -1, "count"},
    {"end", 0, "ok|failed|crashed|any"},
    {"chal", 0, "basic|md5"},
    {"offered", -1, "alg|kt|parts"},
    {"cred", 0, "none|ok|bad"},
    {"cred", 1, "basic|md5|clear"},
    {"encrypted", 0, "cred|devinf|data"},
    {"encrypted", 1, "cred|devinf|data"},
    {"encrypted", 2, "cred|devinf|data"},
    {"distinct-ivs", 0, "cred|devinf|data"},
    {"distinct-ivs", 1, "cred|devinf|data"},
    {"distinct-ivs", 2, "cred|devinf|data"},
    {"session", -1, "mode|password|auth|profile|items|algs|kt"},
};

static bool word_in(const char *w, size_t len, const char *words)
{
    for (const char *p = words; *p != '\0';) {
        size_t n = strcspn(p, "|");
        if (n == len && strncmp(p, w, n) == 0)
            return true;
        p += n + (p[n] == '|');
    }
    return false;
}

/* Check a directive's (or session's) arguments against arg_rules: a misspelt keyword is an error
 * here, not an option silently ignored at run time. */
static int check_words(struct parser *p, const char *name, char *const *args, size_t n)
{
    /* Directives whose every argument is key=value. */
    static const char *const kv_only[] = {"offer", "select", "encrypt", "offered", "session"};
    for (size_t k = 0; k < N_OF(kv_only); k++)
        for (size_t i = 0; strcmp(kv_only[k], name) == 0 && i < n; i++)
            if (strchr(args[i], '=') == NULL)
                return perr(p, "%s: '%s' is not key=value", name, args[i]);
    for (size_t r = 0; r < N_OF(arg_rules); r++) {
        const struct arg_rule *a = &arg_rules[r];
        if (strcmp(a->dir, name) != 0)
            continue;
        for (size_t i = 0; i < n; i++) {
            if (a->pos >= 0 && (size_t)a->pos != i)
                continue;
            const char *eq = strchr(args[i], '=');
            if (a->pos < 0 && eq == NULL)
                continue; /* a positional argument, checked by its own rule */
            size_t len = a->pos < 0 ? (size_t)(eq - args[i]) : strlen(args[i]);
            if (!word_in(args[i], len, a->words))
                return perr(p, "%s: '%.*s' is not one of %s", name, (int)len, args[i], a->words);
        }
    }
    return CT_OK;
}

static int check_args(struct parser *p, const struct ct_scn_dir *d)
{
    return check_words(p, d->name, d->args, d->n_args);
}

/* Split "name rest" into a directive with its tokens. */
static int make_dir(struct parser *p, const char *text, const struct keyword *table, size_t n_table,
                    const char *context, struct ct_scn_dir *d)
{
    char *toks[CT_SCN_MAX_TOKENS + 1];
    const char *err = NULL;
    int n = ct_scn_tokenize(text, toks, CT_SCN_MAX_TOKENS + 1, &err);
    if (n < 0)
        return perr(p, "%s", err);
    if (n == 0)
        return perr(p, "empty directive");
    d->line = p->line;
    d->name = toks[0];
    d->n_args = (size_t)n - 1;
    d->args = malloc(sizeof(char *) * (d->n_args + 1));
    if (d->args == NULL) {
        for (int i = 1; i < n; i++)
            free(toks[i]);
        return ct_diag_set(p->diag, CT_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < d->n_args; i++)
        d->args[i] = toks[i + 1];
    const char *rest = text;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    rest += strcspn(rest, " \t");
    while (*rest == ' ' || *rest == '\t')
        rest++;
    d->rest = dup_str(rest);
    if (d->rest == NULL)
        return ct_diag_set(p->diag, CT_ERR_NOMEM, "out of memory");
    const struct keyword *kw = find_kw(table, n_table, d->name);
    if (kw == NULL)
        return perr(p, "'%s' is not a directive of %s (docs/SCENARIOS.md)", d->name, context);
    if (d->n_args < kw->min)
        return perr(p, "'%s' needs more arguments", d->name);
    /* Free-text directives count words loosely; the others are exact. */
    if (d->n_args > kw->max)
        return perr(p, "'%s' has too many arguments", d->name);
    return check_args(p, d);
}

static int header_line(struct parser *p, const char *key, const char *value)
{
    struct ct_scn *s = p->s;
    const struct keyword *kw = find_kw(header_keys, N_OF(header_keys), key);
    if (kw == NULL) {
        bool param = false;
        for (size_t i = 0; i < N_OF(param_keys); i++)
            param = param || strcmp(param_keys[i], key) == 0;
        if (!param)
            return perr(p, "unknown header '%s'", key);
        if (*value == '\0')
            return perr(p, "'%s' needs a value", key);
        for (size_t i = 0; i < s->n_params; i++)
            if (strcmp(s->params[i].key, key) == 0)
                return perr(p, "'%s' given twice", key);
        struct ct_scn_kv *kv = push((void **)&s->params, &s->n_params, sizeof(*kv), 64);
        if (kv == NULL || (kv->key = dup_str(key)) == NULL || (kv->value = dup_str(value)) == NULL)
            return ct_diag_set(p->diag, CT_ERR_NOMEM, "out of memory");
        kv->line = p->line;
        return CT_OK;
    }
    if (*value == '\0')
        return perr(p, "'%s' needs a value", key);
    if (strcmp(key, "id") == 0) {
        if (s->id != NULL)
            return perr(p, "a second id");
        if (!valid_id(value))
            return perr(p, "id '%s': lowercase letters, digits, '.' and '-' only", value);
        return (s->id = dup_str(value)) != NULL ? CT_OK : CT_ERR_NOMEM;
    }
    if (strcmp(key, "title") == 0) {
        if (s->title != NULL)
            return perr(p, "a second title");
        return (s->title = dup_str(value)) != NULL ? CT_OK : CT_ERR_NOMEM;
    }
    if (strcmp(key, "rule") == 0) {
        if (s->n_rules == 64)
            return perr(p, "more than 64 rule lines");
        char **r = push((void **)&s->rules, &s->n_rules, sizeof(char *), 64);
        return r != NULL && (*r = dup_str(value)) != NULL ? CT_OK : CT_ERR_NOMEM;
    }
    if (strcmp(key, "role") == 0) {
        if (s->role != 0)
            return perr(p, "a second role");
        if (strcmp(value, "server") == 0)
            s->role = CT_SCN_ROLE_SERVER;
        else if (strcmp(value, "client") == 0)
            s->role = CT_SCN_ROLE_CLIENT;
        else
            return perr(p, "role '%s': server or client (the SUT's role)", value);
        return CT_OK;
    }
    if (strcmp(key, "requires") == 0) {
        char *toks[32];
        const char *err = NULL;
        int n = ct_scn_tokenize(value, toks, 32, &err);
        if (n < 0)
            return perr(p, "%s", err);
        if (s->n_requires + (size_t)n > 64) {
            for (int i = 0; i < n; i++)
                free(toks[i]);
            return perr(p, "more than 64 capabilities in requires");
        }
        for (int i = 0; i < n; i++) {
            char **r = push((void **)&s->requires, &s->n_requires, sizeof(char *), 64);
            if (r == NULL) {
                for (int k = i; k < n; k++)
                    free(toks[k]);
                return ct_diag_set(p->diag, CT_ERR_NOMEM, "out of memory");
            }
            *r = toks[i];
        }
        return CT_OK;
    }
    if (strcmp(key, "class") == 0) {
        if (s->class_name != NULL)
            return perr(p, "a second class");
        return (s->class_name = dup_str(value)) != NULL ? CT_OK : CT_ERR_NOMEM;
    }
    if (strcmp(key, "timeout") == 0) {
        if (s->timeout_ms != 0)
            return perr(p, "a second timeout");
        char *end = NULL;
        unsigned long v = strtoul(value, &end, 10);
        if (end == value || v == 0 || v > 600000 || (strcmp(end, "ms") != 0 && strcmp(end, "s") != 0))
            return perr(p, "timeout '%s': a number with ms or s, at most 600 s", value);
        s->timeout_ms = (unsigned)(strcmp(end, "s") == 0 ? v * 1000 : v);
        if (s->timeout_ms > 600000)
            return perr(p, "timeout '%s': at most 600 s", value);
        return CT_OK;
    }
    return CT_ERR_INTERNAL;
}

static const char *verb_names[] = {"send", "expect", "session", "resend", "sleep", "set", "hangup"};

static bool is_step(const char *word)
{
    for (size_t v = 0; v < N_OF(verb_names); v++)
        if (strcmp(word, verb_names[v]) == 0)
            return true;
    return false;
}

static int step_line(struct parser *p, const char *text)
{
    struct ct_scn *s = p->s;
    char *toks[CT_SCN_MAX_TOKENS];
    const char *err = NULL;
    int n = ct_scn_tokenize(text, toks, CT_SCN_MAX_TOKENS, &err);
    if (n <= 0)
        return perr(p, "%s", err != NULL ? err : "empty step");
    int verb = -1;
    for (int v = 0; v < (int)N_OF(verb_names); v++)
        if (strcmp(toks[0], verb_names[v]) == 0)
            verb = v;
    if (verb < 0) {
        int rc = find_kw(header_keys, N_OF(header_keys), toks[0]) != NULL
                     ? perr(p, "header '%s' after the first step", toks[0])
                     : perr(p, "'%s' is not a step (send, expect, session, resend, sleep, set, hangup, or)", toks[0]);
        for (int i = 0; i < n; i++)
            free(toks[i]);
        return rc;
    }
    free(toks[0]);
    struct ct_scn_step *st = push((void **)&s->steps, &s->n_steps, sizeof(*st), CT_SCN_MAX_STEPS);
    if (st == NULL) {
        for (int i = 1; i < n; i++)
            free(toks[i]);
        return n > 0 && s->n_steps >= CT_SCN_MAX_STEPS ? perr(p, "too many steps")
                                                       : ct_diag_set(p->diag, CT_ERR_NOMEM, "out of memory");
    }
    st->verb = (enum ct_scn_verb)verb;
    st->line = p->line;
    st->n_args = (size_t)n - 1;
    st->args = malloc(sizeof(char *) * (st->n_args + 1));
    if (st->args == NULL) {
        st->n_args = 0;
        for (int i = 1; i < n; i++)
            free(toks[i]);
        return ct_diag_set(p->diag, CT_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < st->n_args; i++)
        st->args[i] = toks[i + 1];
    static const unsigned min_args[] = {1, 0, 0, 1, 1, 2, 0};
    static const unsigned max_args[] = {1, 0, 16, 1, 1, 2, 0};
    _Static_assert(N_OF(min_args) == CT_SCN_HANGUP + 1 && N_OF(max_args) == CT_SCN_HANGUP + 1, "one per verb");
    if (st->n_args < min_args[verb] || st->n_args > max_args[verb])
        return perr(p, "'%s' takes %s", verb_names[verb],
                    verb == CT_SCN_SEND     ? "one template name"
                    : verb == CT_SCN_EXPECT ? "no arguments (directives go on the lines below)"
                    : verb == CT_SCN_SESSION ? "key=value settings"
                    : verb == CT_SCN_RESEND ? "the number of an earlier message we sent"
                    : verb == CT_SCN_SLEEP  ? "milliseconds"
                    : verb == CT_SCN_SET    ? "a name and a value"
                                            : "no arguments");
    if (verb == CT_SCN_EXPECT) {
        struct ct_scn_alt *a = push((void **)&st->alts, &st->n_alts, sizeof(*a), 16);
        if (a == NULL)
            return ct_diag_set(p->diag, CT_ERR_NOMEM, "out of memory");
        a->line = p->line;
    }
    if (verb == CT_SCN_SESSION) {
        for (size_t i = 0; i < st->n_args; i++)
            if (strchr(st->args[i], '=') == NULL)
                return perr(p, "session setting '%s' is not key=value", st->args[i]);
        return check_words(p, "session", st->args, st->n_args);
    }
    return CT_OK;
}

static int detail_line(struct parser *p, const char *text)
{
    struct ct_scn *s = p->s;
    if (s->n_steps == 0)
        return perr(p, "an indented line before the first step");
    struct ct_scn_step *st = &s->steps[s->n_steps - 1];
    struct ct_scn_dir *d;
    if (st->verb == CT_SCN_SEND) {
        d = push((void **)&st->dirs, &st->n_dirs, sizeof(*d), 256);
        if (d == NULL)
            return perr(p, "too many directives");
        return make_dir(p, text, send_dirs, N_OF(send_dirs), "send", d);
    }
    if (st->verb == CT_SCN_EXPECT) {
        if (st->n_alts == 0)
            return perr(p, "the expect above is broken");
        struct ct_scn_alt *a = &st->alts[st->n_alts - 1];
        d = push((void **)&a->dirs, &a->n_dirs, sizeof(*d), 256);
        if (d == NULL)
            return perr(p, "too many directives");
        return make_dir(p, text, expect_dirs, N_OF(expect_dirs), "expect", d);
    }
    return perr(p, "'%s' takes no indented directives", verb_names[st->verb]);
}

/* "or [directive]": a new alternative of the expect just above. */
static int or_line(struct parser *p, const char *rest)
{
    struct ct_scn *s = p->s;
    if (s->n_steps == 0 || s->steps[s->n_steps - 1].verb != CT_SCN_EXPECT)
        return perr(p, "'or' must follow an expect (it starts another alternative)");
    struct ct_scn_step *st = &s->steps[s->n_steps - 1];
    if (st->n_alts == 0)
        return perr(p, "the expect above is broken");
    if (st->alts[st->n_alts - 1].n_dirs == 0)
        return perr(p, "the alternative before 'or' is empty");
    struct ct_scn_alt *a = push((void **)&st->alts, &st->n_alts, sizeof(*a), 16);
    if (a == NULL)
        return perr(p, "too many alternatives");
    a->line = p->line;
    if (*rest == '\0')
        return CT_OK;
    struct ct_scn_dir *d = push((void **)&a->dirs, &a->n_dirs, sizeof(*d), 256);
    if (d == NULL)
        return ct_diag_set(p->diag, CT_ERR_NOMEM, "out of memory");
    return make_dir(p, rest, expect_dirs, N_OF(expect_dirs), "expect", d);
}

static int check_whole(struct parser *p)
{
    struct ct_scn *s = p->s;
    p->line = 1;
    if (s->id == NULL)
        return perr(p, "no 'id' header");
    if (s->title == NULL)
        return perr(p, "no 'title' header");
    if (s->n_rules == 0)
        return perr(p, "no 'rule' header: say which requirement this checks");
    if (s->role == 0)
        return perr(p, "no 'role' header (server or client: the SUT's role)");
    if (s->n_steps == 0)
        return perr(p, "no steps");
    for (size_t i = 0; i < s->n_steps; i++) {
        const struct ct_scn_step *st = &s->steps[i];
        p->line = st->line;
        if (st->verb == CT_SCN_EXPECT)
            for (size_t k = 0; k < st->n_alts; k++)
                if (st->alts[k].n_dirs == 0) {
                    p->line = st->alts[k].line;
                    return perr(p, "an expect alternative with no directive");
                }
    }
    return CT_OK;
}

int ct_scn_parse(struct ct_scn **out, const char *file, const char *text, size_t len,
                 struct ct_diag *diag)
{
    *out = NULL;
    if (len > CT_SCN_MAX_BYTES)
        return ct_diag_set(diag, CT_ERR_TOO_BIG, "%s: over %u bytes", file, CT_SCN_MAX_BYTES);
    const char *nul = memchr(text, '\0', len);
    if (nul != NULL) {
        unsigned line = 1;
        for (const char *c = text; c < nul; c++)
            line += *c == '\n';
        return ct_diag_set(diag, CT_ERR_PARSE, "%s:%u: a NUL byte: not a text file", file, line);
    }
    struct ct_scn *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->file = dup_str(file)) == NULL) {
        free(s);
        return ct_diag_set(diag, CT_ERR_NOMEM, "out of memory");
    }
    struct parser p = {s, diag, file, 0, true};
    struct ct_scn_lines it = {text, text + len, 0};
    char *line = malloc(CT_SCN_MAX_LINE + 2);
    int rc = line != NULL ? CT_OK : CT_ERR_NOMEM;
    bool too_long;
    while (rc == CT_OK && ct_scn_next_line(&it, line, CT_SCN_MAX_LINE + 2, &too_long)) {
        p.line = it.no;
        if (too_long) {
            rc = perr(&p, "line longer than %u bytes", CT_SCN_MAX_LINE);
            break;
        }
        if (line[0] == '\0')
            continue;
        if (strchr(line, '\t') != NULL) {
            rc = perr(&p, "a tab: indent with spaces");
            break;
        }
        bool indented = line[0] == ' ';
        const char *t = line;
        while (*t == ' ')
            t++;
        size_t kl = strcspn(t, " ");
        char key[64];
        snprintf(key, sizeof(key), "%.*s", (int)(kl < 63 ? kl : 63), t);
        const char *rest = t + kl;
        while (*rest == ' ')
            rest++;
        if (indented)
            rc = p.in_header ? perr(&p, "an indented line in the header") : detail_line(&p, t);
        else if (strcmp(key, "or") == 0)
            rc = or_line(&p, rest);
        else if (is_step(key) || !p.in_header) {
            p.in_header = false;
            rc = step_line(&p, t);
        }
        else
            rc = header_line(&p, key, rest);
        if (rc == CT_ERR_NOMEM)
            ct_diag_set(diag, CT_ERR_NOMEM, "out of memory");
    }
    free(line);
    if (rc == CT_OK)
        rc = check_whole(&p);
    if (rc != CT_OK) {
        ct_scn_free(s);
        return rc;
    }
    *out = s;
    return CT_OK;
}

int ct_scn_load(struct ct_scn **out, const char *path, struct ct_diag *diag)
{
    struct ct_buf b;
    ct_buf_init(&b, CT_SCN_MAX_BYTES + 1);
    *out = NULL;
    int rc = ct_buf_read_file(&b, path);
    if (rc != CT_OK) {
        ct_buf_cleanup(&b);
        return ct_diag_set(diag, rc == CT_ERR_TOO_BIG ? CT_ERR_TOO_BIG : CT_ERR_IO, "%s: %s", path,
                           rc == CT_ERR_TOO_BIG ? "over 1 MiB" : "cannot read");
    }
    rc = ct_scn_parse(out, path, (const char *)b.data, b.len, diag);
    ct_buf_cleanup(&b);
    return rc;
}

void ct_scn_free(struct ct_scn *s)
{
    if (s == NULL)
        return;
    free(s->file);
    free(s->id);
    free(s->title);
    free_toks(s->rules, s->n_rules);
    free_toks(s->requires, s->n_requires);
    free(s->class_name);
    for (size_t i = 0; i < s->n_params; i++) {
        free(s->params[i].key);
        free(s->params[i].value);
    }
    free(s->params);
    for (size_t i = 0; i < s->n_steps; i++) {
        struct ct_scn_step *st = &s->steps[i];
        free_toks(st->args, st->n_args);
        for (size_t k = 0; k < st->n_dirs; k++)
            dir_cleanup(&st->dirs[k]);
        free(st->dirs);
        for (size_t a = 0; a < st->n_alts; a++) {
            for (size_t k = 0; k < st->alts[a].n_dirs; k++)
                dir_cleanup(&st->alts[a].dirs[k]);
            free(st->alts[a].dirs);
        }
        free(st->alts);
    }
    free(s->steps);
    free(s);
}

const char *ct_scn_param(const struct ct_scn *s, const char *key)
{
    for (size_t i = 0; i < s->n_params; i++)
        if (strcmp(s->params[i].key, key) == 0)
            return s->params[i].value;
    return NULL;
}

const char *ct_scn_role_name(enum ct_scn_role role)
{
    return role == CT_SCN_ROLE_SERVER ? "server" : role == CT_SCN_ROLE_CLIENT ? "client" : "?";
}
