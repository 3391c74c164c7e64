/*
 * ct_reqs: the requirements scenarios cite, read from the documents that define them --
 * docs/PROFILE.md (bullets "- **ENC-XXX-N** (role) text") and docs/DS-RULES.md (table rows
 * "| DS-XXX-N | text | source |") -- so that `conftest coverage` can say which requirement has
 * which scenarios, which has none, and which scenario cites an id no document defines.
 */
#ifndef CT_REQS_H
#define CT_REQS_H

#include "base/ct_err.h"

#include <stddef.h>

enum ct_req_level {
    CT_REQ_MUST,      /* MUST, MUST NOT, REQUIRED, SHALL */
    CT_REQ_SHOULD,
    CT_REQ_MAY,
    CT_REQ_RULE,      /* a DS rule (docs/DS-RULES.md states behaviour, not a keyword) */
};

struct ct_req {
    char *id;          /* "ENC-NEG-6" */
    char *role;        /* "server", "client", "both" */
    enum ct_req_level level;
    char *text;        /* the requirement, one line */
    char *source;      /* the document it comes from */
};

struct ct_reqs {
    struct ct_req *v;
    size_t n;
};

/*
 * ct_reqs_load_profile / ct_reqs_load_ds add the requirements of one document to r (which
 * starts zeroed). Returns 0, CT_ERR_IO, CT_ERR_PARSE (an id defined twice, diag names it),
 * CT_ERR_NOMEM.
 */
int ct_reqs_load_profile(struct ct_reqs *r, const char *path, struct ct_diag *diag);
int ct_reqs_load_ds(struct ct_reqs *r, const char *path, struct ct_diag *diag);

void ct_reqs_cleanup(struct ct_reqs *r);

/* The requirement with this id, or NULL. */
const struct ct_req *ct_reqs_find(const struct ct_reqs *r, const char *id);

const char *ct_req_level_name(enum ct_req_level l);

#endif
