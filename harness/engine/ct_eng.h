/*
 * ct_eng: the scenario engine. Runs one parsed scenario (scn/ct_scn.h) against a SUT and
 * judges it, step by step: builds each message from its template and directives (encrypting
 * and mutating with known keys), carries it to the SUT (engine/ct_peer.h), and checks what came
 * back against the step's alternatives. The verdict and, on failure, where, what was expected
 * and what came back go into a struct ct_result (report/ct_report.h).
 *
 * Where things happen: ct_eng.c runs steps and receives; ct_eng_build.c builds what is sent;
 * ct_eng_judge.c judges what came back; ct_eng_crypto.c is the profile's state on conftest's
 * side; ct_eng_vars.c holds variables and expands templates; ct_eng_record.c writes transcripts.
 */
#ifndef CT_ENG_H
#define CT_ENG_H

#include "engine/ct_sut.h"
#include "report/ct_report.h"
#include "scn/ct_scn.h"

#include <stdbool.h>

/* What the last judged step got back, for the oracle runs (docs/SCENARIOS.md 10): a
 * fingerprint of the answer that leaves out what varies anyway (SessionID, nonces, RespURI). */
struct ct_eng_probe {
    bool valid;
    char fingerprint[1024];
    double ms;                  /* from sending (or waiting) to the answer */
};

struct ct_eng_config {
    const struct ct_sut_config *sut;
    const char *ref_exe;        /* the conftest binary, for the builtin reference */
    const char *vectors;        /* the vectors directory (the test PKI) */
    char *const *ref_bugs;      /* seeded bugs of the builtin reference */
    size_t n_ref_bugs;
    bool ref_in_process;        /* the builtin server on a thread (no seeded bug crashes or hangs it) */
    const char *workdir;        /* scratch space for this scenario (must exist, empty) */
    const char *transcripts;    /* write the scenario's transcript under DIR/<id>/, or NULL */
    bool reveal_secrets;        /* transcripts keep credentials and session keys */
    unsigned timeout_ms;        /* per step, unless the scenario says otherwise */
    struct ct_eng_probe *probe; /* NULL, or where the last expect's answer is described */
};

/*
 * ct_eng_run runs scn and fills res (which the caller later cleans up) with PASS, FAIL or
 * ERROR and the details. Known failures and skips are the runner's business. Returns 0, or
 * CT_ERR_NOMEM (res then says ERROR as far as it could).
 */
int ct_eng_run(const struct ct_scn *scn, const struct ct_eng_config *cfg, struct ct_result *res);

/*
 * ct_eng_find_template finds the template NAME (".xml" optional) a scenario file uses: in
 * templates/ beside the file or in a parent directory's (docs/SCENARIOS.md 4.1). Writes its
 * path. Returns 0, CT_ERR_USAGE (NAME is not a plain name), CT_ERR_IO (not found).
 */
int ct_eng_find_template(const char *scn_file, const char *name, char *path, size_t size);

#endif
