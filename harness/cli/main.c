/*
 * conftest: the command line. Dispatches to one subcommand per file (cmd_*.c).
 */
#include "cli/cli.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

#ifndef CONFTEST_VERSION
#define CONFTEST_VERSION "unknown"
#endif

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"run", cmd_run, "run scenarios against a SUT (the builtin reference by default) and report"},
    {"list", cmd_list, "list the scenario ids"},
    {"coverage", cmd_coverage, "list each requirement with the scenarios that check it"},
    {"fuzz", cmd_fuzz, "mutate the packages of a scenario against a live SUT and keep what breaks it"},
    {"decode", cmd_decode, "print a SyncML message (XML or WBXML) as indented XML"},
    {"encode", cmd_encode, "convert a SyncML message to WBXML or XML"},
    {"vectors", cmd_vectors, "run the known-answer test vectors against conftest's crypto"},
    {"serve", cmd_serve, "run the reference SyncML server over HTTP"},
    {"sync", cmd_sync, "run the reference SyncML client against a server URL"},
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
