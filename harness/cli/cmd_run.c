/*
 * conftest run: the scenario suite against a SUT (the builtin reference by default), with
 * console progress and the JUnit, JSON and HTML reports. conftest list: the scenario ids.
 */
#define _DEFAULT_SOURCE /* readlink */
#include "cli/cli.h"

#include "engine/ct_suite.h"
#include "sut/ct_bugs.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef CONFTEST_VERSION
#define CONFTEST_VERSION "unknown"
#endif

static const char run_usage[] =
    "usage: conftest run [options] [PATH...]\n"
    "\n"
    "Run the scenarios under PATH (files or directories; default: scenarios) against a SUT and\n"
    "judge them. Without --sut, every scenario runs against conftest's builtin reference server\n"
    "or client, as its role says; that needs no setup.\n"
    "\n"
    "Options:\n"
    "  --sut FILE             the SUT config (docs/SCENARIOS.md): where the SUT is, what it claims\n"
    "  --ref-bug NAME         switch a seeded bug of the builtin reference on (repeatable;\n"
    "                         conftest serve --list-bugs)\n"
    "  --ref-isolation MODE   the builtin server: auto (default: in-process, a child process per\n"
    "                         scenario when a seeded bug crashes or hangs it), process, thread\n"
    "  --test GLOBS           run only scenario ids matching (';' or ',' separated, repeatable)\n"
    "  --skip GLOBS           do not run these ids\n"
    "  --seed N               the order of the run (random by default; the seed is printed)\n"
    "  --shard I/N            run the I-th of N slices of the suite (for parallel CI jobs)\n"
    "  -j, --jobs N           scenarios at once (default 2)\n"
    "  --timeout SEC          per step, unless the scenario says otherwise (default 10)\n"
    "  --junit FILE           JUnit XML report\n"
    "  --json FILE            JSON report\n"
    "  --html FILE            self-contained HTML certification report\n"
    "  --transcripts DIR      every message of every scenario, raw and decoded, with timings\n"
    "  --oracle-runs N        runs of each member of an oracle class (default 6; 0: none)\n"
    "  --timing DIR           the oracle runs' response times, DIR/<class>/timing.csv\n"
    "                         (tlsfuzzer's layout, for offline analysis; no verdict)\n"
    "  --reveal-secrets       keep credentials in transcripts (masked by default)\n"
    "  --vectors DIR          the vectors directory (test PKI; default ./vectors or beside conftest)\n"
    "  -q, --quiet            print only failures and the summary\n"
    "  --color WHEN           auto (default), always, never\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit codes: 0 every result as expected, 1 a scenario failed (or passed against a known\n"
    "failure), 2 usage error or nothing selected, 3 harness error (a broken scenario, template\n"
    "or config), 4 the SUT is unreachable.\n";

static const char list_usage[] =
    "usage: conftest list [--long] [--test GLOBS] [--skip GLOBS] [PATH...]\n"
    "\n"
    "Print the id of every scenario under PATH (default: scenarios), one per line; --long adds\n"
    "the SUT role, the title and the requirements. Exit 3 if a scenario file does not parse.\n";

enum {
    OPT_SUT = OPT_FIRST_PRIVATE, OPT_REF_BUG, OPT_TEST, OPT_SKIP, OPT_SEED, OPT_SHARD, OPT_TIMEOUT,
    OPT_JUNIT, OPT_JSON, OPT_HTML, OPT_TRANSCRIPTS, OPT_REVEAL, OPT_VECTORS, OPT_COLOR, OPT_LONG, OPT_ORACLE_RUNS, OPT_TIMING, OPT_ISOLATION,
};

#define MAX_MULTI 64

struct progress {
    bool color, quiet;
    size_t width;
};

static void on_progress(void *ctx, const struct ct_result *r, size_t done, size_t total)
{
    struct progress *p = ctx;
    if (r == NULL) {
        p->width = (size_t)snprintf(NULL, 0, "%zu", total);
        return;
    }
    bool failure = !ct_verdict_expected(r->verdict);
    if (p->quiet && !failure)
        return;
    printf("[%*zu/%zu] ", (int)p->width, done, total);
    ct_report_line(stdout, r, p->color);
    fflush(stdout);
}

