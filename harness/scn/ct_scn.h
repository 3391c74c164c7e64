/*
 * ct_scn: the scenario file (`.scn`), parsed. The language is documented, with its grammar, in
 * docs/SCENARIOS.md; this module only reads it into a tree and checks what can be checked
 * without running it (known keywords, argument counts, alternatives only after expect). Every
 * error names the file and line: "scenarios/enc/x.scn:14: 'mutate' needs a target".
 *
 * The parser takes bytes, not a file, so that it can be fuzzed (fuzz/); ct_scn_load reads the
 * file and calls it. Lines longer than CT_SCN_MAX_LINE and files over CT_SCN_MAX_BYTES are
 * refused.
 */
#ifndef CT_SCN_H
#define CT_SCN_H

#include "base/ct_err.h"

#include <stdbool.h>
#include <stddef.h>

#define CT_SCN_MAX_BYTES (1u << 20)
#define CT_SCN_MAX_LINE 4096
#define CT_SCN_MAX_TOKENS 64
#define CT_SCN_MAX_STEPS 512

/* A directive: a keyword and its arguments, on one line. `rest` is the line after the keyword,
 * trimmed and without its comment, for directives whose argument is free text (xpath). */
struct ct_scn_dir {
    char *name;
    char **args;    /* whitespace-separated tokens; "double quoted" tokens are unquoted */
    size_t n_args;
    char *rest;
    unsigned line;
};

/* One alternative of an expect step: every directive must hold. */
struct ct_scn_alt {
    struct ct_scn_dir *dirs;
    size_t n_dirs;
    unsigned line;
};

enum ct_scn_verb {
    CT_SCN_SEND,     /* send TEMPLATE: build a message and send it (with directives) */
    CT_SCN_EXPECT,   /* expect: judge what came back (alternatives) */
    CT_SCN_SESSION,  /* session [k=v...]: start a new session (and, for a client SUT, run it) */
    CT_SCN_RESEND,   /* resend N: send the exact bytes of our N-th message again */
    CT_SCN_SLEEP,    /* sleep MS */
    CT_SCN_SET,      /* set NAME VALUE: a variable */
    CT_SCN_HANGUP,   /* hangup: close the client's pending request without an answer */
};

struct ct_scn_step {
    enum ct_scn_verb verb;
    unsigned line;
    char **args;               /* the verb's own arguments */
    size_t n_args;
    struct ct_scn_dir *dirs;   /* send, session: its directives, in order */
    size_t n_dirs;
    struct ct_scn_alt *alts;   /* expect: its alternatives (at least one) */
    size_t n_alts;
};

enum ct_scn_role {
    CT_SCN_ROLE_SERVER = 1,    /* the SUT is a server: conftest plays the client */
    CT_SCN_ROLE_CLIENT = 2,    /* the SUT is a client: conftest plays the server */
};

/* A header line that is not one of the known fields stays here (k=v, not interpreted). */
struct ct_scn_kv {
    char *key;
    char *value;
    unsigned line;
};

struct ct_scn {
    char *file;                /* as given */
    char *id;                  /* stable id: [a-z0-9][a-z0-9.-]* */
    char *title;
    char **rules;              /* `rule` lines: requirement ids ("ENC-NEG-6") or DS references */
    size_t n_rules;
    enum ct_scn_role role;
    char **requires;           /* capabilities the SUT must claim */
    size_t n_requires;
    char *class_name;          /* oracle class (docs/PROFILE.md 9.2), or NULL */
    unsigned timeout_ms;       /* per step; 0: the run's default */
    struct ct_scn_kv *params;  /* role-specific setup: client-items, server-items, server-cert... */
    size_t n_params;
    struct ct_scn_step *steps;
    size_t n_steps;
};

/*
 * ct_scn_parse parses text[0..len) named `file` into *out (free with ct_scn_free). Returns 0,
 * CT_ERR_PARSE with diag "file:line: what" for any error, CT_ERR_TOO_BIG, or CT_ERR_NOMEM.
 */
int ct_scn_parse(struct ct_scn **out, const char *file, const char *text, size_t len,
                 struct ct_diag *diag);

/* ct_scn_load reads and parses a file; CT_ERR_IO when it cannot be read. */
int ct_scn_load(struct ct_scn **out, const char *path, struct ct_diag *diag);

void ct_scn_free(struct ct_scn *s);

/* The value of a params key, or NULL. */
const char *ct_scn_param(const struct ct_scn *s, const char *key);

const char *ct_scn_role_name(enum ct_scn_role role);

/*
 * ct_scn_tokenize splits a line into at most max tokens: whitespace separates, a token that
 * starts with a double quote runs to the closing quote (\" and \\ escape) and is unquoted.
 * Returns the count, or -1 with *err set to a static message (unterminated quote, too many).
 * Tokens are malloc'ed into toks[].
 */
int ct_scn_tokenize(const char *line, char **toks, size_t max, const char **err);

/*
 * ct_scn_next_line walks text line by line: returns false at the end; else sets *line (a
 * NUL-terminated copy without the newline and without a trailing comment) in buf, and *no.
 * A comment is '#' at the start of the line (after blanks) or after a blank. Lines over
 * CT_SCN_MAX_LINE set *too_long.
 */
struct ct_scn_lines {
    const char *p, *end;
    unsigned no;
};
bool ct_scn_next_line(struct ct_scn_lines *it, char *buf, size_t size, bool *too_long);

#endif
