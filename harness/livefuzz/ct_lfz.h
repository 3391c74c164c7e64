/*
 * ct_lfz: the live fuzzer (`conftest fuzz`). It takes a scenario as the model of a valid
 * exchange, replays the model's steps up to one package conftest sends, mutates that package
 * (structure-aware: elements, values, lengths, encodings, bytes; and, with the profile, the
 * sealed fields and the wrapped key, the crypto state kept right by the engine), and watches
 * what the SUT does with it: a closed connection, a timeout, an HTTP 5xx, a malformed reply,
 * a client that crashes, or a fresh clean session that fails afterwards (the liveness probe).
 *
 * Every candidate IS a scenario: the model's own lines up to the mutated package, the mutation
 * as ordinary send directives (docs/SCENARIOS.md 4.2), the model's expectations after it widened
 * by the answers any robust peer may give (a SyncML message, an HTTP 4xx) with `next-session`,
 * and the probe. The scenario engine runs it; a FAIL is a finding. So a finding is minimised by
 * re-running smaller candidates, and saved as the very scenario that reproduces it with
 * `conftest run` (rule DS-ROBUST-16), with copies of the templates it uses.
 *
 * Bounded in candidates and time; reproducible: candidate i of seed s is the same mutation on
 * every machine (ct_lfz_mut.c draws from a generator seeded with s and i only).
 */
#ifndef CT_LFZ_H
#define CT_LFZ_H

#include "base/ct_err.h"
#include "engine/ct_sut.h"

#include <stdbool.h>
#include <stddef.h>

/* What became of one candidate. */
enum ct_lfz_kind {
    CT_LFZ_PASSED,    /* the SUT coped */
    CT_LFZ_FINDING,   /* a crash-like outcome (a new one, or one seen before: dup) */
    CT_LFZ_REJECTED,  /* the candidate could not run as written (a harness error: an XPath
                         that selects nothing after an earlier mutation, ...) */
    CT_LFZ_UNSTABLE,  /* the model's own steps before the mutation did not hold */
};

struct ct_lfz_event {
    unsigned candidate;       /* 0-based */
    enum ct_lfz_kind kind;
    bool dup;                 /* a finding with a signature seen before */
    const char *signature;    /* finding: "closed at the answer to the mutated package" */
    const char *mutation;     /* what was done, one line per directive */
    const char *saved;        /* a new finding: the scenario file written */
    const char *why;          /* rejected / unstable: the engine's reason */
};

struct ct_lfz_config {
    const char *model;              /* the model scenario file */
    const struct ct_sut_config *sut;
    const char *ref_exe;            /* the conftest binary (builtin reference) */
    const char *vectors;
    char *const *ref_bugs;          /* seeded bugs of the builtin reference */
    size_t n_ref_bugs;
    unsigned long seed;
    unsigned first;                 /* the first candidate (to replay one: first=i, runs=1) */
    unsigned runs;                  /* candidates at most (> 0) */
    unsigned seconds;               /* wall time at most (0: no bound but runs) */
    unsigned timeout_ms;            /* per step: a SUT that takes longer "timed out" */
    unsigned max_findings;          /* stop after this many distinct findings (0: no bound) */
    int step;                       /* mutate only the step-th send of the model (0: any) */
    bool minimise;                  /* shrink each new finding before saving it */
    const char *out_dir;            /* findings: OUT/<id>.scn and OUT/templates/ */
    void (*progress)(void *ctx, const struct ct_lfz_event *ev);
    void *progress_ctx;
};

struct ct_lfz_finding {
    char *signature;
    char *file;                     /* the scenario written */
    char *mutation;
    unsigned candidate;
    unsigned hits;                  /* candidates that ended with this signature */
};

struct ct_lfz_result {
    unsigned candidates, passed, findings, rejected, unstable, reruns;
    double seconds;
    struct ct_lfz_finding *distinct;
    size_t n_distinct;
};

/*
 * ct_lfz_run fuzzes. First it runs the model unchanged and the scaffolding around it without a
 * mutation: both must pass (else CT_ERR_PROTO, diag saying why: fuzzing needs a valid model and
 * would otherwise report the model's own failure as findings). Returns 0 (whether or not
 * anything was found: see res), CT_ERR_PARSE / CT_ERR_USAGE for a model that cannot be used
 * (diag: file:line), CT_ERR_IO (scratch or output directory), CT_ERR_NOMEM.
 */
int ct_lfz_run(const struct ct_lfz_config *cfg, struct ct_lfz_result *res, struct ct_diag *diag);

void ct_lfz_result_cleanup(struct ct_lfz_result *r);

#endif