static char *read_version(const char *path)
{
    char file[PATH_MAX + 16];
    snprintf(file, sizeof(file), "%s/VERSION", path);
    FILE *f = fopen(file, "r");
    if (f == NULL)
        return NULL;
    char line[64] = "";
    char *ok = fgets(line, sizeof(line), f);
    fclose(f);
    if (ok == NULL)
        return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    return strdup(line);
}

static int add_multi(const char *opt, char **v, size_t *n, char *arg)
{
    if (*n == MAX_MULTI) {
        cli_error("run", "%s: at most %d", opt, MAX_MULTI);
        return -1;
    }
    v[(*n)++] = arg;
    return 0;
}

int cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"sut", required_argument, NULL, OPT_SUT},
        {"ref-bug", required_argument, NULL, OPT_REF_BUG},
        {"test", required_argument, NULL, OPT_TEST},
        {"skip", required_argument, NULL, OPT_SKIP},
        {"seed", required_argument, NULL, OPT_SEED},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"jobs", required_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"junit", required_argument, NULL, OPT_JUNIT},
        {"json", required_argument, NULL, OPT_JSON},
        {"html", required_argument, NULL, OPT_HTML},
        {"transcripts", required_argument, NULL, OPT_TRANSCRIPTS},
        {"oracle-runs", required_argument, NULL, OPT_ORACLE_RUNS},
        {"timing", required_argument, NULL, OPT_TIMING},
        {"ref-isolation", required_argument, NULL, OPT_ISOLATION},
        {"reveal-secrets", no_argument, NULL, OPT_REVEAL},
        {"vectors", required_argument, NULL, OPT_VECTORS},
        {"quiet", no_argument, NULL, 'q'},
        {"color", required_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct ct_suite_options o = {.jobs = 2, .oracle_runs = 6};
    char *bugs[MAX_MULTI], *tests[MAX_MULTI], *skips[MAX_MULTI];
    size_t n_bugs = 0, n_tests = 0, n_skips = 0;
    const char *sut_file = NULL, *junit = NULL, *json = NULL, *html = NULL, *vectors = NULL, *color = "auto";
    bool seeded = false, quiet = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "j:qh", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (opt) {
        case OPT_SUT: sut_file = optarg; break;
        case OPT_REF_BUG:
            if (add_multi("--ref-bug", bugs, &n_bugs, optarg) != 0)
                return CLI_EXIT_USAGE;
            break;
        case OPT_TEST:
            if (add_multi("--test", tests, &n_tests, optarg) != 0)
                return CLI_EXIT_USAGE;
            break;
        case OPT_SKIP:
            if (add_multi("--skip", skips, &n_skips, optarg) != 0)
                return CLI_EXIT_USAGE;
            break;
        case OPT_SEED:
            o.seed = strtoul(optarg, &end, 10);
            if (end == optarg || *end != '\0') {
                cli_error("run", "--seed: '%s' is not a number", optarg);
                return CLI_EXIT_USAGE;
            }
            seeded = true;
            break;
        case OPT_SHARD:
            if (sscanf(optarg, "%u/%u", &o.shard, &o.shards) != 2 || o.shards == 0 || o.shard == 0 ||
                o.shard > o.shards) {
                cli_error("run", "--shard: '%s' is not I/N with 1 <= I <= N", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'j':
            o.jobs = (unsigned)strtoul(optarg, &end, 10);
            if (end == optarg || *end != '\0' || o.jobs == 0 || o.jobs > 64) {
                cli_error("run", "--jobs: from 1 to 64");
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_TIMEOUT: {
            unsigned long s = strtoul(optarg, &end, 10);
            if (end == optarg || *end != '\0' || s == 0 || s > 600) {
                cli_error("run", "--timeout: seconds from 1 to 600");
                return CLI_EXIT_USAGE;
            }
            o.timeout_ms = (unsigned)s * 1000;
            break;
        }
        case OPT_JUNIT: junit = optarg; break;
        case OPT_JSON: json = optarg; break;
        case OPT_HTML: html = optarg; break;
        case OPT_TRANSCRIPTS: o.transcripts = optarg; break;
        case OPT_ORACLE_RUNS:
            o.oracle_runs = (unsigned)strtoul(optarg, &end, 10);
            if (end == optarg || *end != '\0' || o.oracle_runs > 10000) {
                cli_error("run", "--oracle-runs: from 0 to 10000");
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_TIMING: o.timing_dir = optarg; break;
        case OPT_ISOLATION:
            o.ref_isolation = strcmp(optarg, "auto") == 0 ? 0 : strcmp(optarg, "process") == 0 ? 1
                              : strcmp(optarg, "thread") == 0 ? 2 : -1;
            if (o.ref_isolation < 0) {
                cli_error("run", "--ref-isolation: auto, process or thread");
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_REVEAL: o.reveal_secrets = true; break;
        case OPT_VECTORS: vectors = optarg; break;
        case 'q': quiet = true; break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "always") != 0 && strcmp(optarg, "never") != 0) {
                cli_error("run", "--color: auto, always or never");
                return CLI_EXIT_USAGE;
            }
            color = optarg;
            break;
        case 'h': fputs(run_usage, stdout); return CLI_EXIT_OK;
        default: fputs(run_usage, stderr); return CLI_EXIT_USAGE;
        }
    }
    static char *default_path[] = {"scenarios"};
    o.paths = optind < argc ? argv + optind : default_path;
    o.n_paths = optind < argc ? (size_t)(argc - optind) : 1;
    o.ref_bugs = bugs;
    o.n_ref_bugs = n_bugs;
    o.tests = tests;
    o.n_tests = n_tests;
    o.skips = skips;
    o.n_skips = n_skips;

    /* The reference is this very binary, started per scenario. */
    static char exe[PATH_MAX];
    static char vbuf[PATH_MAX];
    if (cli_self_exe("run", exe, sizeof(exe)) != 0 ||
        (o.vectors = cli_find_vectors("run", vectors, exe, vbuf, sizeof(vbuf))) == NULL)
        return CLI_EXIT_ERROR;
    o.ref_exe = exe;
    for (size_t i = 0; i < n_bugs; i++)
        if (!cli_known_bug("run", bugs[i]))
            return CLI_EXIT_USAGE;
    struct ct_sut_config *sut = NULL;
    struct ct_diag diag = {0};
    if (sut_file != NULL) {
        if (ct_sut_load(&sut, sut_file, &diag) != CT_OK) {
            cli_error("run", "%s", diag.text);
            return diag.code == CT_ERR_IO ? CLI_EXIT_ERROR : CLI_EXIT_ERROR;
        }
        if (n_bugs > 0 && !sut->builtin) {
            cli_error("run", "--ref-bug is for the builtin reference, not for %s", sut->name);
            ct_sut_free(sut);
            return CLI_EXIT_USAGE;
        }
        o.sut = sut;
    }
    if (!seeded) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        o.seed = ((unsigned long)ts.tv_nsec ^ (unsigned long)ts.tv_sec * 2654435761ul ^ (unsigned long)getpid()) % 1000000000ul;
    }
    struct progress pr = {
        .color = strcmp(color, "always") == 0 || (strcmp(color, "auto") == 0 && isatty(1) && getenv("NO_COLOR") == NULL),
        .quiet = quiet,
    };
    o.progress = on_progress;
    o.progress_ctx = &pr;

    char *suite_version = read_version(o.paths[0]);
    char started[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
    char bug_list[1024] = "";
    for (size_t i = 0; i < n_bugs; i++)
        snprintf(bug_list + strlen(bug_list), sizeof(bug_list) - strlen(bug_list), "%s%s", i ? "," : "", bugs[i]);
    printf("conftest %s: suite %s, SUT %s, seed %lu%s%s\n", CONFTEST_VERSION,
           suite_version != NULL ? suite_version : "(no VERSION)",
           sut != NULL ? sut->name : "builtin reference (server and client)", o.seed,
           n_bugs ? ", reference bugs: " : "", bug_list);
    fflush(stdout);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct ct_suite_result sr;
    int rc = ct_suite_run(&o, &sr, &diag);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int status = CLI_EXIT_OK;
    if (rc != CT_OK) {
        cli_error("run", "%s", diag.code != CT_OK ? diag.text : ct_strerror(rc));
        status = rc == CT_ERR_IO ? CLI_EXIT_ERROR : CLI_EXIT_ERROR;
        goto out;
    }
    /* Parse errors were not printed as they happened: print them now. */
    for (size_t i = 0; i < sr.n; i++)
        if (sr.results[i].verdict == CT_VERDICT_ERROR && sr.results[i].role == NULL)
            ct_report_line(stdout, &sr.results[i], pr.color);
    if (sr.unreachable) {
        cli_error("run", "the SUT is unreachable: %s", sr.unreachable_text);
        status = 4;
        goto out;
    }
    if (!quiet)
        for (size_t i = 0; i < sr.n; i++)
            if (sr.results[i].verdict == CT_VERDICT_SKIP)
                ct_report_line(stdout, &sr.results[i], pr.color);
    struct ct_report_counts c;
    ct_report_count(sr.results, sr.n, &c);
    ct_report_summary(stdout, &c, secs, pr.color);
    if (sr.other_role > 0)
        printf("(%zu scenarios for a %s SUT not run: this SUT is a %s)\n", sr.other_role,
               sut->role == CT_SCN_ROLE_SERVER ? "client" : "server", ct_scn_role_name(sut->role));
    struct ct_run_info info = {
        .conftest_version = CONFTEST_VERSION,
        .suite_version = suite_version,
        .sut_name = sut != NULL ? sut->name : "conftest reference (builtin server and client)",
        .sut_config = sut_file,
        .ref_bugs = n_bugs ? bug_list : NULL,
        .started = started,
        .seed = o.seed,
        .seconds = secs,
    };
    const struct {
        const char *path;
        int (*write)(const char *, const struct ct_run_info *, const struct ct_result *, size_t, struct ct_diag *);
    } reports[] = {{junit, ct_report_junit}, {json, ct_report_json}, {html, ct_report_html}};
    for (size_t i = 0; i < 3; i++)
        if (reports[i].path != NULL && reports[i].write(reports[i].path, &info, sr.results, sr.n, &diag) != CT_OK) {
            cli_error("run", "%s", diag.text);
            status = CLI_EXIT_ERROR;
        }
    if (sr.n == 0) {
        cli_error("run", "no scenario selected under %s", o.paths[0]);
        status = CLI_EXIT_USAGE;
    } else if (c.error > 0) {
        status = CLI_EXIT_ERROR;
    } else if (c.fail > 0 || c.xpass > 0) {
        if (status == CLI_EXIT_OK)
            status = CLI_EXIT_REJECTED;
    }
out:
    ct_suite_result_cleanup(&sr);
    ct_sut_free(sut);
    free(suite_version);
    return status;
}

int cmd_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"long", no_argument, NULL, OPT_LONG},
        {"test", required_argument, NULL, OPT_TEST},
        {"skip", required_argument, NULL, OPT_SKIP},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool lng = false;
    char *tests[MAX_MULTI], *skips[MAX_MULTI];
    size_t n_tests = 0, n_skips = 0;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_LONG: lng = true; break;
        case OPT_TEST:
            if (add_multi("--test", tests, &n_tests, optarg) != 0)
                return CLI_EXIT_USAGE;
            break;
        case OPT_SKIP:
            if (add_multi("--skip", skips, &n_skips, optarg) != 0)
                return CLI_EXIT_USAGE;
            break;
        case 'h': fputs(list_usage, stdout); return CLI_EXIT_OK;
        default: fputs(list_usage, stderr); return CLI_EXIT_USAGE;
        }
    }
    static char *default_path[] = {"scenarios"};
    char *const *paths = optind < argc ? argv + optind : default_path;
    size_t n_paths = optind < argc ? (size_t)(argc - optind) : 1;
    struct ct_scn **v = NULL;
    size_t n = 0, n_err = 0;
    struct ct_result *errs = NULL;
    struct ct_diag diag = {0};
    if (ct_suite_list(paths, n_paths, &v, &n, &errs, &n_err, &diag) != CT_OK) {
        cli_error("list", "%s", diag.text);
        return CLI_EXIT_ERROR;
    }
    for (size_t i = 0; i < n; i++) {
        if ((n_tests > 0 && !ct_suite_match(v[i]->id, tests, n_tests)) ||
            (n_skips > 0 && ct_suite_match(v[i]->id, skips, n_skips)))
            continue;
        if (!lng) {
            printf("%s\n", v[i]->id);
            continue;
        }
        printf("%-44s %-6s %s [", v[i]->id, ct_scn_role_name(v[i]->role), v[i]->title);
        for (size_t k = 0; k < v[i]->n_rules; k++)
            printf("%s%s", k ? ", " : "", v[i]->rules[k]);
        printf("]\n");
    }
    for (size_t i = 0; i < n_err; i++) {
        fprintf(stderr, "conftest: list: %s\n", errs[i].reason);
        ct_result_cleanup(&errs[i]);
    }
    free(errs);
    ct_suite_list_free(v, n);
    return n_err > 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
