/*
 * conftest fuzz: the live fuzzer (livefuzz/ct_lfz.h) against a SUT, the builtin reference by
 * default. Prints the seed, a line per new finding and a summary; writes each finding as a
 * scenario that reproduces it with `conftest run`.
 */
#include "cli/cli.h"

#include "livefuzz/ct_lfz.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char fuzz_usage[] =
    "usage: conftest fuzz [options] MODEL.scn\n"
    "\n"
    "Take the scenario MODEL as a valid exchange, replay it up to one of the packages conftest\n"
    "sends, mutate that package (elements, values, lengths, encodings, bytes; sealed fields and\n"
    "the wrapped key with the session keys kept right), and watch the SUT: a closed connection,\n"
    "a timeout, an HTTP 5xx, a malformed reply, a crashed client, or a clean session that fails\n"
    "afterwards is a finding. Each new finding is minimised and written to OUT/<id>.scn (with\n"
    "the templates it uses in OUT/templates/); `conftest run OUT/<id>.scn` reproduces it.\n"
    "The model must pass against the SUT first. Without --sut, the SUT is the builtin reference\n"
    "(in its own process, so that a crash or a hang is seen as a real server's would be).\n"
    "\n"
    "Options:\n"
    "  --sut FILE             the SUT config (docs/SCENARIOS.md)\n"
    "  --ref-bug NAME         switch a seeded bug of the builtin reference on (repeatable)\n"
    "  --seed N               the mutations' seed (random by default; printed, reproducible)\n"
    "  --first I              start at candidate I (with --runs 1: replay one candidate)\n"
    "  --runs N               candidates at most (default 500)\n"
    "  --time SEC             stop after SEC seconds (default 300; 0: only --runs bounds it)\n"
    "  --max-findings N       stop after N distinct findings (default 0: no bound)\n"
    "  --step N               mutate only the N-th package the model sends (default: any)\n"
    "  --timeout MS           per step, in milliseconds: a SUT slower than this hangs (default 3000)\n"
    "  --out DIR              where findings go (default fuzz-findings)\n"
    "  --no-minimise          save findings as found\n"
    "  --vectors DIR          the vectors directory (test PKI)\n"
    "  -v, --verbose          a line per candidate\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit codes: 0 nothing found, 1 findings (saved), 2 usage error, 3 conftest error or a model\n"
    "that does not pass against the SUT.\n";

enum {
    OPT_SUT = OPT_FIRST_PRIVATE, OPT_REF_BUG, OPT_SEED, OPT_FIRST, OPT_RUNS, OPT_TIME, OPT_MAX_FINDINGS,
    OPT_STEP, OPT_TIMEOUT, OPT_OUT, OPT_NO_MIN, OPT_VECTORS,
};

#define MAX_BUGS 32

struct progress {
    bool verbose;
};

static const char *kind_name(enum ct_lfz_kind k)
{
    switch (k) {
    case CT_LFZ_PASSED: return "ok";
    case CT_LFZ_FINDING: return "FOUND";
    case CT_LFZ_REJECTED: return "rejected";
    case CT_LFZ_UNSTABLE: return "unstable";
    }
    return "?";
}

static void one_line(const char *text, char *out, size_t size)
{
    snprintf(out, size, "%s", text != NULL ? text : "");
    for (char *p = out; *p != '\0'; p++)
        if (*p == '\n')
            *p = ';';
}

static void on_event(void *ctx, const struct ct_lfz_event *ev)
{
    struct progress *p = ctx;
    char mut[1024];
    one_line(ev->mutation, mut, sizeof(mut));
    if (ev->kind == CT_LFZ_FINDING && !ev->dup) {
        printf("FOUND  candidate %u: %s\n       mutation: %s\n       saved: %s\n", ev->candidate, ev->signature, mut,
               ev->saved);
    } else if (p->verbose) {
        printf("%-8s candidate %u: %s%s%s\n", kind_name(ev->kind), ev->candidate, mut,
               ev->signature != NULL ? " -> " : "", ev->signature != NULL ? ev->signature : "");
        if (ev->kind == CT_LFZ_REJECTED || ev->kind == CT_LFZ_UNSTABLE)
            printf("         %s\n", ev->why);
    }
    fflush(stdout);
}

