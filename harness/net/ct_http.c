#include "net/ct_http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- server ---- */

struct ct_http_server {
    struct MHD_Daemon *daemon;
    ct_http_handler handler;
    void *ctx;
    size_t max_body;
    unsigned port;
};

/* The body of one request, collected over the access handler's calls. */
struct upload {
    struct ct_buf body;
    bool too_big;
};

static enum MHD_Result queue(struct MHD_Connection *con, int status, const char *type,
                             const void *data, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    if (type != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result ok = MHD_queue_response(con, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

/* The raw query of a connection's URL, rebuilt from the arguments MHD parsed. */
static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct ct_buf *q = cls;
    if (q->len > 0)
        ct_buf_append_str(q, "&");
    ct_buf_append_str(q, key);
    if (value != NULL) {
        ct_buf_append_str(q, "=");
        ct_buf_append_str(q, value);
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    (void)version;
    struct ct_http_server *s = cls;
    struct upload *up = *con_cls;
    if (up == NULL) {
        up = calloc(1, sizeof(*up));
        if (up == NULL)
            return MHD_NO;
        ct_buf_init(&up->body, s->max_body);
        *con_cls = up;
        return MHD_YES;
    }
    if (*size > 0) {
        if (!up->too_big && ct_buf_append(&up->body, data, *size) != CT_OK)
            up->too_big = true;
        *size = 0;
        return MHD_YES;
    }
    if (up->too_big) {
        static const char msg[] = "request body too large\n";
        return queue(con, 413, "text/plain", msg, sizeof(msg) - 1);
    }
    struct ct_buf query;
    ct_buf_init(&query, 4096);
    MHD_get_connection_values(con, MHD_GET_ARGUMENT_KIND, add_arg, &query);
    struct ct_http_request req = {
        .method = method,
        .path = url,
        .query = query.len > 0 ? (const char *)query.data : NULL,
        .content_type = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        .body = up->body.data,
        .len = up->body.len,
    };
    struct ct_http_answer ans = {.status = 500};
    ct_buf_init(&ans.body, 0);
    s->handler(s->ctx, &req, &ans);
    /* MHD_NO makes MHD close the connection: how a handler hangs up without an answer. */
    enum MHD_Result ok = ans.status == 0 ? MHD_NO
                                         : queue(con, ans.status, ans.content_type, ans.body.data, ans.body.len);
    ct_buf_cleanup(&ans.body);
    ct_buf_cleanup(&query);
    return ok;
}

static void on_done(void *cls, struct MHD_Connection *con, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    (void)toe;
    struct upload *up = *con_cls;
    if (up != NULL) {
        ct_buf_cleanup(&up->body);
        free(up);
        *con_cls = NULL;
    }
}

int ct_http_server_start(struct ct_http_server **out, const struct ct_http_server_config *cfg,
                         ct_http_handler handler, void *ctx, struct ct_diag *diag)
{
    char host[64];
    unsigned port = 0;
    const char *colon = cfg->listen != NULL ? strrchr(cfg->listen, ':') : NULL;
    if (colon == NULL || (size_t)(colon - cfg->listen) >= sizeof(host) ||
        sscanf(colon + 1, "%u", &port) != 1 || port > 65535)
        return ct_diag_set(diag, CT_ERR_INVALID_ARG, "listen address '%s' is not HOST:PORT",
                           cfg->listen != NULL ? cfg->listen : "");
    memcpy(host, cfg->listen, (size_t)(colon - cfg->listen));
    host[colon - cfg->listen] = '\0';
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return ct_diag_set(diag, CT_ERR_INVALID_ARG, "'%s' is not an IPv4 address", host);

    struct ct_http_server *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return CT_ERR_NOMEM;
    s->handler = handler;
    s->ctx = ctx;
    s->max_body = cfg->max_body != 0 ? cfg->max_body : (size_t)16 << 20;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | (cfg->quiet ? 0 : MHD_USE_ERROR_LOG);
    bool tls = cfg->tls_cert_pem != NULL && cfg->tls_key_pem != NULL;
    if (tls)
        flags |= MHD_USE_TLS;
    /* One polling thread: requests are handled one at a time, so the cores need no locks. */
    s->daemon = tls ? MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, s,
                                       MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                       MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s ? cfg->timeout_s : 30u,
                                       MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
                                       MHD_OPTION_HTTPS_MEM_CERT, cfg->tls_cert_pem,
                                       MHD_OPTION_HTTPS_MEM_KEY, cfg->tls_key_pem, MHD_OPTION_END)
                    : MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, s,
                                       MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                       MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s ? cfg->timeout_s : 30u,
                                       MHD_OPTION_NOTIFY_COMPLETED, on_done, s, MHD_OPTION_END);
    if (s->daemon == NULL) {
        free(s);
        return ct_diag_set(diag, CT_ERR_IO, "cannot listen on %s (in use, or not permitted)", cfg->listen);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info != NULL ? info->port : port;
    *out = s;
    return CT_OK;
}

unsigned ct_http_server_port(const struct ct_http_server *s)
{
    return s->port;
}

void ct_http_server_stop(struct ct_http_server *s)
{
    if (s == NULL)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}

/* ---- client ---- */

struct ct_http_client {
    CURL *curl;
    struct ct_http_client_config cfg;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int ct_http_client_new(struct ct_http_client **out, const struct ct_http_client_config *cfg)
{
    pthread_once(&curl_once, curl_init);
    struct ct_http_client *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return CT_ERR_NOMEM;
    c->curl = curl_easy_init();
    if (c->curl == NULL) {
        free(c);
        return CT_ERR_NOMEM;
    }
    c->cfg = *cfg;
    if (c->cfg.timeout_ms <= 0)
        c->cfg.timeout_ms = 30000;
    if (c->cfg.max_response == 0)
        c->cfg.max_response = (size_t)16 << 20;
    *out = c;
    return CT_OK;
}

void ct_http_client_set_timeout(struct ct_http_client *c, long timeout_ms)
{
    if (timeout_ms > 0)
        c->cfg.timeout_ms = timeout_ms;
}

void ct_http_client_free(struct ct_http_client *c)
{
    if (c == NULL)
        return;
    curl_easy_cleanup(c->curl);
    free(c);
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct ct_buf *b = ud;
    /* A refusal here makes curl fail with CURLE_WRITE_ERROR: the answer is over the bound. */
    return ct_buf_append(b, p, size * n) == CT_OK ? size * n : 0;
}

static int perform(struct ct_http_client *c, const char *url, struct curl_slist *headers,
                   struct ct_http_reply *reply, struct ct_diag *diag)
{
    CURL *h = c->curl;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply->body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->cfg.timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->cfg.timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    /* One connection per request: libcurl silently sends a request again when a reused
     * connection turns out closed, and a test tool must never send anything it did not decide
     * to (nor hide that a peer hung up). */
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    if (c->cfg.ca_file != NULL)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->cfg.ca_file);
    if (c->cfg.insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        switch (rc) {
        case CURLE_COULDNT_CONNECT: reply->failure = CT_HTTP_REFUSED; break;
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE: reply->failure = CT_HTTP_CLOSED; break;
        case CURLE_OPERATION_TIMEDOUT: reply->failure = CT_HTTP_TIMEOUT; break;
        case CURLE_WRITE_ERROR: reply->failure = CT_HTTP_TOO_BIG; break;
        default: reply->failure = CT_HTTP_OTHER; break;
        }
        if (rc == CURLE_WRITE_ERROR)
            return ct_diag_set(diag, CT_ERR_IO, "%s: the answer is larger than %zu bytes", url,
                               c->cfg.max_response);
        return ct_diag_set(diag, CT_ERR_IO, "%s: %s", url, curl_easy_strerror(rc));
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply->status);
    char *type = NULL;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type);
    snprintf(reply->content_type, sizeof(reply->content_type), "%s", type != NULL ? type : "");
    return CT_OK;
}

int ct_http_post(struct ct_http_client *c, const char *url, const uint8_t *body, size_t len,
                 const char *content_type, struct ct_http_reply *reply, struct ct_diag *diag)
{
    ct_buf_init(&reply->body, c->cfg.max_response);
    reply->failure = CT_HTTP_OK;
    reply->status = 0;
    reply->content_type[0] = '\0';
    char header[160];
    snprintf(header, sizeof(header), "Content-Type: %s", content_type);
    struct curl_slist *headers = curl_slist_append(NULL, header);
    headers = curl_slist_append(headers, "Accept: application/vnd.syncml+xml, application/vnd.syncml+wbxml");
    headers = curl_slist_append(headers, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 0L);
    curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    int rc = perform(c, url, headers, reply, diag);
    curl_slist_free_all(headers);
    return rc;
}

int ct_http_get(struct ct_http_client *c, const char *url, struct ct_http_reply *reply,
                struct ct_diag *diag)
{
    ct_buf_init(&reply->body, c->cfg.max_response);
    reply->failure = CT_HTTP_OK;
    reply->status = 0;
    reply->content_type[0] = '\0';
    curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
    return perform(c, url, NULL, reply, diag);
}
