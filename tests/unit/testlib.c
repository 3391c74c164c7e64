#include "testlib.h"

#include "base/ct_buf.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tl_path(const char *rel)
{
    static char path[1024];
    const char *dir = getenv("CONFTEST_TESTDATA");
    snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : "tests/data", rel);
    return path;
}

const char *tl_vector_path(const char *rel)
{
    static char path[1024];
    const char *dir = getenv("CONFTEST_VECTORS");
    snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : "vectors", rel);
    return path;
}

uint8_t *tl_read_file(const char *path, size_t *len)
{
    struct ct_buf b;
    ct_buf_init(&b, 0);
    int rc = ct_buf_read_file(&b, path);
    ck_assert_msg(rc == CT_OK, "cannot read %s", path);
    return ct_buf_steal(&b, len);
}

uint8_t *tl_read(const char *rel, size_t *len)
{
    return tl_read_file(tl_path(rel), len);
}

struct ct_msg *tl_parse(const uint8_t *data, size_t len)
{
    struct ct_msg *m = NULL;
    struct ct_diag diag = {0};
    int rc = ct_msg_parse(&m, data, len, CT_ENC_AUTO, NULL, &diag);
    ck_assert_msg(rc == CT_OK, "parse failed (%d): %s", rc, diag.text);
    return m;
}

struct ct_msg *tl_parse_file(const char *rel)
{
    size_t len;
    uint8_t *data = tl_read(rel, &len);
    struct ct_msg *m = tl_parse(data, len);
    free(data);
    return m;
}

struct ct_msg *tl_parse_text(const char *xml)
{
    return tl_parse((const uint8_t *)xml, strlen(xml));
}

char *tl_canon(const struct ct_msg *m)
{
    struct ct_buf b;
    ct_buf_init(&b, 0);
    ck_assert_int_eq(ct_msg_canonical(m, &b), CT_OK);
    return (char *)ct_buf_steal(&b, NULL);
}

uint8_t *tl_serialize(const struct ct_msg *m, const struct ct_ser_opts *opts, size_t *len)
{
    struct ct_buf b;
    ct_buf_init(&b, 0);
    struct ct_diag diag = {0};
    int rc = ct_msg_serialize(m, opts, &b, &diag);
    ck_assert_msg(rc == CT_OK, "serialize failed (%d): %s", rc, diag.text);
    return ct_buf_steal(&b, len);
}

size_t tl_glob(const char *pattern, const char ***names)
{
    /* Suites are built once per run: the lists stay reachable until exit. */
    static glob_t lists[16];
    static size_t n_lists;
    if (n_lists == sizeof(lists) / sizeof(lists[0])) {
        fprintf(stderr, "tl_glob: too many lists\n");
        abort();
    }
    glob_t *g = &lists[n_lists++];
    char full[1024];
    snprintf(full, sizeof(full), "%s", tl_path(pattern));
    if (glob(full, 0, NULL, g) != 0) {
        *names = NULL;
        return 0;
    }
    /* Names relative to the data directory, as tl_read takes them. */
    static const char **rel[16];
    size_t prefix = strlen(tl_path(""));
    rel[n_lists - 1] = calloc(g->gl_pathc, sizeof(char *));
    if (rel[n_lists - 1] == NULL)
        abort();
    for (size_t i = 0; i < g->gl_pathc; i++)
        rel[n_lists - 1][i] = g->gl_pathv[i] + prefix;
    *names = rel[n_lists - 1];
    return g->gl_pathc;
}
