/*
 * Requirements, read from the Markdown documents that define them. The formats are the ones
 * those documents keep (see ct_reqs.h); a line that does not follow them is not a requirement.
 */
#include "engine/ct_reqs.h"

#include "base/ct_buf.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ct_req_level_name(enum ct_req_level l)
{
    switch (l) {
    case CT_REQ_MUST: return "MUST";
    case CT_REQ_SHOULD: return "SHOULD";
    case CT_REQ_MAY: return "MAY";
    default: return "RULE";
    }
}

void ct_reqs_cleanup(struct ct_reqs *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].id);
        free(r->v[i].role);
        free(r->v[i].text);
        free(r->v[i].source);
    }
    free(r->v);
    memset(r, 0, sizeof(*r));
}

const struct ct_req *ct_reqs_find(const struct ct_reqs *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].id, id) == 0)
            return &r->v[i];
    return NULL;
}

static bool has_word(const char *text, const char *word)
{
    size_t wl = strlen(word);
    for (const char *p = strstr(text, word); p != NULL; p = strstr(p + 1, word))
        if ((p == text || !isalpha((unsigned char)p[-1])) && !isalpha((unsigned char)p[wl]))
            return true;
    return false;
}

/* The strongest keyword of a requirement's text (RFC 2119 words, upper case as written). */
static enum ct_req_level level_of(const char *text)
{
    if (has_word(text, "MUST") || has_word(text, "SHALL") || has_word(text, "REQUIRED"))
        return CT_REQ_MUST;
    if (has_word(text, "SHOULD") || has_word(text, "RECOMMENDED"))
        return CT_REQ_SHOULD;
    return CT_REQ_MAY;
}

static int add(struct ct_reqs *r, const char *id, size_t id_len, const char *role, enum ct_req_level level,
               const char *text, size_t text_len, const char *source, struct ct_diag *diag)
{
    char idbuf[64];
    snprintf(idbuf, sizeof(idbuf), "%.*s", (int)(id_len < 63 ? id_len : 63), id);
    if (ct_reqs_find(r, idbuf) != NULL)
        return ct_diag_set(diag, CT_ERR_PARSE, "%s: %s is defined twice", source, idbuf);
    struct ct_req *v = realloc(r->v, (r->n + 1) * sizeof(*v));
    if (v == NULL)
        return CT_ERR_NOMEM;
    r->v = v;
    struct ct_req *q = &v[r->n];
    memset(q, 0, sizeof(*q));
    q->id = strdup(idbuf);
    q->role = strdup(role);
    q->text = strndup(text, text_len);
    q->source = strdup(source);
    q->level = level;
    if (q->id == NULL || q->role == NULL || q->text == NULL || q->source == NULL) {
        free(q->id);
        free(q->role);
        free(q->text);
        free(q->source);
        return CT_ERR_NOMEM;
    }
    r->n++;
    return CT_OK;
}

static int read_text(const char *path, struct ct_buf *b, struct ct_diag *diag)
{
    ct_buf_init(b, 4 << 20);
    if (ct_buf_read_file(b, path) != CT_OK || ct_buf_append(b, "", 1) != CT_OK) {
        ct_buf_cleanup(b);
        return ct_diag_set(diag, CT_ERR_IO, "%s: cannot read", path);
    }
    return CT_OK;
}

/* "- **ENC-NEG-6** (server) text..." up to the next bullet, heading or blank line. */
int ct_reqs_load_profile(struct ct_reqs *r, const char *path, struct ct_diag *diag)
{
    struct ct_buf b;
    int rc = read_text(path, &b, diag);
    if (rc != CT_OK)
        return rc;
    const char *text = (const char *)b.data;
    for (const char *p = strstr(text, "- **ENC-"); rc == CT_OK && p != NULL; p = strstr(p + 1, "- **ENC-")) {
        if (p != text && p[-1] != '\n')
            continue;
        const char *id = p + 4;
        const char *id_end = strstr(id, "**");
        if (id_end == NULL || id_end - id > 32)
            continue;
        const char *q = id_end + 2;
        while (*q == ' ')
            q++;
        char role[16] = "both";
        if (*q == '(') {
            size_t rl = strcspn(q + 1, ")");
            snprintf(role, sizeof(role), "%.*s", (int)(rl < 15 ? rl : 15), q + 1);
            q += rl + 2;
            while (*q == ' ')
                q++;
        }
        /* The requirement runs to a blank line or the next bullet. */
        const char *end = q;
        while (*end != '\0' && !(end[0] == '\n' && (end[1] == '\n' || end[1] == '-' || end[1] == '#')))
            end++;
        struct ct_buf one;
        ct_buf_init(&one, 0);
        for (const char *c = q; c < end; c++)
            ct_buf_append(&one, *c == '\n' ? " " : c, 1);
        ct_buf_append(&one, "", 1);
        const char *t = one.data != NULL ? (const char *)one.data : "";
        /* Collapse the line breaks' indentation. */
        struct ct_buf flat;
        ct_buf_init(&flat, 0);
        for (const char *c = t; *c != '\0'; c++)
            if (!(c[0] == ' ' && c[1] == ' '))
                ct_buf_append(&flat, c, 1);
        ct_buf_append(&flat, "", 1);
        const char *ft = flat.data != NULL ? (const char *)flat.data : "";
        rc = add(r, id, (size_t)(id_end - id), role, level_of(ft), ft, strlen(ft), path, diag);
        ct_buf_cleanup(&one);
        ct_buf_cleanup(&flat);
    }
    ct_buf_cleanup(&b);
    return rc;
}

/* "| DS-AUTH-1 | rule | source |" */
int ct_reqs_load_ds(struct ct_reqs *r, const char *path, struct ct_diag *diag)
{
    struct ct_buf b;
    int rc = read_text(path, &b, diag);
    if (rc != CT_OK)
        return rc;
    const char *text = (const char *)b.data;
    for (const char *p = strstr(text, "| DS-"); rc == CT_OK && p != NULL; p = strstr(p + 1, "| DS-")) {
        if (p != text && p[-1] != '\n')
            continue;
        const char *id = p + 2;
        size_t id_len = strcspn(id, " |");
        const char *cell = id + id_len;
        cell += strspn(cell, " |");
        size_t cl = strcspn(cell, "|\n");
        while (cl > 0 && cell[cl - 1] == ' ')
            cl--;
        const char *src = cell + strcspn(cell, "|\n");
        char source[512] = "";
        if (*src == '|') {
            src += strspn(src, " |");
            size_t sl = strcspn(src, "|\n");
            while (sl > 0 && src[sl - 1] == ' ')
                sl--;
            snprintf(source, sizeof(source), "%.*s", (int)(sl < 511 ? sl : 511), src);
        }
        rc = add(r, id, id_len, "both", CT_REQ_RULE, cell, cl, source[0] ? source : path, diag);
    }
    ct_buf_cleanup(&b);
    return rc;
}
