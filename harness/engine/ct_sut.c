/*
 * SUT configs: parsing, the builtin reference's config, and the lookups the runner and the
 * judge make (claims, disabled, known failures, status names).
 */
#include "engine/ct_sut.h"

#include "base/ct_buf.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Canonical status names (docs/SCENARIOS.md 5.1): what DS 1.2 and docs/PROFILE.md prescribe. */
static const struct {
    const char *name;
    const char *codes;
} default_codes[] = {
    {"@OK", "200"},
    {"@AUTH_ACCEPTED", "212"},     /* DS 1.2: authentication accepted (for the session) */
    {"@AUTH_OK", "200,212"},       /* either: authenticated */
    {"@ITEM_ADDED", "201"},
    {"@BAD_REQUEST", "400"},
    {"@AUTH_INVALID", "401"},      /* also ENC-ERR-2 */
    {"@NOT_FOUND", "404"},
    {"@NOT_SUPPORTED", "406"},     /* ENC-ERR-1 */
    {"@AUTH_MISSING", "407"},
    {"@FIELD_FAILED", "400"},      /* ENC-ERR-3 */
    {"@CRYPTO_LIMIT", "413"},      /* ENC-ALG-4 */
    {"@SIZE_MISMATCH", "424"},
    {"@SERVER_FAILURE", "500"},
    {"@REFRESH_REQUIRED", "508"},
    {"@CHUNK_ACCEPTED", "213"},
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static bool set_str(char **field, const char *value)
{
    free(*field);
    *field = dup_str(value);
    return *field != NULL;
}

struct ct_sut_config *ct_sut_builtin(enum ct_scn_role role)
{
    struct ct_sut_config *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->role = role;
    c->builtin = true;
    c->encoding = CT_ENC_XML;
    /* What the reference implements (ct_enc_policy_default and the DS core): an honest
     * conformance statement, so that a scenario for something it does not do is not applicable
     * rather than red. */
    static const char *const claims[] = {
        "ds", "ds.*", "enc", "enc.aes128-gcm", "enc.aes256-gcm", "enc.aes128-cbc-hs256",
        "enc.aes192-cbc-hs256", "enc.aes256-cbc-hs256", "enc.3des-cbc-hs256", "enc.rsa-oaep-sha256",
        "enc.rsa-oaep-sha1", "enc.rsa-pkcs1", "enc.required", "enc.download",
        "ref.vector-keys", /* it can be given any key: Wycheproof key transports through Pkg#1 */
    };
    size_t nc = sizeof(claims) / sizeof(claims[0]);
    c->claims = calloc(nc, sizeof(char *));
    bool ok = c->claims != NULL && set_str(&c->name, role == CT_SCN_ROLE_SERVER
                                                         ? "conftest reference server (builtin)"
                                                         : "conftest reference client (builtin)") &&
              set_str(&c->user, "test") && set_str(&c->password, "test") &&
              set_str(&c->db, "contacts") && set_str(&c->db2, "calendar") &&
              set_str(&c->device_id, "conftest-harness") && set_str(&c->pki, "2048");
    for (size_t i = 0; ok && i < nc; i++) {
        ok = (c->claims[i] = dup_str(claims[i])) != NULL;
        c->n_claims += ok;
    }
    if (!ok) {
        ct_sut_free(c);
        return NULL;
    }
    return c;
}

static int perr(struct ct_diag *diag, const char *file, unsigned line, const char *what, const char *arg)
{
    return ct_diag_set(diag, CT_ERR_PARSE, "%s:%u: %s%s", file, line, what, arg != NULL ? arg : "");
}

static int add_rule(struct ct_sut_rule **v, size_t *n, const char *value, const char *file,
                    unsigned line, struct ct_diag *diag)
{
    size_t pl = strcspn(value, " ");
    const char *reason = value + pl;
    while (*reason == ' ')
        reason++;
    if (pl == 0 || *reason == '\0')
        return perr(diag, file, line, "give a scenario id (or glob) and a reason", NULL);
    struct ct_sut_rule *p = realloc(*v, (*n + 1) * sizeof(**v));
    if (p == NULL)
        return CT_ERR_NOMEM;
    *v = p;
    p[*n].pattern = malloc(pl + 1);
    p[*n].reason = dup_str(reason);
    if (p[*n].pattern == NULL || p[*n].reason == NULL) {
        free(p[*n].pattern);
        free(p[*n].reason);
        return CT_ERR_NOMEM;
    }
    memcpy(p[*n].pattern, value, pl);
    p[*n].pattern[pl] = '\0';
    (*n)++;
    return CT_OK;
}

static int parse_line(struct ct_sut_config *c, const char *key, const char *value, const char *file,
                      unsigned line, struct ct_diag *diag)
{
    if (*value == '\0')
        return perr(diag, file, line, "no value for ", key);
    char **str = strcmp(key, "name") == 0        ? &c->name
                 : strcmp(key, "url") == 0       ? &c->url
                 : strcmp(key, "sync-cmd") == 0  ? &c->sync_cmd
                 : strcmp(key, "reset-cmd") == 0 ? &c->reset_cmd
                 : strcmp(key, "user") == 0      ? &c->user
                 : strcmp(key, "password") == 0 ? &c->password
                 : strcmp(key, "db") == 0        ? &c->db
                 : strcmp(key, "db2") == 0       ? &c->db2
                 : strcmp(key, "device-id") == 0 ? &c->device_id
                 : strcmp(key, "server-cert") == 0 ? &c->server_cert
                 : strcmp(key, "pki") == 0       ? &c->pki
                                                 : NULL;
    if (str != NULL)
        return set_str(str, value) ? CT_OK : CT_ERR_NOMEM;
    if (strcmp(key, "role") == 0) {
        if (strcmp(value, "server") == 0)
            c->role = CT_SCN_ROLE_SERVER;
        else if (strcmp(value, "client") == 0)
            c->role = CT_SCN_ROLE_CLIENT;
        else
            return perr(diag, file, line, "role is server or client, not ", value);
        return CT_OK;
    }
    if (strcmp(key, "encoding") == 0) {
        if (strcmp(value, "xml") == 0)
            c->encoding = CT_ENC_XML;
        else if (strcmp(value, "wbxml") == 0)
            c->encoding = CT_ENC_WBXML;
        else
            return perr(diag, file, line, "encoding is xml or wbxml, not ", value);
        return CT_OK;
    }
    if (strcmp(key, "timeout") == 0) {
        char *end = NULL;
        unsigned long v = strtoul(value, &end, 10);
        if (end == value || v == 0 || (strcmp(end, "s") != 0 && strcmp(end, "ms") != 0) ||
            v > (strcmp(end, "s") == 0 ? 600ul : 600000ul))
            return perr(diag, file, line, "timeout is a number with s or ms, at most 600 s: ", value);
        c->timeout_ms = (unsigned)(strcmp(end, "s") == 0 ? v * 1000 : v);
        return CT_OK;
    }
    if (strcmp(key, "claims") == 0) {
        char *toks[64];
        const char *err = NULL;
        int n = ct_scn_tokenize(value, toks, 64, &err);
        if (n < 0)
            return perr(diag, file, line, err, NULL);
        char **p = realloc(c->claims, (c->n_claims + (size_t)n) * sizeof(char *) + 1);
        if (p == NULL) {
            for (int i = 0; i < n; i++)
                free(toks[i]);
            return CT_ERR_NOMEM;
        }
        c->claims = p;
        for (int i = 0; i < n; i++)
            c->claims[c->n_claims++] = toks[i];
        return CT_OK;
    }
    if (strcmp(key, "disable") == 0)
        return add_rule(&c->disabled, &c->n_disabled, value, file, line, diag);
    if (strcmp(key, "known-failure") == 0)
        return add_rule(&c->known, &c->n_known, value, file, line, diag);
    if (strcmp(key, "error") == 0) {
        char name[64], codes[64];
        if (sscanf(value, "%63s %63s", name, codes) != 2 || name[0] != '@')
            return perr(diag, file, line, "error takes @NAME CODES, e.g. 'error @FIELD_FAILED 400'", NULL);
        bool known = false;
        for (size_t i = 0; i < sizeof(default_codes) / sizeof(default_codes[0]); i++)
            known = known || strcmp(default_codes[i].name, name) == 0;
        if (!known)
            return perr(diag, file, line, "unknown status name ", name);
        for (size_t i = 0; i < c->n_errors; i++)
            if (strcmp(c->errors[i].name, name) == 0)
                return perr(diag, file, line, "a second mapping for ", name);
        struct ct_sut_error *p = realloc(c->errors, (c->n_errors + 1) * sizeof(*p));
        if (p == NULL)
            return CT_ERR_NOMEM;
        c->errors = p;
        p[c->n_errors].name = dup_str(name);
        p[c->n_errors].codes = dup_str(codes);
        c->n_errors++;
        return p[c->n_errors - 1].name != NULL && p[c->n_errors - 1].codes != NULL ? CT_OK : CT_ERR_NOMEM;
    }
    return perr(diag, file, line, "unknown key ", key);
}

int ct_sut_load(struct ct_sut_config **out, const char *path, struct ct_diag *diag)
{
    *out = NULL;
    struct ct_buf b;
    ct_buf_init(&b, 1 << 20);
    if (ct_buf_read_file(&b, path) != CT_OK) {
        ct_buf_cleanup(&b);
        return ct_diag_set(diag, CT_ERR_IO, "%s: cannot read", path);
    }
    struct ct_sut_config *c = calloc(1, sizeof(*c));
    char *line = malloc(CT_SCN_MAX_LINE + 2);
    int rc = c != NULL && line != NULL && set_str(&c->file, path) ? CT_OK : CT_ERR_NOMEM;
    if (rc == CT_OK) {
        const char *slash = strrchr(path, '/');
        c->dir = slash != NULL ? strndup(path, (size_t)(slash - path)) : dup_str(".");
        c->encoding = CT_ENC_XML;
        if (c->dir == NULL || !set_str(&c->user, "test") || !set_str(&c->password, "test") ||
            !set_str(&c->db, "contacts") || !set_str(&c->db2, "calendar") ||
            !set_str(&c->device_id, "conftest-harness") ||
            !set_str(&c->pki, "2048"))
            rc = CT_ERR_NOMEM;
    }
    struct ct_scn_lines it = {(const char *)b.data, (const char *)b.data + b.len, 0};
    bool too_long;
    while (rc == CT_OK && ct_scn_next_line(&it, line, CT_SCN_MAX_LINE + 2, &too_long)) {
        if (too_long) {
            rc = perr(diag, path, it.no, "line too long", NULL);
            break;
        }
        if (line[0] == '\0')
            continue;
        if (line[0] == ' ') {
            rc = perr(diag, path, it.no, "indented line: a SUT config is `key value` lines", NULL);
            break;
        }
        size_t kl = strcspn(line, " ");
        char key[64];
        snprintf(key, sizeof(key), "%.*s", (int)(kl < 63 ? kl : 63), line);
        const char *value = line + kl;
        while (*value == ' ')
            value++;
        rc = parse_line(c, key, value, path, it.no, diag);
    }
    free(line);
    ct_buf_cleanup(&b);
    if (rc == CT_OK && c->role == 0)
        rc = perr(diag, path, 1, "no 'role' (server or client: the SUT's role)", NULL);
    if (rc == CT_OK && c->role == CT_SCN_ROLE_SERVER && c->url == NULL)
        rc = perr(diag, path, 1, "a server SUT needs 'url'", NULL);
    if (rc == CT_OK && c->role == CT_SCN_ROLE_CLIENT && c->sync_cmd == NULL)
        rc = perr(diag, path, 1, "a client SUT needs 'sync-cmd' (how to run one session)", NULL);
    if (rc == CT_OK && c->name == NULL && !set_str(&c->name, path))
        rc = CT_ERR_NOMEM;
    if (rc == CT_ERR_NOMEM)
        ct_diag_set(diag, rc, "out of memory");
    if (rc != CT_OK) {
        ct_sut_free(c);
        return rc;
    }
    *out = c;
    return CT_OK;
}

void ct_sut_free(struct ct_sut_config *c)
{
    if (c == NULL)
        return;
    char **strs[] = {&c->file, &c->dir, &c->name, &c->url, &c->sync_cmd, &c->reset_cmd, &c->user,
                     &c->password, &c->db, &c->db2, &c->device_id, &c->server_cert, &c->pki};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
        free(*strs[i]);
    for (size_t i = 0; i < c->n_claims; i++)
        free(c->claims[i]);
    free(c->claims);
    for (size_t i = 0; i < c->n_disabled; i++) {
        free(c->disabled[i].pattern);
        free(c->disabled[i].reason);
    }
    free(c->disabled);
    for (size_t i = 0; i < c->n_known; i++) {
        free(c->known[i].pattern);
        free(c->known[i].reason);
    }
    free(c->known);
    for (size_t i = 0; i < c->n_errors; i++) {
        free(c->errors[i].name);
        free(c->errors[i].codes);
    }
    free(c->errors);
    free(c);
}

bool ct_sut_claims(const struct ct_sut_config *c, char *const *caps, size_t n, const char **missing)
{
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (size_t k = 0; k < c->n_claims && !found; k++)
            found = fnmatch(c->claims[k], caps[i], 0) == 0;
        if (!found) {
            *missing = caps[i];
            return false;
        }
    }
    return true;
}

static const char *match_rule(const struct ct_sut_rule *v, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (fnmatch(v[i].pattern, id, 0) == 0)
            return v[i].reason;
    return NULL;
}

const char *ct_sut_disabled(const struct ct_sut_config *c, const char *id)
{
    return match_rule(c->disabled, c->n_disabled, id);
}

const char *ct_sut_known_failure(const struct ct_sut_config *c, const char *id)
{
    return match_rule(c->known, c->n_known, id);
}

int ct_sut_codes(const struct ct_sut_config *c, const char *spec, char *out, size_t size)
{
    if (spec[0] != '@') {
        snprintf(out, size, "%s", spec);
        return CT_OK;
    }
    for (size_t i = 0; c != NULL && i < c->n_errors; i++)
        if (strcmp(c->errors[i].name, spec) == 0) {
            snprintf(out, size, "%s", c->errors[i].codes);
            return CT_OK;
        }
    for (size_t i = 0; i < sizeof(default_codes) / sizeof(default_codes[0]); i++)
        if (strcmp(default_codes[i].name, spec) == 0) {
            snprintf(out, size, "%s", default_codes[i].codes);
            return CT_OK;
        }
    return CT_ERR_INVALID_ARG;
}
