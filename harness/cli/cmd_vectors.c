/*
 * conftest vectors: run the known-answer test vectors (public and the profile's own).
 */
#include "cli/cli.h"

#include "vectors/ct_vec.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static const char vectors_usage[] =
    "usage: conftest vectors [options] [DIR|FILE]...\n"
    "\n"
    "Run known-answer test vectors against conftest's crypto: Wycheproof JSON (AES-GCM,\n"
    "AES-CBC-PKCS5, RSA-OAEP, RSAES-PKCS1-v1_5), NIST CAVP .rsp (AES-CBC, TDES-CBC), RSA Labs\n"
    "PKCS #1 files, and the encryption profile's own vectors (vectors/profile/). Directories\n"
    "are searched recursively. Without arguments: $CONFTEST_VECTORS, else ./vectors.\n"
    "Prints one line per file and per failure, and ends with 'N passed, N failed'.\n"
    "\n"
    "Options:\n"
    "  -q, --quiet    print only failures and the last line\n"
    "  -h, --help     show this help\n"
    "\n"
    "Exit codes: 0 every vector passed, 1 a vector failed, 2 usage error, 3 a vector file\n"
    "could not be read or parsed.\n";

int cmd_vectors(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool quiet = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'q': quiet = true; break;
        case 'h': fputs(vectors_usage, stdout); return CLI_EXIT_OK;
        default: fputs(vectors_usage, stderr); return CLI_EXIT_USAGE;
        }
    }
    const char *fallback = getenv("CONFTEST_VECTORS");
    const char *defaults[] = {fallback != NULL ? fallback : "vectors"};
    char **paths = optind < argc ? argv + optind : (char **)defaults;
    int n_paths = optind < argc ? argc - optind : 1;

    struct ct_vec_tally tally = {0};
    int status = CLI_EXIT_OK;
    for (int i = 0; i < n_paths; i++) {
        struct ct_diag diag = {0};
        /* Failures always show; the per-file lines only when not quiet. */
        int rc = ct_vec_run_path(paths[i], &tally, quiet ? NULL : stdout, &diag);
        if (rc != CT_OK) {
            cli_error("vectors", "%s", diag.code != CT_OK ? diag.text : ct_strerror(rc));
            status = rc == CT_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
        }
    }
    if (tally.skipped > 0)
        printf("%u skipped (parameters outside what OpenSSL and the profile support)\n", tally.skipped);
    printf("%u passed, %u failed\n", tally.passed, tally.failed);
    if (status == CLI_EXIT_OK && tally.failed > 0)
        status = CLI_EXIT_REJECTED;
    if (status == CLI_EXIT_OK && tally.passed == 0) {
        cli_error("vectors", "no vectors found");
        status = CLI_EXIT_ERROR;
    }
    return status;
}
