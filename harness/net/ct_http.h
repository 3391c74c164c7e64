/*
 * ct_http: SyncML over HTTP. The server side runs on libmicrohttpd, the client side on
 * libcurl; both are bounded in size and time, and neither knows SyncML: they carry bodies and
 * content types between a peer and the I/O-less cores (ct_server, ct_client, the engine).
 */
#ifndef CT_HTTP_H
#define CT_HTTP_H

#include "base/ct_buf.h"
#include "base/ct_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- server ---- */

/* One request as received. */
struct ct_http_request {
    const char *method;        /* "POST" or "GET" */
    const char *path;          /* without the query */
    const char *query;         /* the raw query string, or NULL */
    const char *content_type;  /* may be NULL */
    const uint8_t *body;
    size_t len;
};

/* What to answer; the handler fills it (body initialised by the caller). */
struct ct_http_answer {
    int status;                /* 0: close the connection without answering */
    const char *content_type;
    struct ct_buf body;
};

/* Called once per complete request, on the server's single thread. */
typedef void (*ct_http_handler)(void *ctx, const struct ct_http_request *req,
                                struct ct_http_answer *ans);

struct ct_http_server_config {
    const char *listen;        /* "127.0.0.1:8080"; port 0 picks a free one */
    size_t max_body;           /* larger requests are answered 413 */
    unsigned timeout_s;        /* idle connections are closed after this */
    const char *tls_cert_pem;  /* HTTPS when both are set (PEM text, not file names) */
    const char *tls_key_pem;
    bool quiet;                /* no libmicrohttpd messages on stderr (a hang-up is on purpose) */
};

struct ct_http_server;

/* ct_http_server_start listens and serves on a thread of its own until stopped. */
int ct_http_server_start(struct ct_http_server **out, const struct ct_http_server_config *cfg,
                         ct_http_handler handler, void *ctx, struct ct_diag *diag);

/* ct_http_server_port is the port actually bound. */
unsigned ct_http_server_port(const struct ct_http_server *s);

/* ct_http_server_stop stops serving and frees s. NULL is a no-op. */
void ct_http_server_stop(struct ct_http_server *s);

/* ---- client ---- */

struct ct_http_client_config {
    long timeout_ms;           /* the whole exchange, per request */
    size_t max_response;       /* larger answers fail */
    const char *ca_file;       /* HTTPS: trust these CAs (NULL: the system's) */
    bool insecure;             /* HTTPS: do not verify the peer (tests only) */
};

struct ct_http_client;

int ct_http_client_new(struct ct_http_client **out, const struct ct_http_client_config *cfg);
void ct_http_client_free(struct ct_http_client *c);

/* ct_http_client_set_timeout changes the per-request timeout (ms, > 0) for later requests. */
void ct_http_client_set_timeout(struct ct_http_client *c, long timeout_ms);

/* How an exchange failed at the transport, for a caller that must tell these apart. */
enum ct_http_failure {
    CT_HTTP_OK = 0,
    CT_HTTP_REFUSED,   /* could not connect */
    CT_HTTP_CLOSED,    /* the peer closed or reset the connection without a whole answer */
    CT_HTTP_TIMEOUT,   /* no whole answer within the timeout */
    CT_HTTP_TOO_BIG,   /* the answer is over max_response */
    CT_HTTP_OTHER,     /* TLS, DNS, anything else */
};

struct ct_http_reply {
    enum ct_http_failure failure; /* set by every call */
    long status;
    char content_type[128];
    struct ct_buf body;        /* initialised by the call; ct_buf_cleanup it */
};

/*
 * ct_http_post sends a body and reads the answer. Returns 0 (any HTTP status), or CT_ERR_IO
 * with diag for a transport failure: refused, reset, timed out, answer too large.
 */
int ct_http_post(struct ct_http_client *c, const char *url, const uint8_t *body, size_t len,
                 const char *content_type, struct ct_http_reply *reply, struct ct_diag *diag);

/* ct_http_get is the same for a GET without body. */
int ct_http_get(struct ct_http_client *c, const char *url, struct ct_http_reply *reply,
                struct ct_diag *diag);

#endif
