/*
 * ct_sut: the SUT config, an implementation's conformance statement (docs/SCENARIOS.md,
 * "SUT configs"): where the SUT is or how to start it, its account, what it claims to
 * implement, which scenarios are disabled and why, its known failures, and its status codes
 * where the spec leaves a choice. Same line syntax as scenarios: `key value`, `#` comments.
 *
 * Without a config, conftest runs against its builtin reference (ct_sut_builtin), which claims
 * everything.
 */
#ifndef CT_SUT_H
#define CT_SUT_H

#include "base/ct_err.h"
#include "scn/ct_scn.h"
#include "syncml/ct_msg.h"

#include <stdbool.h>
#include <stddef.h>

struct ct_sut_rule {
    char *pattern; /* scenario id glob */
    char *reason;  /* mandatory */
};

struct ct_sut_error {
    char *name;    /* "@FIELD_FAILED" */
    char *codes;   /* "400" or "400,500" */
};

struct ct_sut_config {
    char *file;             /* NULL for the builtin reference */
    char *dir;              /* the config's directory: relative paths start here */
    char *name;
    enum ct_scn_role role;
    bool builtin;           /* the reference, started by conftest per scenario */
    char *url;              /* server SUT */
    char *sync_cmd;         /* client SUT: one session; {url} {user} {password} {db} {mode} ... */
    char *reset_cmd;        /* before each scenario */
    char *user, *password;
    char *db;               /* the SUT's name for the contacts database */
    char *db2;              /* a second database of the SUT (scenarios that sync two) */
    char *device_id;        /* conftest's SyncHdr Source when it is the client */
    enum ct_enc encoding;   /* conftest's messages (the SUT answers as it likes) */
    unsigned timeout_ms;    /* per step */
    char *server_cert;      /* server SUT: its profile certificate (PEM) */
    char *pki;              /* client SUT: conftest serves vectors/pki/server-<pki>.{pem,key} */
    char **claims;          /* capability globs */
    size_t n_claims;
    struct ct_sut_rule *disabled;
    size_t n_disabled;
    struct ct_sut_rule *known;      /* known failures */
    size_t n_known;
    struct ct_sut_error *errors;
    size_t n_errors;
};

/*
 * ct_sut_load reads a SUT config. Returns 0, CT_ERR_IO, or CT_ERR_PARSE with diag
 * "file:line: what" (unknown key, missing reason, role missing, url and sync-cmd both or
 * neither as the role needs).
 */
int ct_sut_load(struct ct_sut_config **out, const char *path, struct ct_diag *diag);

/* ct_sut_builtin makes the config of the reference in a role. NULL on OOM. */
struct ct_sut_config *ct_sut_builtin(enum ct_scn_role role);

void ct_sut_free(struct ct_sut_config *c);

/* Whether every capability in caps[0..n) matches a claim. *missing: the first that does not. */
bool ct_sut_claims(const struct ct_sut_config *c, char *const *caps, size_t n, const char **missing);

/* The reason a scenario id is disabled, or NULL. */
const char *ct_sut_disabled(const struct ct_sut_config *c, const char *id);

/* The reason a scenario id is a known failure, or NULL. */
const char *ct_sut_known_failure(const struct ct_sut_config *c, const char *id);

/*
 * ct_sut_codes resolves a status spec from a scenario: a literal code ("401") stands for
 * itself; a canonical name ("@AUTH_INVALID") maps through the config, else through the
 * defaults of docs/SCENARIOS.md. Writes a comma-separated list to out. Returns 0 or
 * CT_ERR_INVALID_ARG for an unknown name.
 */
int ct_sut_codes(const struct ct_sut_config *c, const char *spec, char *out, size_t size);

#endif
