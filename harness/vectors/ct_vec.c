/*
 * Finding vector files and running each with the runner of its format.
 */
#include "vectors/ct_vec_int.h"

#include <dirent.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Vector files are a few hundred KB; a bound protects against pointing the tool at a disk. */
#define MAX_VECTOR_FILE ((size_t)64 << 20)

void ct_vec_pass(struct ct_vec_file *f)
{
    f->t.passed++;
}

void ct_vec_fail(struct ct_vec_file *f, const char *id, const char *fmt, ...)
{
    f->t.failed++;
    if (f->log == NULL)
        return;
    fprintf(f->log, "FAIL %s: %s: ", f->name, id);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f->log, fmt, ap);
    va_end(ap);
    fputc('\n', f->log);
}

void ct_vec_skip(struct ct_vec_file *f, const char *reason)
{
    f->t.skipped++;
    f->skip_reason = reason;
}

int ct_vec_hex(const char *hex, uint8_t **out, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2 != 0)
        return CT_ERR_PARSE;
    uint8_t *b = malloc(n / 2 + 1);
    if (b == NULL)
        return CT_ERR_NOMEM;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = OPENSSL_hexchar2int((unsigned char)hex[2 * i]);
        int lo = OPENSSL_hexchar2int((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return CT_ERR_PARSE;
        }
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    *out = b;
    *len = n / 2;
    return CT_OK;
}

const char *ct_vec_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

int ct_vec_jhex(const json_t *obj, const char *key, uint8_t **out, size_t *len)
{
    const char *s = ct_vec_str(obj, key);
    return s != NULL ? ct_vec_hex(s, out, len) : CT_ERR_PARSE;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/* Whether a file is one of ours, and of which kind. */
enum kind { NOT_VECTORS, JSON_VECTORS, CAVP, RSALABS_OAEP, RSALABS_PKCS1 };

static enum kind kind_of(const char *path)
{
    const char *name = base_name(path);
    if (ends_with(name, ".json"))
        return JSON_VECTORS;
    if (ends_with(name, ".rsp"))
        return CAVP;
    if (strncmp(name, "oaep-vect", 9) == 0 && ends_with(name, ".txt"))
        return RSALABS_OAEP;
    if (strncmp(name, "pkcs1v15crypt-vectors", 21) == 0 && ends_with(name, ".txt"))
        return RSALABS_PKCS1;
    return NOT_VECTORS;
}

static int run_json(struct ct_vec_file *f, const struct ct_buf *text, struct ct_diag *diag)
{
    json_error_t err;
    json_t *root = json_loadb((const char *)text->data, text->len, 0, &err);
    if (root == NULL)
        return ct_diag_set(diag, CT_ERR_PARSE, "%s: line %d: %s", f->name, err.line, err.text);
    const char *schema = ct_vec_str(root, "schema");
    int rc;
    if (schema != NULL && strcmp(schema, "conftest_profile_kat_v1") == 0)
        rc = ct_vec_profile(f, root, diag);
    else if (json_object_get(root, "testGroups") != NULL)
        rc = ct_vec_wycheproof(f, root, diag);
    else
        rc = CT_OK; /* some other JSON (a schema, a config): not a vector file */
    json_decref(root);
    return rc;
}

static int run_file(const char *path, enum kind kind, struct ct_vec_tally *tally, FILE *log,
                    struct ct_diag *diag)
{
    struct ct_buf text;
    ct_buf_init(&text, MAX_VECTOR_FILE);
    int rc = ct_buf_read_file(&text, path);
    if (rc != CT_OK) {
        ct_buf_cleanup(&text);
        return ct_diag_set(diag, rc, "%s: cannot read (%s)", path, ct_strerror(rc));
    }
    struct ct_vec_file f = {.name = path, .log = log};
    switch (kind) {
    case JSON_VECTORS: rc = run_json(&f, &text, diag); break;
    case CAVP: rc = ct_vec_cavp(&f, (const char *)text.data, diag); break;
    case RSALABS_OAEP: rc = ct_vec_rsalabs(&f, (const char *)text.data, true, diag); break;
    case RSALABS_PKCS1: rc = ct_vec_rsalabs(&f, (const char *)text.data, false, diag); break;
    case NOT_VECTORS:
    default: break;
    }
    ct_buf_cleanup(&text);
    unsigned total = f.t.passed + f.t.failed + f.t.skipped;
    if (rc == CT_OK && total > 0 && log != NULL) {
        fprintf(log, "%s: %u passed, %u failed", path, f.t.passed, f.t.failed);
        if (f.t.skipped > 0)
            fprintf(log, ", %u skipped (%s)", f.t.skipped, f.skip_reason);
        fputc('\n', log);
    }
    tally->passed += f.t.passed;
    tally->failed += f.t.failed;
    tally->skipped += f.t.skipped;
    return rc;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_dir(const char *dir, unsigned depth, struct ct_vec_tally *tally, FILE *log,
                   struct ct_diag *diag)
{
    if (depth > 16)
        return ct_diag_set(diag, CT_ERR_INVALID_ARG, "%s: directories nested too deep", dir);
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, by_name);
    if (n < 0)
        return ct_diag_set(diag, CT_ERR_IO, "%s: cannot list the directory", dir);
    int rc = CT_OK;
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (rc == CT_OK && name[0] != '.') {
            size_t len = strlen(dir) + strlen(name) + 2;
            char *path = malloc(len);
            if (path == NULL) {
                rc = CT_ERR_NOMEM;
            } else {
                snprintf(path, len, "%s/%s", dir, name);
                struct stat st;
                if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
                    rc = run_dir(path, depth + 1, tally, log, diag);
                else if (kind_of(path) != NOT_VECTORS)
                    rc = run_file(path, kind_of(path), tally, log, diag);
                free(path);
            }
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int ct_vec_run_path(const char *path, struct ct_vec_tally *tally, FILE *log, struct ct_diag *diag)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return ct_diag_set(diag, CT_ERR_IO, "%s: no such file or directory", path);
    if (S_ISDIR(st.st_mode))
        return run_dir(path, 0, tally, log, diag);
    enum kind kind = kind_of(path);
    if (kind == NOT_VECTORS)
        return ct_diag_set(diag, CT_ERR_INVALID_ARG,
                           "%s: not a vector file (.json, .rsp, oaep-vect*.txt, pkcs1v15crypt-vectors*.txt)",
                           path);
    return run_file(path, kind, tally, log, diag);
}
