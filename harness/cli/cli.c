/*
 * Helpers shared by the subcommands: messages, exit codes, option values, input and output.
 */
#define _DEFAULT_SOURCE /* readlink */
#include "cli/cli.h"

#include "base/ct_fs.h"
#include "sut/ct_bugs.h"

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *cli_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

void cli_error(const char *sub, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "conftest: %s: ", sub);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_exit_for(int code)
{
    if (code == CT_OK)
        return CLI_EXIT_OK;
    if (code <= CT_ERR_FATAL || code == CT_ERR_IO || code == CT_ERR_UNSUPPORTED)
        return CLI_EXIT_ERROR;
    if (code == CT_ERR_USAGE || code == CT_ERR_INVALID_ARG)
        return CLI_EXIT_USAGE;
    return CLI_EXIT_REJECTED;
}

static int parse_size(const char *arg, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    if (arg[0] < '0' || arg[0] > '9')
        return -1;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno != 0 || end == arg)
        return -1;
    unsigned long long mult = 1;
    if (*end == 'k' || *end == 'K')
        mult = 1024ULL, end++;
    else if (*end == 'm' || *end == 'M')
        mult = 1024ULL * 1024ULL, end++;
    if (*end != '\0' || (v != 0 && mult > ~0ULL / v))
        return -1;
    *out = v * mult;
    return 0;
}

int cli_parse_limit_option(const char *sub, int opt, const char *arg, struct ct_limits *lim)
{
    unsigned long long v;
    switch (opt) {
    case OPT_MAX_SIZE:
        if (parse_size(arg, &v) != 0 || v == 0 || v > (unsigned long long)(SIZE_MAX / 64)) {
            cli_error(sub, "--max-size: '%s' is not a size in bytes (suffix K or M allowed)", arg);
            return -1;
        }
        lim->max_bytes = (size_t)v;
        return 1;
    case OPT_MAX_DEPTH:
        if (parse_size(arg, &v) != 0 || v == 0 || v > CT_LIMIT_MAX_DEPTH) {
            cli_error(sub, "--max-depth: '%s' is not a depth between 1 and %u", arg,
                      CT_LIMIT_MAX_DEPTH);
            return -1;
        }
        lim->max_depth = (unsigned)v;
        return 1;
    default:
        return 0;
    }
}

int cli_read_input(const char *sub, const char *path, size_t max, struct ct_buf *out)
{
    ct_buf_init(out, max);
    int rc = ct_buf_read_file(out, path);
    if (rc == CT_OK)
        return CLI_EXIT_OK;
    const char *name = cli_name(path);
    if (rc == CT_ERR_TOO_BIG) {
        cli_error(sub, "%s: larger than the limit of %zu bytes (see --max-size)", name, max);
        ct_buf_cleanup(out);
        return CLI_EXIT_REJECTED;
    }
    cli_error(sub, "%s: %s", name, rc == CT_ERR_IO ? strerror(errno) : ct_strerror(rc));
    ct_buf_cleanup(out);
    return CLI_EXIT_ERROR;
}

int cli_load_message(const char *sub, const char *path, enum ct_enc enc,
                     const struct ct_limits *lim, struct ct_msg **out)
{
    struct ct_buf in;
    int status = cli_read_input(sub, path, lim->max_bytes, &in);
    if (status != CLI_EXIT_OK)
        return status;
    struct ct_diag diag = {0};
    int rc = ct_msg_parse(out, in.data, in.len, enc, lim, &diag);
    ct_buf_cleanup(&in);
    if (rc == CT_OK)
        return CLI_EXIT_OK;
    cli_error(sub, "%s: %s", cli_name(path), diag.code != CT_OK ? diag.text : ct_strerror(rc));
    return cli_exit_for(rc);
}

int cli_write_output(const char *sub, const char *path, const void *data, size_t len)
{
    bool to_stdout = path == NULL || strcmp(path, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(path, "wb");
    if (f == NULL) {
        cli_error(sub, "%s: %s", path, strerror(errno));
        return CLI_EXIT_ERROR;
    }
    bool ok = fwrite(data, 1, len, f) == len;
    ok = (to_stdout ? fflush(f) : fclose(f)) == 0 && ok;
    if (!ok) {
        cli_error(sub, "%s: write failed: %s", to_stdout ? "standard output" : path, strerror(errno));
        return CLI_EXIT_ERROR;
    }
    return CLI_EXIT_OK;
}


int cli_mkdirs(const char *dir)
{
    return ct_fs_mkdirs(dir);
}

void cli_dump_write(struct cli_dump *d, const char *sub, const char *direction, const void *p,
                    size_t n, const char *content_type)
{
    if (d->dir == NULL)
        return;
    char path[1200];
    snprintf(path, sizeof(path), "%s/%03u-%s.%s", d->dir, ++d->no, direction,
             ct_enc_from_content_type(content_type) == CT_ENC_WBXML ? "wbxml" : "xml");
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(p, 1, n, f) != n) {
        cli_error(sub, "--dump: %s: %s", path, strerror(errno));
    }
    if (f != NULL)
        fclose(f);
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *cli_find_vectors(const char *sub, const char *given, const char *exe, char *buf, size_t size)
{
    const char *found = given;
    const char *env = getenv("CONFTEST_VECTORS");
    if (found == NULL && env != NULL && is_dir(env))
        found = env;
    if (found == NULL && is_dir("vectors/pki"))
        found = "vectors";
    const char *slash = strrchr(exe, '/');
    int dl = slash != NULL ? (int)(slash - exe) : 1;
    const char *dir = slash != NULL ? exe : ".";
    const char *tries[] = {"/vectors", "/../vectors", "/../share/conftest/vectors"};
    for (size_t i = 0; found == NULL && i < 3; i++) {
        char pki[PATH_MAX + 16];
        snprintf(buf, size, "%.*s%s", dl, dir, tries[i]);
        snprintf(pki, sizeof(pki), "%s/pki", buf);
        if (is_dir(pki))
            found = buf;
    }
    if (found == NULL)
        found = "vectors";
    char pki[PATH_MAX + 64];
    snprintf(pki, sizeof(pki), "%s/pki/server-2048.pem", found);
    if (access(pki, R_OK) != 0) {
        cli_error(sub, "%s: the test PKI is missing (give --vectors DIR)", pki);
        return NULL;
    }
    return found;
}

int cli_self_exe(const char *sub, char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n <= 0) {
        cli_error(sub, "cannot find the conftest binary (/proc/self/exe)");
        return -1;
    }
    buf[n] = '\0';
    return 0;
}

bool cli_known_bug(const char *sub, const char *name)
{
    unsigned nb;
    const struct ct_bug_info *t = ct_bug_table(&nb);
    for (unsigned k = 0; k < nb; k++)
        if (strcmp(t[k].name, name) == 0)
            return true;
    cli_error(sub, "--ref-bug: '%s' is not a seeded bug (conftest serve --list-bugs)", name);
    return false;
}
