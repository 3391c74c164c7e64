/*
 * Where a step is judged: one expect alternative against what came back (docs/SCENARIOS.md
 * 4.3). Every directive either holds or says, in one line, what it found instead; the first
 * alternative whose directives all hold wins. XPath runs over a namespace-free copy of the
 * message as opened (encrypted fields decrypted), so scenarios write //SyncHdr/SessionID.
 */
#include "engine/ct_eng_int.h"

#include "syncml/ct_summary.h"
#include "syncml/ct_view.h"

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- XPath ---- */

static void strip_ns(xmlNode *n)
{
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        n->ns = NULL;
        if (n->nsDef != NULL) {
            xmlFreeNsList(n->nsDef);
            n->nsDef = NULL;
        }
        for (xmlAttr *a = n->properties; a != NULL; a = a->next)
            a->ns = NULL;
        strip_ns(n->children);
    }
}

static void silent(void *ctx, xmlError *err)
{
    (void)ctx;
    (void)err;
}

int eng_xpath_eval(struct eng *e, xmlDoc *doc, const char *expr, unsigned line, struct eng_xpath *x)
{
    memset(x, 0, sizeof(*x));
    x->copy = xmlCopyDoc(doc, 1);
    if (x->copy == NULL)
        return CT_ERR_NOMEM;
    strip_ns(xmlDocGetRootElement(x->copy));
    xmlXPathContext *ctx = xmlXPathNewContext(x->copy);
    if (ctx == NULL) {
        eng_xpath_done(x);
        return CT_ERR_NOMEM;
    }
    xmlStructuredErrorFunc old = xmlStructuredError;
    void *old_ctx = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(NULL, silent);
    x->res = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    xmlSetStructuredErrorFunc(old_ctx, old);
    xmlXPathFreeContext(ctx);
    if (x->res == NULL) {
        eng_xpath_done(x);
        return eng_error(e, line, "'%s' is not a valid XPath 1.0 expression", expr);
    }
    return CT_OK;
}

void eng_xpath_done(struct eng_xpath *x)
{
    if (x->res != NULL)
        xmlXPathFreeObject(x->res);
    if (x->copy != NULL)
        xmlFreeDoc(x->copy);
    memset(x, 0, sizeof(*x));
}

xmlNode *eng_xpath_map(xmlDoc *doc, xmlNode *n)
{
    /* Only nodes of the tree proper have parent and sibling links (a namespace node from
     * namespace::* is an xmlNs, an attribute is not a child): anything else maps to nothing. */
    if (n == NULL || (n->type != XML_ELEMENT_NODE && n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE &&
                      n->type != XML_COMMENT_NODE && n->type != XML_PI_NODE))
        return NULL;
    /* The copy has the same shape: follow the same child indexes down from the document. */
    size_t idx[256], depth = 0;
    for (xmlNode *c = n; c != NULL && c->type != XML_DOCUMENT_NODE; c = c->parent) {
        if (depth == 256)
            return NULL;
        size_t i = 0;
        for (xmlNode *s = c->prev; s != NULL; s = s->prev)
            i++;
        idx[depth++] = i;
    }
    xmlNode *cur = (xmlNode *)doc;
    while (depth > 0 && cur != NULL) {
        size_t i = idx[--depth];
        cur = cur->children;
        while (cur != NULL && i-- > 0)
            cur = cur->next;
    }
    return cur;
}

/* ---- helpers ---- */

