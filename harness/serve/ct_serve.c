/*
 * The reference server behind HTTP: one request, one call of ct_server_handle.
 */
#include "serve/ct_serve.h"

#include "net/ct_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ct_serve {
    struct ct_server *srv;
    struct ct_http_server *http;
    ct_serve_tap tap;
    void *tap_ctx;
    char url[256];
};

static void handle_http(void *ctx, const struct ct_http_request *req, struct ct_http_answer *ans)
{
    struct ct_serve *s = ctx;
    if (strcmp(req->path, "/sync") != 0) {
        ans->status = 404;
        ans->content_type = "text/plain";
        ct_buf_append_str(&ans->body, "not found: SyncML is at /sync\n");
        return;
    }
    if (strcmp(req->method, "GET") == 0 && req->query != NULL && strstr(req->query, "syncml-enc=cert") != NULL) {
        bool ok = ct_server_cert_pem(s->srv, &ans->body) == CT_OK;
        ans->status = ok ? 200 : 404;
        ans->content_type = ok ? "application/pem-certificate-chain" : "text/plain";
        if (!ok)
            ct_buf_append_str(&ans->body, "this server does not implement the encryption profile\n");
        return;
    }
    if (strcmp(req->method, "POST") != 0) {
        ans->status = 405;
        ans->content_type = "text/plain";
        ct_buf_append_str(&ans->body, "POST a SyncML message\n");
        return;
    }
    if (s->tap != NULL)
        s->tap(s->tap_ctx, true, req->body, req->len, req->content_type);
    struct ct_request r = {req->body, req->len, req->content_type, req->query};
    struct ct_response resp;
    int rc = ct_server_handle(s->srv, &r, &resp);
    if (rc != CT_OK) {
        ans->status = 500;
        ans->content_type = "text/plain";
        ct_buf_printf(&ans->body, "server error: %s\n", ct_strerror(rc));
        ct_buf_cleanup(&resp.body);
        return;
    }
    if (s->tap != NULL && resp.body.len > 0)
        s->tap(s->tap_ctx, false, resp.body.data, resp.body.len, resp.content_type);
    ans->status = resp.http_status;
    ans->content_type = resp.content_type;
    ct_buf_cleanup(&ans->body);
    ans->body = resp.body;
}

int ct_serve_start(struct ct_serve **out, const struct ct_serve_config *cfg, struct ct_server_config *server_cfg,
                   struct ct_sstore *store, struct ct_diag *diag)
{
    *out = NULL;
    const char *colon = cfg->listen != NULL ? strrchr(cfg->listen, ':') : NULL;
    if (colon == NULL || colon - cfg->listen > 63)
        return ct_diag_set(diag, CT_ERR_INVALID_ARG, "listen address '%s' is not HOST:PORT",
                           cfg->listen != NULL ? cfg->listen : "");
    struct ct_serve *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return CT_ERR_NOMEM;
    s->tap = cfg->tap;
    s->tap_ctx = cfg->tap_ctx;
    /* The core exists before the first request can arrive; its URL (the base of RespURI) is
     * completed once the port is known, before anyone is told where to connect. */
    server_cfg->url = s->url;
    int rc = ct_server_new(&s->srv, server_cfg, store, diag);
    struct ct_http_server_config hc = {.listen = cfg->listen, .timeout_s = 60, .tls_cert_pem = cfg->tls_cert_pem,
                                       .tls_key_pem = cfg->tls_key_pem, .quiet = cfg->quiet};
    if (rc == CT_OK)
        rc = ct_http_server_start(&s->http, &hc, handle_http, s, diag);
    if (rc != CT_OK) {
        ct_serve_stop(s);
        return rc;
    }
    snprintf(s->url, sizeof(s->url), "%s://%.*s:%u/sync", cfg->tls_cert_pem != NULL ? "https" : "http",
             (int)(colon - cfg->listen), cfg->listen, ct_http_server_port(s->http));
    *out = s;
    return CT_OK;
}

const char *ct_serve_url(const struct ct_serve *s)
{
    return s->url;
}

void ct_serve_stop(struct ct_serve *s)
{
    if (s == NULL)
        return;
    ct_http_server_stop(s->http);
    ct_server_free(s->srv);
    free(s);
}
