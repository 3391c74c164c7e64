/*
 * ct_peer: the live SUT of one scenario, and the wire to it.
 *
 * A server SUT is reached at a URL: conftest POSTs each message and gets one outcome back (a
 * message, the connection closed, a timeout, another transport error). The builtin reference
 * server is started per scenario: in-process (serve/ct_serve.h on a thread, an in-memory store)
 * by default, which is fast; or as a child process (`conftest serve` on a free port) when the
 * run switches on a seeded bug that crashes or hangs it, so that the crash or hang is seen
 * exactly as it would be from a real server -- a closed connection, a timeout.
 *
 * A client SUT is started per session by a command (the builtin reference client is
 * `conftest sync`); conftest listens on 127.0.0.1 and hands each request it receives to the
 * engine, which answers it (or hangs up). The HTTP thread and the engine meet in a rendezvous
 * with timeouts on both sides. The client ending (its process exiting) is an outcome too.
 *
 * Every wait is bounded by the timeout given; children are killed (process group) on close.
 */
#ifndef CT_PEER_H
#define CT_PEER_H

#include "base/ct_buf.h"
#include "base/ct_err.h"
#include "engine/ct_sut.h"

#include <stdbool.h>

enum ct_outcome_kind {
    CT_OUT_MESSAGE,   /* a body came (server SUT: the answer; client SUT: a request) */
    CT_OUT_CLOSED,    /* the connection closed (or reset) without a whole answer */
    CT_OUT_TIMEOUT,   /* nothing within the step's timeout */
    CT_OUT_TRANSPORT, /* refused, TLS, too big: text says which */
    CT_OUT_END,       /* client SUT: its session process ended; exit_status */
};

struct ct_outcome {
    enum ct_outcome_kind kind;
    long http;               /* server SUT: the HTTP status */
    char content_type[128];
    struct ct_buf body;
    int exit_status;         /* CT_OUT_END: exit code, or 128+signal */
    char text[512];          /* transport: what failed */
    double ms;               /* from sending (or waiting) to the outcome */
};

void ct_outcome_init(struct ct_outcome *o);
void ct_outcome_cleanup(struct ct_outcome *o);
const char *ct_outcome_kind_name(enum ct_outcome_kind k);

/* How to run the SUT for one scenario. */
struct ct_peer_config {
    const struct ct_sut_config *sut;
    const char *workdir;        /* a fresh directory of the scenario: data, logs, item files */
    const char *ref_exe;        /* the conftest binary (builtin reference) */
    const char *vectors;        /* the vectors directory (builtin PKI) */
    char *const *ref_bugs;      /* seeded bugs for the builtin reference */
    size_t n_ref_bugs;
    unsigned timeout_ms;        /* start-up and reset bound */
    bool in_process;            /* the builtin server as a thread of conftest, not a child */
    /* server SUT setup (the builtin honours it; a config'd SUT is reset by its command) */
    unsigned server_items;
    const char *server_auth;    /* "basic" | "md5" | NULL */
    bool server_require_profile;
    unsigned server_max_msg;    /* 0: default */
    const char *server_algs;    /* comma-separated, preferred first; NULL: the default policy */
    const char *server_kts;     /* key transports it accepts, comma-separated; NULL: rsa-oaep-sha256 */
    const char *server_key_pem; /* the profile key (a test vector's), with a self-signed certificate;
                                   NULL: vectors/pki/server-2048 */
    /* client SUT: the certificate conftest serves for download mode (PEM text) */
    const char *cert_pem;
};

/* One session of a client SUT. */
struct ct_peer_session {
    const char *mode;        /* two-way, slow, ... (NULL: two-way) */
    const char *password;    /* NULL: the config's */
    const char *auth;        /* basic | md5 | NULL */
    const char *profile;     /* off | pre-configured | download (NULL: off) */
    const char *server_cert; /* pre-configured: the file the client is given */
    const char *ca;          /* download: the CA file */
    unsigned items;          /* local items to add before this session (first session only) */
    const char *algs;        /* the algorithms it offers, comma-separated (NULL: its default) */
    const char *kt;          /* its key transport (NULL: its default) */
    bool wbxml;
};

struct ct_peer;

/*
 * ct_peer_open prepares the SUT: for a server SUT, runs the reset command or starts the
 * builtin (and learns its URL); for a client SUT, starts listening. Returns 0, CT_ERR_IO with
 * diag (cannot start, reset failed, nothing listening), CT_ERR_NOMEM.
 */
int ct_peer_open(struct ct_peer **out, const struct ct_peer_config *cfg, struct ct_diag *diag);

/* ct_peer_close stops everything the peer started. NULL is a no-op. */
void ct_peer_close(struct ct_peer *p);

/* The server SUT's URL, or (client SUT) conftest's own. */
const char *ct_peer_url(const struct ct_peer *p);

/*
 * Server SUT: POST body to url (NULL: the peer's URL) and wait at most timeout_ms for the
 * answer. The outcome is filled in every case; returns 0 or CT_ERR_NOMEM.
 */
int ct_peer_exchange(struct ct_peer *p, const char *url, const uint8_t *body, size_t len,
                     const char *content_type, unsigned timeout_ms, struct ct_outcome *out);

/* Client SUT: start one session (the previous one must have ended). 0 or CT_ERR_IO. */
int ct_peer_session_start(struct ct_peer *p, const struct ct_peer_session *s, struct ct_diag *diag);

/* Client SUT: whether a session process is running. */
bool ct_peer_session_running(const struct ct_peer *p);

/* Client SUT: the next request, the end of the session process, or a timeout. */
int ct_peer_wait(struct ct_peer *p, unsigned timeout_ms, struct ct_outcome *out);

/*
 * Client SUT: answer the pending request with body (content_type), or hang up when body is
 * NULL. CT_ERR_USAGE when no request is pending.
 */
int ct_peer_answer(struct ct_peer *p, const uint8_t *body, size_t len, const char *content_type);

/* The builtin server's certificate chain when it is not the test PKI's (PEM), or NULL. */
const char *ct_peer_server_chain_pem(const struct ct_peer *p);

/* Where the SUT's own output goes (a file in workdir), for the transcript. */
const char *ct_peer_log(const struct ct_peer *p);

#endif