static bool say(char *why, size_t size, const struct ct_scn_dir *d, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool say(char *why, size_t size, const struct ct_scn_dir *d, const char *fmt, ...)
{
    int n = snprintf(why, size, "line %u: %s: ", d->line, d->name);
    if (n < 0 || (size_t)n >= size)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + n, size - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static const char *arg_of(const struct ct_scn_dir *d, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < d->n_args; i++)
        if (strncmp(d->args[i], key, kl) == 0 && d->args[i][kl] == '=')
            return d->args[i] + kl + 1;
    return NULL;
}

/* Whether code is in a comma- or |-separated list. */
static bool in_list(const char *list, const char *code)
{
    size_t cl = strlen(code);
    for (const char *p = list; *p != '\0';) {
        size_t n = strcspn(p, ",|");
        if (n == cl && strncmp(p, code, n) == 0)
            return true;
        p += n;
        if (*p != '\0')
            p++;
    }
    return false;
}

/* A scenario's code list ("401|407", "@AUTH_OK", "@AUTH_OK|401") resolved to numbers. */
static bool resolve_codes(struct eng *e, const struct ct_scn_dir *d, const char *spec, char *out, size_t size)
{
    out[0] = '\0';
    size_t len = 0;
    for (const char *p = spec; *p != '\0';) {
        size_t n = strcspn(p, ",|");
        char one[64], codes[128];
        snprintf(one, sizeof(one), "%.*s", (int)(n < 63 ? n : 63), p);
        if (ct_sut_codes(e->sut, one, codes, sizeof(codes)) != CT_OK) {
            eng_error(e, d->line, "%s: unknown status name '%s' (docs/SCENARIOS.md 5.1)", d->name, one);
            return false;
        }
        len += (size_t)snprintf(out + len, size > len ? size - len : 0, "%s%s", len > 0 ? "," : "", codes);
        p += n;
        if (*p != '\0')
            p++;
    }
    return len < size;
}

/* Whether a top-level command is a Status answering cmd ("SyncHdr" is CmdRef 0). */
static bool status_answers(const struct ct_cmd *c, const char *cmd)
{
    if (c->kind != CT_CMD_STATUS)
        return false;
    return c->cmd != NULL ? strcmp(c->cmd, cmd) == 0
                          : strcmp(cmd, "SyncHdr") == 0 && c->cmd_ref != NULL && strcmp(c->cmd_ref, "0") == 0;
}

/* "EXPR", or EXPR OP VALUE with OP one of == != ~ (contains); the last operator splits. */
static void split_cmp(const char *rest, char *expr, size_t esize, char *value, size_t vsize, int *op)
{
    static const char *const ops[] = {" == ", " != ", " ~ "};
    const char *at = NULL;
    *op = 0;
    for (int k = 0; k < 3; k++)
        for (const char *p = strstr(rest, ops[k]); p != NULL; p = strstr(p + 1, ops[k]))
            if (at == NULL || p > at) {
                at = p;
                *op = k + 1;
            }
    if (at == NULL) {
        snprintf(expr, esize, "%s", rest);
        value[0] = '\0';
        return;
    }
    snprintf(expr, esize, "%.*s", (int)(at - rest), rest);
    const char *v = at + strlen(ops[*op - 1]);
    size_t vl = strlen(v);
    if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') /* a quoted value keeps its blanks */
        snprintf(value, vsize, "%.*s", (int)(vl - 2), v + 1);
    else
        snprintf(value, vsize, "%s", v);
}

static void shorten(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = in; *p != '\0' && n + 4 < size; p++)
        out[n++] = (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p;
    if (strlen(in) >= size - 4)
        memcpy(out + (n > 3 ? n - 3 : 0), "...", 3);
    out[n] = '\0';
}

/* Evaluate EXPR (after ${} expansion) on the received message. */
static bool eval_expr(struct eng *e, const struct ct_scn_dir *d, const char *raw, struct eng_xpath *x)
{
    struct ct_buf b;
    ct_buf_init(&b, ENG_VAR_MAX + 4096);
    bool ok = eng_expand(e, raw, false, &b, d->name, d->line) == CT_OK &&
              eng_xpath_eval(e, ct_msg_doc(e->in), (const char *)b.data, d->line, x) == CT_OK;
    ct_buf_cleanup(&b);
    return ok;
}

static bool result_true(const xmlXPathObject *r)
{
    if (r->type == XPATH_NODESET)
        return r->nodesetval != NULL && r->nodesetval->nodeNr > 0;
    return xmlXPathCastToBoolean((xmlXPathObject *)r) != 0;
}

/* ---- the directives ---- */

static bool judge_dir(struct eng *e, const struct ct_scn_dir *d, char *why, size_t size)
{
    const char *n = d->name;
    const struct ct_outcome *o = &e->out;
    /* Outcome kinds: already matched by the caller. */
    if (strcmp(n, "closed") == 0 || strcmp(n, "timeout") == 0 || strcmp(n, "transport-error") == 0 ||
        strcmp(n, "malformed") == 0)
        return true;
    /* Not a check: what to do when the alternative wins (do_expect). */
    if (strcmp(n, "next-session") == 0)
        return true;
    if (strcmp(n, "message") == 0)
        return e->in != NULL || say(why, size, d, "not a SyncML message: %s", e->in_error);
    if (strcmp(n, "end") == 0) {
        /* A crash (killed by a signal, 128+n) is never a clean failure. */
        bool crashed = o->exit_status >= 128;
        if (d->n_args == 0 || strcmp(d->args[0], "any") == 0)
            return true;
        bool ok = strcmp(d->args[0], "ok") == 0        ? o->exit_status == 0
                  : strcmp(d->args[0], "crashed") == 0 ? crashed
                                                       : o->exit_status != 0 && !crashed;
        return ok || say(why, size, d, "the client ended with exit status %d%s", o->exit_status,
                         crashed ? " (a crash)" : "");
    }
    if (strcmp(n, "max-size") == 0) {
        unsigned long max = strtoul(d->args[0], NULL, 10);
        return o->body.len <= max || say(why, size, d, "the message is %zu bytes", o->body.len);
    }
    if (strcmp(n, "http") == 0) {
        char code[16];
        snprintf(code, sizeof(code), "%ld", o->http);
        for (size_t i = 0; i < d->n_args; i++) {
            const char *a = d->args[i];
            /* A class: "4xx" is any code from 400 to 499. */
            bool cls = strlen(a) == 3 && a[0] >= '1' && a[0] <= '5' && strcmp(a + 1, "xx") == 0;
            if (strcmp(a, code) == 0 || (cls && o->http / 100 == a[0] - '0'))
                return true;
        }
        return say(why, size, d, "HTTP %ld", o->http);
    }
    if (e->in == NULL)
        return say(why, size, d, "no SyncML message to look at (%s)", e->in_error);
    if (strcmp(n, "status") == 0 || strcmp(n, "no-status") == 0) {
        const struct ct_body *b = ct_msg_body(e->in);
        size_t k = 0;
        for (size_t i = 0; i < b->n_cmds; i++)
            k += status_answers(&b->cmds[i], d->args[0]);
        if (strcmp(n, "no-status") == 0)
            return k == 0 || say(why, size, d, "%zu Status for %s", k, d->args[0]);
        char codes[256];
        if (!resolve_codes(e, d, d->args[1], codes, sizeof(codes)))
            return false;
        const char *cnt = arg_of(d, "count");
        if (cnt != NULL && k != strtoul(cnt, NULL, 10))
            return say(why, size, d, "%zu Status for %s, expected %s", k, d->args[0], cnt);
        if (k == 0)
            return say(why, size, d, "no Status for %s", d->args[0]);
        for (size_t i = 0; i < b->n_cmds; i++) {
            const struct ct_cmd *st = &b->cmds[i];
            if (status_answers(st, d->args[0]) && (st->data == NULL || !in_list(codes, st->data)))
                return say(why, size, d, "%s got %s, expected %s", d->args[0],
                           st->data != NULL ? st->data : "no code", codes);
        }
        return true;
    }
    if (strcmp(n, "xpath") == 0 || strcmp(n, "absent") == 0 || strcmp(n, "count") == 0 || strcmp(n, "capture") == 0) {
        char expr[4096], value[2048];
        int op = 0;
        unsigned long want = 0;
        const char *src = d->rest;
        if (strcmp(n, "capture") == 0) {
            src = d->rest + strcspn(d->rest, " ");
            while (*src == ' ')
                src++;
        }
        if (strcmp(n, "count") == 0) {
            const char *last = strrchr(d->rest, ' ');
            if (last == NULL)
                return eng_error(e, d->line, "count EXPR N"), false;
            want = strtoul(last + 1, NULL, 10);
            snprintf(expr, sizeof(expr), "%.*s", (int)(last - d->rest), d->rest);
        } else if (strcmp(n, "xpath") == 0) {
            split_cmp(src, expr, sizeof(expr), value, sizeof(value), &op);
        } else {
            snprintf(expr, sizeof(expr), "%s", src);
        }
        struct eng_xpath x;
        if (!eval_expr(e, d, expr, &x))
            return false;
        bool ok;
        char got[160] = "";
        bool empty_set = x.res->type == XPATH_NODESET && (x.res->nodesetval == NULL || x.res->nodesetval->nodeNr == 0);
        if (strcmp(n, "count") == 0) {
            if (x.res->type != XPATH_NODESET) {
                eng_xpath_done(&x);
                return eng_error(e, d->line, "count: '%s' is not a node set (use xpath for numbers)", expr), false;
            }
            size_t c = x.res->nodesetval != NULL ? (size_t)x.res->nodesetval->nodeNr : 0;
            ok = c == want;
            snprintf(got, sizeof(got), "%zu nodes, expected %lu", c, want);
        } else if (strcmp(n, "absent") == 0) {
            ok = !result_true(x.res);
            snprintf(got, sizeof(got), "it is there");
        } else if (strcmp(n, "capture") == 0) {
            xmlChar *s = xmlXPathCastToString(x.res);
            ok = s != NULL && s[0] != '\0';
            xmlFree(s);
            snprintf(got, sizeof(got), "nothing to capture");
        } else if (op == 0) {
            ok = result_true(x.res);
            snprintf(got, sizeof(got), "false / nothing selected");
        } else {
            struct ct_buf vb;
            ct_buf_init(&vb, ENG_VAR_MAX + 4096);
            eng_expand(e, value, false, &vb, d->name, d->line);
            xmlChar *s = xmlXPathCastToString(x.res);
            const char *got_s = s != NULL ? (const char *)s : "";
            const char *want_s = vb.data != NULL ? (const char *)vb.data : "";
            /* As XPath compares: a comparison with nothing selected is false, whatever the operator. */
            ok = !empty_set && (op == 1   ? strcmp(got_s, want_s) == 0
                                : op == 2 ? strcmp(got_s, want_s) != 0
                                          : strstr(got_s, want_s) != NULL);
            char shown[100];
            shorten(s != NULL ? (const char *)s : "", shown, sizeof(shown));
            if (empty_set)
                snprintf(got, sizeof(got), "nothing selected");
            else
                snprintf(got, sizeof(got), "the value is \"%s\"", shown);
            xmlFree(s);
            ct_buf_cleanup(&vb);
        }
        eng_xpath_done(&x);
        return ok || say(why, size, d, "%s", got);
    }
    if (strcmp(n, "encoding") == 0) {
        enum ct_enc want = strcmp(d->args[0], "wbxml") == 0 ? CT_ENC_WBXML : CT_ENC_XML;
        return ct_msg_encoding(e->in) == want ||
               say(why, size, d, "it came in %s", ct_msg_encoding(e->in) == CT_ENC_WBXML ? "WBXML" : "XML");
    }
    if (strcmp(n, "final") == 0)
        return ct_msg_body(e->in)->final || say(why, size, d, "no Final");
    if (strcmp(n, "no-final") == 0)
        return !ct_msg_body(e->in)->final || say(why, size, d, "Final is there");
    const struct eng_crypto *c = &e->crypto;
    if (strcmp(n, "selection") == 0) {
        if (!c->got_selection)
            return say(why, size, d, "no selection in SyncHdr/Meta");
        return c->selection_error[0] == '\0' || say(why, size, d, "%s", c->selection_error);
    }
    if (strcmp(n, "no-selection") == 0)
        return !c->got_selection || say(why, size, d, "a selection is there");
    if (strcmp(n, "caps") == 0) {
        if (c->caps_text == NULL)
            return say(why, size, d, "no capability list");
        bool need_req = d->n_args > 0 && strcmp(d->args[0], "required") == 0;
        return !need_req || strstr(c->caps_text, ";required") != NULL ||
               say(why, size, d, "the list does not say required");
    }
    if (strcmp(n, "no-offer") == 0)
        return !c->got_offer || say(why, size, d, "an offer is there");
    if (strcmp(n, "offered") == 0) {
        if (!c->got_offer)
            return say(why, size, d, "no offer in SyncHdr/Meta/EMI");
        if (c->offer_error[0] != '\0')
            return say(why, size, d, "%s", c->offer_error);
        const char *keys[] = {"alg", "kt", "parts"};
        for (size_t i = 0; i < 3; i++) {
            const char *want = arg_of(d, keys[i]);
            if (want == NULL)
                continue;
            char pat[300];
            snprintf(pat, sizeof(pat), ";%s=%s;", keys[i], want);
            if (strstr(c->offer_text, pat) == NULL)
                return say(why, size, d, "%s is not %s", keys[i], want);
        }
        return true;
    }
    if (strcmp(n, "encrypted") == 0 || strcmp(n, "clear") == 0) {
        unsigned want = 0;
        for (size_t i = 0; i < d->n_args; i++) {
            unsigned p = strcmp(d->args[i], "cred") == 0     ? CT_ENC_PART_CRED
                         : strcmp(d->args[i], "devinf") == 0 ? CT_ENC_PART_DEVINF
                         : strcmp(d->args[i], "data") == 0   ? CT_ENC_PART_DATA
                                                             : 0;
            if (p == 0)
                return eng_error(e, d->line, "encrypted: '%s' is cred, devinf or data", d->args[i]), false;
            want |= p;
        }
        if (strcmp(n, "clear") == 0) {
            for (size_t i = 0; i < e->n_fields; i++)
                if (e->fields[i].marked)
                    return say(why, size, d, "a %s field carries the marker", ct_enc_part_name(e->fields[i].part));
            return true;
        }
        /* Every field of those parts: sealed, and opened with the session's keys. */
        struct ct_enc_field *all = NULL;
        size_t n_all = 0;
        if (ct_enc_msg_fields(e->in, want, &all, &n_all) != CT_OK)
            return false;
        free(all);
        size_t seen = 0;
        for (size_t i = 0; i < e->n_fields; i++) {
            const struct ct_enc_outcome *f = &e->fields[i];
            if (!(f->part & want))
                continue;
            seen++;
            if (!f->marked)
                return say(why, size, d, "a %s field came in clear", ct_enc_part_name(f->part));
            if (f->rc != CT_OK)
                return say(why, size, d, "a %s field does not open with the session keys (%s)",
                           ct_enc_part_name(f->part), ct_strerror(f->rc));
        }
        if (seen < n_all)
            return say(why, size, d, "%zu of %zu fields were not opened (no session keys)", n_all - seen, n_all);
        return seen > 0 || say(why, size, d, "no such field in the message");
    }
    if (strcmp(n, "distinct-ivs") == 0) {
        /* ENC-BIND-3/5: every sealed field of this message (of these parts) has an IV or nonce
         * no other field received in this scenario had. */
        unsigned want = 0;
        for (size_t i = 0; i < d->n_args; i++)
            want |= strcmp(d->args[i], "cred") == 0 ? CT_ENC_PART_CRED
                    : strcmp(d->args[i], "devinf") == 0 ? CT_ENC_PART_DEVINF : CT_ENC_PART_DATA;
        if (want == 0)
            want = CT_ENC_PART_CRED | CT_ENC_PART_DEVINF | CT_ENC_PART_DATA;
        size_t mine = 0;
        for (size_t i = e->first_iv_of_msg; i < e->n_ivs; i++) {
            if (!(e->ivs[i].part & want))
                continue;
            mine++;
            for (size_t k = 0; k < e->n_ivs; k++)
                if (k != i && strcmp(e->ivs[k].hex, e->ivs[i].hex) == 0)
                    return say(why, size, d, "the IV %s of a %s field was used before", e->ivs[i].hex,
                               ct_enc_part_name(e->ivs[i].part));
        }
        return mine > 0 || say(why, size, d, "no sealed field to look at");
    }
    if (strcmp(n, "cred") == 0) {
        const char *want = d->args[0];
        int st = e->cred_state;
        bool ok = strcmp(want, "none") == 0 ? st == ENG_CRED_NONE
                  : strcmp(want, "ok") == 0 ? st == ENG_CRED_OK
                  : strcmp(want, "bad") == 0 ? st == ENG_CRED_BAD || st == ENG_CRED_UNKNOWN
                                             : false;
        if (ok && d->n_args > 1) {
            const char *type = ct_msg_hdr(e->in)->cred.meta.type;
            char uri[64];
            snprintf(uri, sizeof(uri), "syncml:auth-%s", d->args[1]);
            ok = type != NULL && strcmp(type, uri) == 0;
        }
        static const char *names[] = {"none", "valid", "wrong", "of an unknown type"};
        return ok || say(why, size, d, "the credential is %s", names[st]);
    }
    return eng_error(e, d->line, "'%s' is not judged by this engine", n), false;
}

static const char *kind_directive(const struct ct_scn_alt *alt)
{
    static const char *kinds[] = {"closed", "timeout", "transport-error", "end", "malformed"};
    for (size_t i = 0; i < alt->n_dirs; i++)
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
            if (strcmp(alt->dirs[i].name, kinds[k]) == 0)
                return kinds[k];
    return NULL;
}

bool eng_judge_alt(struct eng *e, const struct ct_scn_alt *alt, char *why, size_t why_size)
{
    const struct ct_outcome *o = &e->out;
    const char *kind = kind_directive(alt);
    bool has_http = false;
    for (size_t i = 0; i < alt->n_dirs; i++)
        has_http = has_http || strcmp(alt->dirs[i].name, "http") == 0;
    if (kind == NULL || strcmp(kind, "malformed") == 0) {
        if (o->kind != CT_OUT_MESSAGE) {
            snprintf(why, why_size, "line %u: expected a message, got %s", alt->line, ct_outcome_kind_name(o->kind));
            return false;
        }
        if (e->role == CT_SCN_ROLE_SERVER && !has_http && o->http != 200) {
            snprintf(why, why_size, "line %u: HTTP %ld", alt->line, o->http);
            return false;
        }
        if (kind == NULL && e->in == NULL) {
            snprintf(why, why_size, "line %u: not a SyncML message: %s", alt->line, e->in_error);
            return false;
        }
        if (kind != NULL && e->in != NULL) {
            snprintf(why, why_size, "line %u: malformed: it is a well-formed SyncML message", alt->line);
            return false;
        }
    } else if (strcmp(kind, ct_outcome_kind_name(o->kind)) != 0) {
        snprintf(why, why_size, "line %u: expected %s, got %s", alt->line, kind, ct_outcome_kind_name(o->kind));
        return false;
    }
    for (size_t i = 0; i < alt->n_dirs; i++)
        if (!judge_dir(e, &alt->dirs[i], why, why_size) || e->error[0] != '\0')
            return false;
    return true;
}

void eng_capture_all(struct eng *e, const struct ct_scn_alt *alt)
{
    for (size_t i = 0; i < alt->n_dirs && e->in != NULL; i++) {
        const struct ct_scn_dir *d = &alt->dirs[i];
        if (strcmp(d->name, "capture") != 0)
            continue;
        const char *expr = d->rest + strcspn(d->rest, " ");
        while (*expr == ' ')
            expr++;
        struct eng_xpath x;
        if (!eval_expr(e, d, expr, &x))
            return;
        xmlChar *s = xmlXPathCastToString(x.res);
        if (s != NULL)
            eng_var_set(e, d->args[0], (const char *)s);
        xmlFree(s);
        eng_xpath_done(&x);
    }
}

void eng_fingerprint(const struct eng *e, struct ct_buf *out)
{
    const struct ct_outcome *o = &e->out;
    switch (o->kind) {
    case CT_OUT_MESSAGE:
        if (e->role == CT_SCN_ROLE_SERVER)
            ct_buf_printf(out, "HTTP %ld, ", o->http);
        if (e->in != NULL) {
            ct_msg_summary(e->in, out);
            size_t bad = 0, sealed = 0;
            for (size_t i = 0; i < e->n_fields; i++) {
                sealed += e->fields[i].marked;
                bad += e->fields[i].rc != CT_OK;
            }
            if (e->n_fields > 0)
                ct_buf_printf(out, " | fields: %zu sealed, %zu failed", sealed, bad);
            if (e->crypto.got_selection)
                ct_buf_printf(out, " | selection %s", e->crypto.selection_error[0] ? "invalid" : "valid");
            if (e->crypto.caps_text != NULL)
                ct_buf_printf(out, " | capability list");
            if (e->crypto.got_offer)
                ct_buf_printf(out, " | offer %s", e->crypto.offer_error[0] ? "unusable" : "accepted");
        } else {
            ct_buf_printf(out, "%s, %zu bytes, not SyncML: %s", o->content_type[0] ? o->content_type : "no content type",
                          o->body.len, e->in_error);
        }
        break;
    case CT_OUT_END: ct_buf_printf(out, "the client ended, exit status %d", o->exit_status); break;
    case CT_OUT_CLOSED: ct_buf_printf(out, "connection closed: %s", o->text); break;
    case CT_OUT_TIMEOUT: ct_buf_printf(out, "nothing within %u ms", e->timeout_ms); break;
    default: ct_buf_printf(out, "transport error: %s", o->text); break;
    }
}

void eng_probe_fingerprint(const struct eng *e, char *out, size_t size)
{
    const struct ct_outcome *o = &e->out;
    struct ct_buf b;
    ct_buf_init(&b, size > 0 ? size - 1 : 0);
    ct_buf_append_str(&b, ct_outcome_kind_name(o->kind));
    if (o->kind == CT_OUT_END)
        ct_buf_printf(&b, " exit=%d", o->exit_status);
    if (o->kind == CT_OUT_MESSAGE) {
        if (e->role == CT_SCN_ROLE_SERVER)
            ct_buf_printf(&b, " http=%ld", o->http);
        if (e->in == NULL) {
            ct_buf_printf(&b, " not-syncml size~%zu", o->body.len / 32 * 32);
        } else {
            /* Statuses in order with their codes and challenges, the other commands in order,
             * and the size without the values that vary anyway, by 32 bytes. */
            const struct ct_hdr *h = ct_msg_hdr(e->in);
            const struct ct_body *bd = ct_msg_body(e->in);
            size_t vary = (h->session_id ? strlen(h->session_id) : 0) + (h->resp_uri ? strlen(h->resp_uri) : 0);
            ct_buf_append_str(&b, " |");
            for (size_t i = 0; i < bd->n_cmds; i++) {
                const struct ct_cmd *c = &bd->cmds[i];
                if (c->kind == CT_CMD_STATUS) {
                    ct_buf_printf(&b, " %s:%s", c->cmd != NULL ? c->cmd : "?", c->data != NULL ? c->data : "-");
                    if (c->chal.node != NULL) {
                        ct_buf_printf(&b, "+chal(%s/%s)", c->chal.meta.type ? c->chal.meta.type : "",
                                      c->chal.meta.format ? c->chal.meta.format : "");
                        vary += c->chal.meta.next_nonce ? strlen(c->chal.meta.next_nonce) : 0;
                    }
                } else {
                    ct_buf_printf(&b, " %s", c->name);
                }
            }
            size_t len = o->body.len > vary ? o->body.len - vary : 0;
            ct_buf_printf(&b, " |%s size~%zu", bd->final ? " final" : "", len / 32 * 32);
        }
    }
    ct_buf_append(&b, "", 1);
    snprintf(out, size, "%s", b.data != NULL ? (const char *)b.data : "?");
    ct_buf_cleanup(&b);
}
