/*
 * Variables, template expansion and the secrets that must not reach a transcript.
 *
 * ${name} in a template or a directive is replaced by the variable's value: the built-in ones
 * the engine keeps up to date (docs/SCENARIOS.md 4) and those set by `set` and `capture`. In
 * templates the value is XML-escaped, so a hostile SUT's captured text cannot inject markup.
 */
#include "engine/ct_eng_int.h"

#include <stdlib.h>
#include <string.h>

int eng_var_set(struct eng *e, const char *name, const char *value)
{
    size_t vl = strlen(value);
    if (vl > ENG_VAR_MAX)
        vl = ENG_VAR_MAX;
    char *v = malloc(vl + 1);
    if (v == NULL)
        return CT_ERR_NOMEM;
    memcpy(v, value, vl);
    v[vl] = '\0';
    for (size_t i = 0; i < e->n_vars; i++)
        if (strcmp(e->vars[i].name, name) == 0) {
            free(e->vars[i].value);
            e->vars[i].value = v;
            return CT_OK;
        }
    if (e->n_vars == ENG_MAX_VARS) {
        free(v);
        return eng_error(e, e->step != NULL ? e->step->line : 0, "more than %d variables", ENG_MAX_VARS);
    }
    char *n = strdup(name);
    if (n == NULL) {
        free(v);
        return CT_ERR_NOMEM;
    }
    e->vars[e->n_vars].name = n;
    e->vars[e->n_vars].value = v;
    e->n_vars++;
    return CT_OK;
}

const char *eng_var_get(const struct eng *e, const char *name)
{
    for (size_t i = 0; i < e->n_vars; i++)
        if (strcmp(e->vars[i].name, name) == 0)
            return e->vars[i].value;
    return NULL;
}

void eng_vars_free(struct eng *e)
{
    for (size_t i = 0; i < e->n_vars; i++) {
        free(e->vars[i].name);
        free(e->vars[i].value);
    }
    e->n_vars = 0;
    for (size_t i = 0; i < e->n_secrets; i++)
        free(e->secrets[i]);
    free(e->secrets);
    e->secrets = NULL;
    e->n_secrets = 0;
}

static int append_escaped(struct ct_buf *out, const char *v)
{
    int rc = CT_OK;
    for (const char *c = v; *c != '\0' && rc == CT_OK; c++) {
        switch (*c) {
        case '<': rc = ct_buf_append_str(out, "&lt;"); break;
        case '>': rc = ct_buf_append_str(out, "&gt;"); break;
        case '&': rc = ct_buf_append_str(out, "&amp;"); break;
        case '"': rc = ct_buf_append_str(out, "&quot;"); break;
        case '\'': rc = ct_buf_append_str(out, "&apos;"); break;
        case '\r': rc = ct_buf_append_str(out, "&#13;"); break;
        default: rc = ct_buf_append(out, c, 1); break;
        }
    }
    return rc;
}

int eng_expand(struct eng *e, const char *text, bool xml_escape, struct ct_buf *out, const char *what,
               unsigned line)
{
    int rc = CT_OK;
    for (const char *p = text; *p != '\0' && rc == CT_OK; p++) {
        if (p[0] != '$' || p[1] != '{') {
            rc = ct_buf_append(out, p, 1);
            continue;
        }
        const char *end = strchr(p + 2, '}');
        if (end == NULL)
            return eng_error(e, line, "%s: '${' without '}'", what);
        char name[128];
        size_t n = (size_t)(end - p - 2);
        if (n == 0 || n >= sizeof(name))
            return eng_error(e, line, "%s: bad variable name at '%.20s'", what, p);
        memcpy(name, p + 2, n);
        name[n] = '\0';
        /* ${repeat:N:TEXT}: TEXT N times, for lengths no one wants to type (bounded). */
        if (strncmp(name, "repeat:", 7) == 0) {
            char *colon = strchr(name + 7, ':');
            unsigned long times = strtoul(name + 7, NULL, 10);
            if (colon == NULL || colon[1] == '\0' || times == 0 || times * strlen(colon + 1) > ENG_REPEAT_MAX)
                return eng_error(e, line, "%s: ${repeat:N:TEXT} with N * |TEXT| up to 8 MiB", what);
            for (unsigned long k = 0; k < times && rc == CT_OK; k++)
                rc = xml_escape ? append_escaped(out, colon + 1) : ct_buf_append_str(out, colon + 1);
            p = end;
            continue;
        }
        const char *v = eng_var_get(e, name);
        if (v == NULL)
            return eng_error(e, line, "%s: no variable ${%s} (set, capture, or a built-in one: docs/SCENARIOS.md)",
                             what, name);
        rc = xml_escape ? append_escaped(out, v) : ct_buf_append_str(out, v);
        p = end;
    }
    if (rc == CT_OK)
        rc = ct_buf_append(out, "", 1);
    if (rc == CT_OK)
        out->len--; /* keep the NUL out of the length */
    if (rc == CT_ERR_TOO_BIG)
        return eng_error(e, line, "%s: the value is too long once ${...} are expanded", what);
    return rc;
}

static int secret_push(struct eng *e, const char *text)
{
    for (size_t i = 0; i < e->n_secrets; i++)
        if (strcmp(e->secrets[i], text) == 0)
            return CT_OK;
    if (e->n_secrets == ENG_MAX_SECRETS)
        return eng_error(e, 0, "more than %d distinct credentials in one scenario", ENG_MAX_SECRETS);
    if (e->n_secrets % 16 == 0) {
        char **v = realloc(e->secrets, (e->n_secrets + 16) * sizeof(char *));
        if (v == NULL)
            return CT_ERR_NOMEM;
        e->secrets = v;
    }
    e->secrets[e->n_secrets] = strdup(text);
    if (e->secrets[e->n_secrets] == NULL)
        return CT_ERR_NOMEM;
    e->n_secrets++;
    return CT_OK;
}

int eng_secret_add(struct eng *e, const char *text)
{
    /* Three bytes and more: shorter ones would mask half of every message. */
    if (text == NULL || strlen(text) < 3)
        return CT_OK;
    int rc = secret_push(e, text);
    /* ... and as it appears inside XML text (a clear credential with & or <). */
    struct ct_buf esc;
    ct_buf_init(&esc, 0);
    if (rc == CT_OK)
        rc = append_escaped(&esc, text);
    if (rc == CT_OK)
        rc = ct_buf_append(&esc, "", 1);
    if (rc == CT_OK && strcmp((const char *)esc.data, text) != 0)
        rc = secret_push(e, (const char *)esc.data);
    ct_buf_cleanup(&esc);
    return rc;
}

void eng_redact_str(const struct eng *e, char *s)
{
    if (s != NULL)
        eng_redact(e, (uint8_t *)s, strlen(s));
}

/* Mask every secret in data with '*', keeping the length (so sizes and offsets stay true). */
void eng_redact(const struct eng *e, uint8_t *data, size_t len)
{
    if (e->cfg->reveal_secrets)
        return;
    for (size_t i = 0; i < e->n_secrets; i++) {
        size_t sl = strlen(e->secrets[i]);
        for (size_t k = 0; sl > 0 && k + sl <= len; k++)
            if (memcmp(data + k, e->secrets[i], sl) == 0) {
                memset(data + k, '*', sl);
                k += sl - 1;
            }
    }
}
