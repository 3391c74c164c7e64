/*
 * ct_suite: a run of many scenarios. Finds the .scn files under the paths given, parses them
 * all first (a broken file is a harness error with its file:line, reported and counted, not a
 * crash of the run), selects (--test/--skip globs, the SUT's role, --shard), decides what does
 * not apply (capabilities the SUT does not claim, disabled scenarios: SKIP with the reason),
 * orders (random from a printed seed), runs (-j N at once, each in its own scratch directory
 * against a fresh SUT), and turns known failures into XFAIL/XPASS.
 */
#ifndef CT_SUITE_H
#define CT_SUITE_H

#include "engine/ct_eng.h"
#include "report/ct_report.h"

struct ct_suite_options {
    char *const *paths;          /* scenario files or directories */
    size_t n_paths;
    const struct ct_sut_config *sut; /* NULL: the builtin reference, both roles */
    char *const *tests;          /* run only ids matching one of these globs (NULL: all) */
    size_t n_tests;
    char *const *skips;          /* never run ids matching these */
    size_t n_skips;
    unsigned long seed;          /* the order */
    unsigned shard, shards;      /* run the shard-th (1-based) of `shards` slices; 0/0: all */
    unsigned jobs;               /* scenarios at once (>= 1) */
    unsigned timeout_ms;         /* per step, unless a scenario says otherwise */
    char *const *ref_bugs;       /* seeded bugs of the builtin reference */
    size_t n_ref_bugs;
    int ref_isolation;           /* builtin server: 0 auto (a child only for a fatal seeded bug),
                                    1 always a child process, 2 always in-process */
    const char *transcripts;     /* DIR or NULL */
    bool reveal_secrets;
    unsigned oracle_runs;        /* runs of each oracle-class member (0: no oracle runs) */
    double oracle_alpha;         /* significance of the independence test (0: 0.01) */
    const char *timing_dir;      /* DIR/<oracle id>/timing.csv (tlsfuzzer's layout), or NULL */
    const char *ref_exe;         /* the conftest binary */
    const char *vectors;         /* the vectors directory */
    /* Called as each scenario finishes (from any worker, one at a time), and with done == 0
     * once before the first with the total. */
    void (*progress)(void *ctx, const struct ct_result *r, size_t done, size_t total);
    void *progress_ctx;
};

/* The outcome of a run. */
struct ct_suite_result {
    struct ct_result *results;   /* in the order run */
    size_t n;
    size_t other_role;           /* scenarios for the other role, not run (with a SUT config) */
    bool unreachable;            /* the SUT did not answer the sanity probe: nothing ran */
    char unreachable_text[512];
};

/*
 * ct_suite_list finds and parses the scenarios under paths into *out (free with
 * ct_suite_list_free). Parse failures go to *errors as ERROR results (the file as id).
 * Returns 0 or CT_ERR_NOMEM / CT_ERR_IO (a path that does not exist, diag says which).
 */
struct ct_scn;
int ct_suite_list(char *const *paths, size_t n_paths, struct ct_scn ***out, size_t *n,
                  struct ct_result **errors, size_t *n_errors, struct ct_diag *diag);
void ct_suite_list_free(struct ct_scn **v, size_t n);

/* ct_suite_run runs a whole suite. Returns 0, CT_ERR_IO (no scratch directory), CT_ERR_NOMEM. */
int ct_suite_run(const struct ct_suite_options *o, struct ct_suite_result *out, struct ct_diag *diag);

void ct_suite_result_cleanup(struct ct_suite_result *r);

/* Whether an id matches a ;-or-,-separated list of globs. */
bool ct_suite_match(const char *id, char *const *globs, size_t n);

#endif
