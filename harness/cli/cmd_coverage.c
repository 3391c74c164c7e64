/*
 * conftest coverage: each requirement of docs/PROFILE.md and each DS rule of docs/DS-RULES.md
 * with the scenarios that check it, by the SUT role they check it in, and the ones with none.
 */
#include "cli/cli.h"

#include "engine/ct_reqs.h"
#include "engine/ct_suite.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char coverage_usage[] =
    "usage: conftest coverage [--profile FILE] [--ds-rules FILE] [--missing] [PATH...]\n"
    "\n"
    "List each requirement of the encryption profile (default docs/PROFILE.md) and each DS 1.2\n"
    "rule the suite tracks (default docs/DS-RULES.md) with the scenarios under PATH (default:\n"
    "scenarios) that cite it, by the SUT role they check; then those with none, and any id a\n"
    "scenario cites that no document defines. --missing prints only what has no scenario.\n"
    "\n"
    "Exit codes: 0 every MUST has a scenario in each role it applies to, 1 one has none,\n"
    "2 usage error, 3 a document or scenario cannot be read, or a scenario cites an unknown id.\n";

enum { OPT_PROFILE = OPT_FIRST_PRIVATE, OPT_DS, OPT_MISSING };

int cmd_coverage(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"ds-rules", required_argument, NULL, OPT_DS},
        {"missing", no_argument, NULL, OPT_MISSING},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *profile = "docs/PROFILE.md", *ds = "docs/DS-RULES.md";
    bool missing_only = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_PROFILE: profile = optarg; break;
        case OPT_DS: ds = optarg; break;
        case OPT_MISSING: missing_only = true; break;
        case 'h': fputs(coverage_usage, stdout); return CLI_EXIT_OK;
        default: fputs(coverage_usage, stderr); return CLI_EXIT_USAGE;
        }
    }
    static char *default_path[] = {"scenarios"};
    char *const *paths = optind < argc ? argv + optind : default_path;
    size_t n_paths = optind < argc ? (size_t)(argc - optind) : 1;

    struct ct_reqs reqs = {0};
    struct ct_diag diag = {0};
    struct ct_scn **scns = NULL;
    size_t n_scns = 0, n_err = 0;
    struct ct_result *errs = NULL;
    int status = CLI_EXIT_ERROR;
    if (ct_reqs_load_profile(&reqs, profile, &diag) != CT_OK || ct_reqs_load_ds(&reqs, ds, &diag) != CT_OK) {
        cli_error("coverage", "%s", diag.text);
        goto out;
    }
    if (ct_suite_list(paths, n_paths, &scns, &n_scns, &errs, &n_err, &diag) != CT_OK) {
        cli_error("coverage", "%s", diag.text);
        goto out;
    }
    for (size_t i = 0; i < n_err; i++)
        fprintf(stderr, "conftest: coverage: %s\n", errs[i].reason);

    size_t must = 0, must_ok = 0, covered = 0, unknown = 0;
    printf("%-12s %-6s %-6s %s\n", "requirement", "level", "role", "scenarios (SUT server | SUT client)");
    for (size_t r = 0; r < reqs.n; r++) {
        const struct ct_req *q = &reqs.v[r];
        struct ct_buf srv, cli;
        ct_buf_init(&srv, 0);
        ct_buf_init(&cli, 0);
        for (size_t s = 0; s < n_scns; s++)
            for (size_t k = 0; k < scns[s]->n_rules; k++)
                if (strcmp(scns[s]->rules[k], q->id) == 0) {
                    struct ct_buf *b = scns[s]->role == CT_SCN_ROLE_SERVER ? &srv : &cli;
                    ct_buf_printf(b, "%s%s", b->len ? " " : "", scns[s]->id);
                }
        bool srv_needed = strcmp(q->role, "client") != 0, cli_needed = strcmp(q->role, "server") != 0;
        /* A DS rule or a "both" requirement is covered by either role; a MUST of the profile
         * for both roles wants a scenario in each. */
        bool ok = q->level == CT_REQ_MUST && strcmp(q->role, "both") == 0
                      ? srv.len > 0 && cli.len > 0
                      : (srv_needed && srv.len > 0) || (cli_needed && cli.len > 0);
        covered += srv.len > 0 || cli.len > 0;
        if (q->level == CT_REQ_MUST) {
            must++;
            must_ok += ok;
        }
        if (!missing_only || !ok)
            printf("%-12s %-6s %-6s %s | %s%s\n", q->id, ct_req_level_name(q->level), q->role,
                   srv.len ? (const char *)srv.data : "-", cli.len ? (const char *)cli.data : "-",
                   ok ? "" : q->level == CT_REQ_MUST ? "   <-- MUST without a scenario" : "   <-- none");
        ct_buf_cleanup(&srv);
        ct_buf_cleanup(&cli);
    }
    /* Ids cited that no document defines: a typo hides a requirement from this table. */
    for (size_t s = 0; s < n_scns; s++)
        for (size_t k = 0; k < scns[s]->n_rules; k++)
            if (ct_reqs_find(&reqs, scns[s]->rules[k]) == NULL) {
                fprintf(stderr, "conftest: coverage: %s cites '%s', which neither %s nor %s defines\n",
                        scns[s]->file, scns[s]->rules[k], profile, ds);
                unknown++;
            }
    printf("\n%zu requirements, %zu with scenarios; MUST: %zu of %zu covered (each role it applies to); "
           "%zu scenarios\n", reqs.n, covered, must_ok, must, n_scns);
    status = unknown > 0 || n_err > 0 ? CLI_EXIT_ERROR : must_ok < must ? CLI_EXIT_REJECTED : CLI_EXIT_OK;
out:
    for (size_t i = 0; i < n_err; i++)
        ct_result_cleanup(&errs[i]);
    free(errs);
    ct_suite_list_free(scns, n_scns);
    ct_reqs_cleanup(&reqs);
    return status;
}
