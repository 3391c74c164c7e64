/*
 * The live fuzzer's parts, shared by its files (ct_lfz*.c) and nothing else.
 */
#ifndef CT_LFZ_INT_H
#define CT_LFZ_INT_H

#include "livefuzz/ct_lfz.h"
#include "scn/ct_scn.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A deterministic generator (splitmix64): candidate i of seed s draws the same on every machine. */
struct lfz_rng {
    uint64_t s;
};
void lfz_rng_seed(struct lfz_rng *r, unsigned long seed, unsigned candidate);
uint64_t lfz_rand(struct lfz_rng *r);
unsigned lfz_below(struct lfz_rng *r, unsigned n); /* uniform in [0, n), n > 0 */

/* One mutation: one to three send directives (docs/SCENARIOS.md 4.2). A directive may hold the
 * op's size where its text says "@N@" (a repeat count, bytes cut), so a finding can be shrunk. */
#define LFZ_OP_LINES 3
#define LFZ_LINE 640
struct lfz_op {
    char lines[LFZ_OP_LINES][LFZ_LINE];
    size_t n_lines;
    unsigned n;        /* the size; 0: the op has none */
};

/* Render line k of op with its size in place of "@N@". */
void lfz_op_line(const struct lfz_op *op, size_t k, char *out, size_t size);

/* One send step of the model as the mutators see it: the elements of its template. */
struct lfz_elem {
    char *path;        /* "/SyncML/SyncHdr/Source/LocName": namespace-free, as XPath sees it */
    const char *name;  /* its last step */
    bool leaf;         /* no element children: a value to change */
    bool in_data;      /* inside an Item's Data (DevInf): parsed by the SUT, but after the rest */
    unsigned weight;
};
struct lfz_target {
    struct lfz_elem *elems;
    size_t n_elems;
    unsigned total_weight;
    bool encrypts;     /* the step has `encrypt`: sealed fields to tamper with */
    bool offers;       /* the step has `offer`: a wrapped key */
    bool wbxml;        /* the step is sent as WBXML */
    char item_path[256];   /* an Item of Add/Replace with Data ("" if none): for length lies */
};

/* Read the elements of a send step's template (skipping those the step's own `remove`s take
 * away). Returns 0, CT_ERR_IO (diag), CT_ERR_PARSE (a template that is not XML), CT_ERR_NOMEM. */
int lfz_target_load(struct lfz_target *t, const char *template_path, const struct ct_scn_step *st,
                    struct ct_diag *diag);
void lfz_target_free(struct lfz_target *t);

/* Draw one mutation of a send step. */
void lfz_mutate(struct lfz_rng *r, const struct lfz_target *t, struct lfz_op *op);

#endif