static int uint_opt(const char *name, const char *arg, unsigned long max, unsigned long *out)
{
    char *end = NULL;
    *out = strtoul(arg, &end, 10);
    if (end == arg || *end != '\0' || *out > max) {
        cli_error("fuzz", "%s: a number from 0 to %lu", name, max);
        return -1;
    }
    return 0;
}

int cmd_fuzz(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"sut", required_argument, NULL, OPT_SUT},
        {"ref-bug", required_argument, NULL, OPT_REF_BUG},
        {"seed", required_argument, NULL, OPT_SEED},
        {"first", required_argument, NULL, OPT_FIRST},
        {"runs", required_argument, NULL, OPT_RUNS},
        {"time", required_argument, NULL, OPT_TIME},
        {"max-findings", required_argument, NULL, OPT_MAX_FINDINGS},
        {"step", required_argument, NULL, OPT_STEP},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"out", required_argument, NULL, OPT_OUT},
        {"no-minimise", no_argument, NULL, OPT_NO_MIN},
        {"vectors", required_argument, NULL, OPT_VECTORS},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct ct_lfz_config cfg = {.runs = 500, .seconds = 300, .timeout_ms = 3000, .minimise = true,
                                .out_dir = "fuzz-findings"};
    char *bugs[MAX_BUGS];
    size_t n_bugs = 0;
    const char *sut_file = NULL, *vectors = NULL;
    bool seeded = false;
    struct progress pr = {0};
    unsigned long v;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_SUT: sut_file = optarg; break;
        case OPT_REF_BUG:
            if (n_bugs == MAX_BUGS) {
                cli_error("fuzz", "--ref-bug: at most %d", MAX_BUGS);
                return CLI_EXIT_USAGE;
            }
            bugs[n_bugs++] = optarg;
            break;
        case OPT_SEED:
            if (uint_opt("--seed", optarg, 4294967295ul, &v) != 0)
                return CLI_EXIT_USAGE;
            cfg.seed = v;
            seeded = true;
            break;
        case OPT_FIRST:
            if (uint_opt("--first", optarg, 100000000ul, &v) != 0)
                return CLI_EXIT_USAGE;
            cfg.first = (unsigned)v;
            break;
        case OPT_RUNS:
            if (uint_opt("--runs", optarg, 100000000ul, &v) != 0 || v == 0) {
                cli_error("fuzz", "--runs: at least 1");
                return CLI_EXIT_USAGE;
            }
            cfg.runs = (unsigned)v;
            break;
        case OPT_TIME:
            if (uint_opt("--time", optarg, 7u * 86400u, &v) != 0)
                return CLI_EXIT_USAGE;
            cfg.seconds = (unsigned)v;
            break;
        case OPT_MAX_FINDINGS:
            if (uint_opt("--max-findings", optarg, 100000ul, &v) != 0)
                return CLI_EXIT_USAGE;
            cfg.max_findings = (unsigned)v;
            break;
        case OPT_STEP:
            if (uint_opt("--step", optarg, 1000ul, &v) != 0)
                return CLI_EXIT_USAGE;
            cfg.step = (int)v;
            break;
        case OPT_TIMEOUT:
            if (uint_opt("--timeout", optarg, 600000ul, &v) != 0 || v < 50) {
                cli_error("fuzz", "--timeout: milliseconds from 50 to 600000");
                return CLI_EXIT_USAGE;
            }
            cfg.timeout_ms = (unsigned)v;
            break;
        case OPT_OUT: cfg.out_dir = optarg; break;
        case OPT_NO_MIN: cfg.minimise = false; break;
        case OPT_VECTORS: vectors = optarg; break;
        case 'v': pr.verbose = true; break;
        case 'h': fputs(fuzz_usage, stdout); return CLI_EXIT_OK;
        default: fputs(fuzz_usage, stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_error("fuzz", "one model scenario file, please (conftest fuzz --help)");
        return CLI_EXIT_USAGE;
    }
    cfg.model = argv[optind];
    for (size_t i = 0; i < n_bugs; i++)
        if (!cli_known_bug("fuzz", bugs[i]))
            return CLI_EXIT_USAGE;
    static char exe[PATH_MAX], vbuf[PATH_MAX];
    if (cli_self_exe("fuzz", exe, sizeof(exe)) != 0 ||
        (cfg.vectors = cli_find_vectors("fuzz", vectors, exe, vbuf, sizeof(vbuf))) == NULL)
        return CLI_EXIT_ERROR;
    cfg.ref_exe = exe;
    cfg.ref_bugs = bugs;
    cfg.n_ref_bugs = n_bugs;

    struct ct_diag diag = {0};
    struct ct_sut_config *sut = NULL;
    if (sut_file != NULL) {
        if (ct_sut_load(&sut, sut_file, &diag) != CT_OK) {
            cli_error("fuzz", "%s", diag.text);
            return CLI_EXIT_ERROR;
        }
        if (n_bugs > 0 && !sut->builtin) {
            cli_error("fuzz", "--ref-bug is for the builtin reference, not for %s", sut->name);
            ct_sut_free(sut);
            return CLI_EXIT_USAGE;
        }
    } else {
        /* The builtin in the model's role. */
        struct ct_scn *scn = NULL;
        if (ct_scn_load(&scn, cfg.model, &diag) != CT_OK) {
            cli_error("fuzz", "%s", diag.text);
            return CLI_EXIT_ERROR;
        }
        sut = ct_sut_builtin(scn->role);
        ct_scn_free(scn);
        if (sut == NULL) {
            cli_error("fuzz", "out of memory");
            return CLI_EXIT_ERROR;
        }
    }
    cfg.sut = sut;
    if (!seeded) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        cfg.seed = ((unsigned long)ts.tv_nsec ^ (unsigned long)ts.tv_sec * 2654435761ul ^ (unsigned long)getpid()) %
                   1000000000ul;
    }
    cfg.progress = on_event;
    cfg.progress_ctx = &pr;
    printf("conftest fuzz: model %s, SUT %s%s, seed %lu, at most %u candidates%s", cfg.model,
           sut->builtin ? "builtin reference" : sut->name, n_bugs > 0 ? " (seeded bugs on)" : "", cfg.seed,
           cfg.runs, cfg.seconds > 0 ? "" : "\n");
    if (cfg.seconds > 0)
        printf(" or %u s\n", cfg.seconds);
    fflush(stdout);

    struct ct_lfz_result res;
    int rc = ct_lfz_run(&cfg, &res, &diag);
    int status;
    if (rc != CT_OK) {
        cli_error("fuzz", "%s", diag.text[0] != '\0' ? diag.text : ct_strerror(rc));
        status = rc == CT_ERR_USAGE || rc == CT_ERR_INVALID_ARG ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
    } else {
        printf("%u candidates in %.1f s (%.1f/s): %u passed, %u rejected, %u unstable, %u with a finding "
               "(%zu distinct); %u reruns to check and minimise\n",
               res.candidates, res.seconds, res.seconds > 0 ? res.candidates / res.seconds : 0.0, res.passed,
               res.rejected, res.unstable, res.findings, res.n_distinct, res.reruns);
        for (size_t i = 0; i < res.n_distinct; i++)
            printf("  %s  (%u hit%s)\n    %s\n", res.distinct[i].file, res.distinct[i].hits,
                   res.distinct[i].hits == 1 ? "" : "s", res.distinct[i].signature);
        if (res.n_distinct == 0)
            printf("no finding: the SUT coped with every candidate (seed %lu)\n", cfg.seed);
        status = res.n_distinct > 0 ? CLI_EXIT_REJECTED : CLI_EXIT_OK;
    }
    ct_lfz_result_cleanup(&res);
    ct_sut_free(sut);
    return status;
}
