/*
 * conftest: the command line. Dispatches to one subcommand per file (cmd_*.c).
 */
#include "cli/cli.h"

#include <errno.h>
#include <libxml/parser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CONFTEST_VERSION
#define CONFTEST_VERSION "unknown"
#endif

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"decode", cmd_decode, "print a SyncML message (XML or WBXML) as indented XML"},
    {"encode", cmd_encode, "convert a SyncML message to WBXML or XML"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: conftest <command> [options] [args]\n"
                 "       conftest --help | --version\n\n"
                 "Conformance test harness and fuzzer for SyncML DS 1.2 and its encryption profile.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'conftest <command> --help' for the options of a command.\n"
                 "Exit codes: 0 success, 1 input or SUT rejected, 2 usage error, 3 conftest error.\n");
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
    const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
    if (rc == CT_ERR_TOO_BIG) {
        cli_error(sub, "%s: larger than the limit of %zu bytes (see --max-size)", name, max);
        ct_buf_cleanup(out);
        return CLI_EXIT_REJECTED;
    }
    cli_error(sub, "%s: %s", name, rc == CT_ERR_IO ? strerror(errno) : ct_strerror(rc));
    ct_buf_cleanup(out);
    return CLI_EXIT_ERROR;
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

int main(int argc, char **argv)
{
    xmlInitParser();
    int status = CLI_EXIT_USAGE;
    if (argc < 2) {
        usage(stderr);
    } else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        status = CLI_EXIT_OK;
    } else if (strcmp(argv[1], "--version") == 0) {
        printf("conftest %s\n", CONFTEST_VERSION);
        status = CLI_EXIT_OK;
    } else {
        size_t i = 0;
        size_t n = sizeof(commands) / sizeof(commands[0]);
        while (i < n && strcmp(argv[1], commands[i].name) != 0)
            i++;
        if (i < n) {
            status = commands[i].run(argc - 1, argv + 1);
        } else {
            fprintf(stderr, "conftest: unknown command '%s'\n\n", argv[1]);
            usage(stderr);
        }
    }
    xmlCleanupParser();
    return status;
}
