/*
 * ct_loop: run a reference client against a reference server in-process, each message going
 * through the real encoders and ct_server_handle exactly as over HTTP (for tests, benchmarks and
 * the in-process target).
 */
#ifndef CT_LOOP_H
#define CT_LOOP_H

#include "sut/ct_client.h"
#include "sut/ct_server.h"

/* At most this many request/reply rounds per session. */
#define CT_LOOP_MAX_ROUNDS 200

/*
 * ct_loop_run runs one session to its end. Returns 0 when the client reached a final state
 * (ct_client_state says which), CT_ERR_PROTO when the server answered with an HTTP error or
 * the rounds ran out (diag says so), or a fatal error.
 */
int ct_loop_run(struct ct_server *srv, struct ct_client *cli, struct ct_diag *diag);

/* Sees every message of a session as it goes: from_client, its bytes (borrowed for the call). */
typedef void (*ct_loop_observer)(void *ctx, bool from_client, const uint8_t *data, size_t len);

/* ct_loop_run_observed is ct_loop_run with an observer (NULL: none). */
int ct_loop_run_observed(struct ct_server *srv, struct ct_client *cli, ct_loop_observer observe,
                         void *ctx, struct ct_diag *diag);

#endif
