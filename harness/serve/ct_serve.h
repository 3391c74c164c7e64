/*
 * ct_serve: the reference server behind HTTP -- the glue between the I/O-less server core
 * (sut/ct_server.h) and the HTTP front end (net/ct_http.h). `conftest serve` runs one; the
 * scenario engine starts one per scenario, in-process, when the run does not need the isolation
 * of a child process (docs/SCENARIOS.md 6).
 *
 * URLs: POST http://ADDR/sync (SyncML), GET http://ADDR/sync?syncml-enc=cert (the profile's
 * certificate chain, for download mode).
 */
#ifndef CT_SERVE_H
#define CT_SERVE_H

#include "base/ct_err.h"
#include "sut/ct_server.h"

#include <stdbool.h>
#include <stddef.h>

/* Sees every message as it goes: c2s before the core handles it, s2c as answered. */
typedef void (*ct_serve_tap)(void *ctx, bool c2s, const void *data, size_t len, const char *content_type);

struct ct_serve_config {
    const char *listen;          /* "127.0.0.1:0": any free port */
    const char *tls_cert_pem;    /* HTTPS when both are set */
    const char *tls_key_pem;
    bool quiet;                  /* no libmicrohttpd messages */
    ct_serve_tap tap;            /* may be NULL */
    void *tap_ctx;
};

struct ct_serve;

/*
 * ct_serve_start builds the server core from server_cfg over store (both stay the caller's and
 * must outlive the ct_serve; server_cfg->url is set here) and serves until ct_serve_stop.
 * Returns 0, CT_ERR_INVALID_ARG or CT_ERR_IO (cannot listen) with diag, CT_ERR_NOMEM.
 */
int ct_serve_start(struct ct_serve **out, const struct ct_serve_config *cfg, struct ct_server_config *server_cfg,
                   struct ct_sstore *store, struct ct_diag *diag);

/* The URL clients post to: "http://127.0.0.1:PORT/sync". */
const char *ct_serve_url(const struct ct_serve *s);

/* ct_serve_stop stops serving and frees s (not the store). NULL is a no-op. */
void ct_serve_stop(struct ct_serve *s);

#endif
