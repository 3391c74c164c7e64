/*
 * The live SUT: child processes, the HTTP client towards a server SUT, and the HTTP server
 * plus rendezvous towards a client SUT.
 */
#define _GNU_SOURCE /* pipe2, close_range */
#include "engine/ct_peer.h"

#include "crypto/ct_enc.h"
#include "crypto/ct_enc_cert.h"
#include "crypto/ct_enc_kt.h"
#include "net/ct_http.h"
#include "serve/ct_serve.h"
#include "sut/ct_store.h"
#include "sut/ct_bugs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- outcomes ---- */

void ct_outcome_init(struct ct_outcome *o)
{
    memset(o, 0, sizeof(*o));
    ct_buf_init(&o->body, (size_t)16 << 20);
}

void ct_outcome_cleanup(struct ct_outcome *o)
{
    ct_buf_cleanup(&o->body);
}

const char *ct_outcome_kind_name(enum ct_outcome_kind k)
{
    switch (k) {
    case CT_OUT_MESSAGE: return "message";
    case CT_OUT_CLOSED: return "closed";
    case CT_OUT_TIMEOUT: return "timeout";
    case CT_OUT_TRANSPORT: return "transport-error";
    case CT_OUT_END: return "end";
    default: return "?";
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---- the rendezvous between the HTTP thread and the engine (client SUT) ---- */

struct rendezvous {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool has_req;          /* a request waits for the engine */
    unsigned long seq;     /* the number of the request the HTTP thread holds */
    struct ct_buf req;
    char req_type[128];
    bool waiting;          /* the HTTP thread waits for the answer */
    bool has_ans;
    bool ans_close;
    struct ct_buf ans;
    char ans_type[128];
    bool shutdown;
    unsigned wait_ms;      /* how long the HTTP thread waits for the engine */
    const char *cert_pem;
};

struct ct_peer {
    struct ct_peer_config cfg;
    char url[512];
    char log[1024];
    pid_t server_pid;              /* builtin server, as a child */
    struct ct_serve *serve;        /* builtin server, in-process */
    struct ct_sstore *store;
    struct ct_server_config scfg;
    EVP_PKEY *key;
    STACK_OF(X509) *chain;
    char *chain_pem;               /* the self-signed chain of a vector key */
    int server_out;                /* its stdout, kept open so that a late write cannot SIGPIPE it */
    struct ct_http_client *http;
    /* client SUT */
    struct ct_http_server *srv;
    struct rendezvous rv;
    unsigned long taken_seq;       /* the request the engine took last, and must answer */
    pid_t session_pid;
    int session_status;
    bool session_ended;
    unsigned sessions;
};

static void on_http(void *ctx, const struct ct_http_request *req, struct ct_http_answer *ans)
{
    struct rendezvous *rv = ctx;
    if (strcmp(req->method, "GET") == 0 && req->query != NULL && strstr(req->query, "syncml-enc=cert") != NULL) {
        ans->status = rv->cert_pem != NULL ? 200 : 404;
        ans->content_type = rv->cert_pem != NULL ? "application/pem-certificate-chain" : "text/plain";
        ct_buf_append_str(&ans->body, rv->cert_pem != NULL ? rv->cert_pem : "no certificate\n");
        return;
    }
    if (strcmp(req->method, "POST") != 0) {
        ans->status = 405;
        ans->content_type = "text/plain";
        ct_buf_append_str(&ans->body, "POST a SyncML message\n");
        return;
    }
    pthread_mutex_lock(&rv->mu);
    if (rv->waiting || rv->has_req || rv->shutdown) {
        /* One request at a time: a client that sends a second one before the first was
         * answered gets 503, and the engine sees only the first. */
        pthread_mutex_unlock(&rv->mu);
        ans->status = 503;
        ans->content_type = "text/plain";
        ct_buf_append_str(&ans->body, "busy\n");
        return;
    }
    ct_buf_reset(&rv->req);
    if (ct_buf_append(&rv->req, req->body, req->len) != CT_OK) {
        pthread_mutex_unlock(&rv->mu);
        ans->status = 413;
        return;
    }
    snprintf(rv->req_type, sizeof(rv->req_type), "%s", req->content_type != NULL ? req->content_type : "");
    rv->seq++;
    rv->has_req = true;
    rv->waiting = true;
    rv->has_ans = false;
    pthread_cond_broadcast(&rv->cv);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += rv->wait_ms / 1000 + 1;
    while (!rv->has_ans && !rv->shutdown)
        if (pthread_cond_timedwait(&rv->cv, &rv->mu, &deadline) == ETIMEDOUT)
            break;
    if (rv->has_ans && !rv->ans_close) {
        ans->status = 200;
        ans->content_type = rv->ans_type;
        ct_buf_append(&ans->body, rv->ans.data, rv->ans.len);
    } else {
        ans->status = 0; /* hang up */
    }
    rv->has_ans = false;
    rv->waiting = false;
    rv->has_req = false; /* an engine that never took it does not get it later */
    pthread_mutex_unlock(&rv->mu);
}

/* ---- processes ---- */

/* Start argv (or `sh -c cmd` when argv is NULL) in its own process group, output to log. */
static pid_t spawn(char *const argv[], const char *cmd, const char *log, int out_pipe[2])
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    setpgid(0, 0);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0)
        dup2(null, 0);
    if (fd >= 0) {
        dup2(fd, 2);
        dup2(fd, 1);
    }
    if (out_pipe != NULL)
        dup2(out_pipe[1], 1);
    /* Nothing else of conftest's goes to the SUT: not the pipes of other workers' children,
     * not the sockets of the HTTP server. */
    if (close_range(3, ~0u, 0) != 0) { /* one call; the loop is for kernels before 5.9 */
        long max = sysconf(_SC_OPEN_MAX);
        for (int i = 3; i < (max > 0 && max < 65536 ? max : 65536); i++)
            close(i);
    }
    if (argv != NULL)
        execv(argv[0], argv);
    else
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
}

static int status_of(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
}

/* Stop a child's whole group: TERM, a short grace, then KILL. Returns its status. */
static int reap(pid_t pid)
{
    if (pid <= 0)
        return -1;
    int st = 0;
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == pid)
        return status_of(st);
    if (w < 0) /* not our child (any more): its pid may belong to someone else now */
        return -1;
    kill(-pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid) {
            kill(-pid, SIGKILL); /* what the group left behind */
            return status_of(st);
        }
        usleep(10000);
    }
    kill(-pid, SIGKILL);
    waitpid(pid, &st, 0);
    return status_of(st);
}

/* Run a command to completion within timeout_ms. Returns its exit status, or -1 on timeout. */
static int run_cmd(const char *cmd, const char *log, unsigned timeout_ms)
{
    pid_t pid = spawn(NULL, cmd, log, NULL);
    if (pid < 0)
        return -1;
    double end = now_ms() + timeout_ms;
    int st = 0;
    while (now_ms() < end) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return status_of(st);
        usleep(5000);
    }
    reap(pid);
    return -1;
}

/* Quote a value for sh: 'it'\''s'. */
static int sh_quote(struct ct_buf *b, const char *v)
{
    ct_buf_append_str(b, "'");
    for (const char *c = v; *c != '\0'; c++)
        ct_buf_append_str(b, *c == '\'' ? "'\\''" : (char[]){*c, '\0'});
    return ct_buf_append_str(b, "'");
}

/* Expand {name} placeholders of a SUT command, each value shell-quoted. */
static int expand_cmd(struct ct_buf *out, const char *tpl, const char *const *names,
                      const char *const *values, size_t n, struct ct_diag *diag)
{
    for (const char *p = tpl; *p != '\0'; p++) {
        if (*p != '{') {
            ct_buf_append(out, p, 1);
            continue;
        }
        const char *close = strchr(p, '}');
        size_t i = 0;
        for (; close != NULL && i < n; i++)
            if (strlen(names[i]) == (size_t)(close - p - 1) && strncmp(p + 1, names[i], (size_t)(close - p - 1)) == 0)
                break;
        if (close == NULL || i == n)
            return ct_diag_set(diag, CT_ERR_INVALID_ARG, "command '%s': unknown placeholder at '%.20s'", tpl, p);
        sh_quote(out, values[i] != NULL ? values[i] : "");
        p = close;
    }
    return ct_buf_append(out, "", 1);
}

/* Append --bug NAME for each seeded bug of this role: the reference server takes the server's
 * bugs, the client the client's (a run may switch on both kinds). */
static size_t add_bugs(char **argv, size_t n, size_t max, const struct ct_peer_config *c, const char *role)
{
    for (size_t i = 0; i < c->n_ref_bugs && n + 2 < max; i++) {
        const struct ct_bug_info *b = ct_bug_by_name(c->ref_bugs[i]);
        if (b == NULL || strcmp(b->role, role) != 0)
            continue;
        argv[n++] = "--bug";
        argv[n++] = c->ref_bugs[i];
    }
    return n;
}

/* ---- open / close ---- */

static int server_key(struct ct_peer *p, struct ct_diag *diag);

static void server_item(unsigned i, char *buf, size_t size)
{
    snprintf(buf, size, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Server Item %u\r\nN:Item;Server %u;;;\r\n"
                        "TEL:+1-555-01%02u\r\nEND:VCARD\r\n", i, i, i);
}


static int start_builtin_server(struct ct_peer *p, struct ct_diag *diag)
{
    const struct ct_peer_config *c = &p->cfg;
    char data[1100], key[1100], cert[1100], maxmsg[24];
    snprintf(data, sizeof(data), "%s/server", c->workdir);
    snprintf(key, sizeof(key), "%s/pki/server-2048.key", c->vectors);
    snprintf(cert, sizeof(cert), "%s/pki/server-2048.pem", c->vectors);
    if (c->server_key_pem != NULL) {
        /* A vector's key: files for the child, and the certificate made for it. */
        int krc = server_key(p, diag);
        if (krc != CT_OK)
            return krc;
        snprintf(key, sizeof(key), "%s/vector-key.pem", c->workdir);
        snprintf(cert, sizeof(cert), "%s/vector-cert.pem", c->workdir);
        FILE *fk = fopen(key, "w"), *fc = fopen(cert, "w");
        if (fk != NULL)
            fputs(c->server_key_pem, fk);
        if (fc != NULL)
            fputs(p->chain_pem, fc);
        if (fk == NULL || fc == NULL || fclose(fk) != 0 || fclose(fc) != 0)
            return ct_diag_set(diag, CT_ERR_IO, "%s: cannot write the vector's key", c->workdir);
    }
    char *argv[64 + 2 * 64];
    size_t n = 0;
    argv[n++] = (char *)c->ref_exe;
    argv[n++] = "serve";
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--data";
    argv[n++] = data;
    argv[n++] = "--profile-key";
    argv[n++] = key;
    argv[n++] = "--profile-cert";
    argv[n++] = cert;
    if (c->server_require_profile)
        argv[n++] = "--require-profile";
    if (c->server_auth != NULL) {
        argv[n++] = "--auth";
        argv[n++] = (char *)c->server_auth;
    }
    if (c->server_max_msg > 0) {
        snprintf(maxmsg, sizeof(maxmsg), "%u", c->server_max_msg);
        argv[n++] = "--max-msg-size";
        argv[n++] = maxmsg;
    }
    char algs[256], kts[128];
    snprintf(algs, sizeof(algs), "%s", c->server_algs != NULL ? c->server_algs : "");
    for (char *save = NULL, *a = strtok_r(algs, ",", &save); a != NULL && n < 60; a = strtok_r(NULL, ",", &save)) {
        argv[n++] = "--alg";
        argv[n++] = a;
    }
    snprintf(kts, sizeof(kts), "%s", c->server_kts != NULL ? c->server_kts : "");
    for (char *save = NULL, *k = strtok_r(kts, ",", &save); k != NULL && n < 64; k = strtok_r(NULL, ",", &save)) {
        argv[n++] = "--kt";
        argv[n++] = k;
    }
    char item_files[16][1100];
    for (unsigned i = 0; i < c->server_items && i < 16; i++) {
        snprintf(item_files[i], sizeof(item_files[i]), "%s/server-item-%u.vcf", c->workdir, i + 1);
        FILE *f = fopen(item_files[i], "w");
        if (f == NULL)
            return ct_diag_set(diag, CT_ERR_IO, "%s: %s", item_files[i], strerror(errno));
        char item[256];
        server_item(i + 1, item, sizeof(item));
        fputs(item, f);
        fclose(f);
        argv[n++] = "--add";
        argv[n++] = item_files[i];
    }
    n = add_bugs(argv, n, sizeof(argv) / sizeof(argv[0]) - 1, c, "server");
    argv[n] = NULL;

    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return ct_diag_set(diag, CT_ERR_IO, "pipe: %s", strerror(errno));
    p->server_pid = spawn(argv, NULL, p->log, fds);
    close(fds[1]);
    if (p->server_pid < 0) {
        close(fds[0]);
        return ct_diag_set(diag, CT_ERR_IO, "cannot start %s", c->ref_exe);
    }
    /* It prints "conftest serve: listening on URL (...)" once it accepts connections. */
    char line[1024];
    size_t len = 0;
    double end = now_ms() + (c->timeout_ms ? c->timeout_ms : 10000);
    int rc = CT_ERR_IO;
    while (now_ms() < end && len < sizeof(line) - 1) {
        struct pollfd pfd = {fds[0], POLLIN, 0};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        ssize_t r = read(fds[0], line + len, sizeof(line) - 1 - len);
        if (r <= 0)
            break;
        len += (size_t)r;
        line[len] = '\0';
        const char *at = strstr(line, "listening on ");
        if (at != NULL && strchr(at, ' ' ) != NULL && strchr(at + 13, ' ') != NULL) {
            at += 13;
            snprintf(p->url, sizeof(p->url), "%.*s", (int)strcspn(at, " \n"), at);
            rc = CT_OK;
            break;
        }
    }
    p->server_out = fds[0];
    if (rc != CT_OK)
        return ct_diag_set(diag, CT_ERR_IO, "the reference server did not start (log: %s)", p->log);
    return CT_OK;
}


/* Key transports, as `conftest serve --kt` takes them. */
static int parse_kts(const char *list, unsigned *kts, struct ct_diag *diag)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", list);
    *kts = 0;
    for (char *save = NULL, *k = strtok_r(buf, ",", &save); k != NULL; k = strtok_r(NULL, ",", &save)) {
        enum ct_enc_kt kt = ct_enc_kt_by_name(k, strlen(k));
        if (kt == CT_ENC_KT_UNKNOWN)
            return ct_diag_set(diag, CT_ERR_INVALID_ARG, "server-kts: '%s' is not a key transport", k);
        *kts |= 1u << kt;
    }
    return CT_OK;
}

/* The profile key of the builtin server: the test PKI's, or a vector's with a certificate made
 * for it here. */
static int server_key(struct ct_peer *p, struct ct_diag *diag)
{
    const struct ct_peer_config *c = &p->cfg;
    if (c->server_key_pem != NULL) {
        p->key = ct_enc_key_from_pem(c->server_key_pem, diag);
        if (p->key == NULL)
            return CT_ERR_PARSE;
        return ct_enc_cert_self_signed(p->key, &p->chain, &p->chain_pem) == CT_OK
                   ? CT_OK
                   : ct_diag_set(diag, CT_ERR_CRYPTO, "no certificate can be made for the vector's key");
    }
    char key[1100], cert[1100];
    snprintf(key, sizeof(key), "%s/pki/server-2048.key", c->vectors);
    snprintf(cert, sizeof(cert), "%s/pki/server-2048.pem", c->vectors);
    p->key = ct_enc_key_load(key, diag);
    if (p->key == NULL || ct_enc_chain_load(&p->chain, cert, diag) != CT_OK)
        return CT_ERR_IO;
    return CT_OK;
}

const char *ct_peer_server_chain_pem(const struct ct_peer *p)
{
    return p->chain_pem;
}

/* The builtin server on a thread of this process: the same core and options as `conftest serve`. */
static int start_inprocess_server(struct ct_peer *p, struct ct_diag *diag)
{
    const struct ct_peer_config *c = &p->cfg;
    int rc = server_key(p, diag);
    if (rc != CT_OK)
        return rc;
    rc = ct_sstore_open(&p->store, ":memory:", diag);
    struct ct_server_config *sc = &p->scfg;
    ct_server_config_default(sc);
    sc->key = p->key;
    sc->chain = p->chain;
    sc->policy.required = c->server_require_profile;
    if (c->server_auth != NULL)
        sc->auth = strcmp(c->server_auth, "basic") == 0 ? CT_AUTH_BASIC : CT_AUTH_MD5;
    if (c->server_max_msg > 0)
        sc->max_msg_size = c->server_max_msg;
    if (c->server_kts != NULL && (rc = parse_kts(c->server_kts, &sc->policy.kts, diag)) != CT_OK)
        return rc;
    if (c->server_algs != NULL) {
        char algs[256];
        snprintf(algs, sizeof(algs), "%s", c->server_algs);
        sc->policy.n_algs = 0;
        for (char *save = NULL, *a = strtok_r(algs, ",", &save); a != NULL; a = strtok_r(NULL, ",", &save)) {
            const struct ct_enc_alg *alg = ct_enc_alg_by_name(a, strlen(a));
            if (alg == NULL || alg->grade == CT_ENC_INSECURE || sc->policy.n_algs == CT_ENC_MAX_ALGS)
                return ct_diag_set(diag, CT_ERR_INVALID_ARG, "server-algs: '%s' is not an algorithm it may accept", a);
            sc->policy.algs[sc->policy.n_algs++] = alg->id;
        }
    }
    for (size_t i = 0; i < c->n_ref_bugs; i++) {
        const struct ct_bug_info *b = ct_bug_by_name(c->ref_bugs[i]);
        if (b != NULL && strcmp(b->role, "server") == 0)
            ct_bug_set(&sc->bugs, b->bug);
    }
    for (unsigned i = 0; rc == CT_OK && i < c->server_items && i < 16; i++) {
        char item[256], guid[32];
        server_item(i + 1, item, sizeof(item));
        rc = ct_sstore_add(p->store, sc->dbs[0], "text/vcard", (const uint8_t *)item, strlen(item), guid);
    }
    struct ct_serve_config cfg = {.listen = "127.0.0.1:0", .quiet = true};
    if (rc == CT_OK)
        rc = ct_serve_start(&p->serve, &cfg, sc, p->store, diag);
    if (rc == CT_OK)
        snprintf(p->url, sizeof(p->url), "%s", ct_serve_url(p->serve));
    return rc;
}

int ct_peer_open(struct ct_peer **out, const struct ct_peer_config *cfg, struct ct_diag *diag)
{
    *out = NULL;
    struct ct_peer *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return CT_ERR_NOMEM;
    p->cfg = *cfg;
    p->server_out = -1;
    snprintf(p->log, sizeof(p->log), "%s/sut.log", cfg->workdir);
    pthread_mutex_init(&p->rv.mu, NULL);
    pthread_cond_init(&p->rv.cv, NULL);
    ct_buf_init(&p->rv.req, (size_t)16 << 20);
    ct_buf_init(&p->rv.ans, (size_t)16 << 20);
    p->rv.cert_pem = cfg->cert_pem;
    p->rv.wait_ms = cfg->timeout_ms ? cfg->timeout_ms : 10000;
    int rc = CT_OK;
    const struct ct_sut_config *sut = cfg->sut;
    if (sut->reset_cmd != NULL) {
        /* The scenario's set-up of a server SUT, for a reset-cmd that can honour it (seed the
         * items, pick the auth): CONFTEST_SERVER_ITEMS, _AUTH, _MAX_MSG_SIZE, _REQUIRE_PROFILE. */
        struct ct_buf cmd;
        ct_buf_init(&cmd, 16384);
        char items[16], maxmsg[16];
        snprintf(items, sizeof(items), "%u", cfg->server_items);
        snprintf(maxmsg, sizeof(maxmsg), "%u", cfg->server_max_msg);
        const char *env[][2] = {{"CONFTEST_SERVER_ITEMS", items},
                                {"CONFTEST_SERVER_AUTH", cfg->server_auth != NULL ? cfg->server_auth : ""},
                                {"CONFTEST_SERVER_MAX_MSG_SIZE", cfg->server_max_msg ? maxmsg : ""},
                                {"CONFTEST_SERVER_REQUIRE_PROFILE", cfg->server_require_profile ? "yes" : "no"}};
        for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++) {
            ct_buf_printf(&cmd, "%s=", env[i][0]);
            sh_quote(&cmd, env[i][1]);
            ct_buf_printf(&cmd, "; export %s; ", env[i][0]);
        }
        rc = ct_buf_append_str(&cmd, sut->reset_cmd);
        if (rc == CT_OK)
            rc = ct_buf_append(&cmd, "", 1);
        /* 3 x the step timeout, but never under 30 s: restarting a real server takes seconds
         * whatever a scenario's own steps allow (a 3 s scenario must not cut a 9 s restart). */
        unsigned bound = cfg->timeout_ms * 3 > 30000 ? cfg->timeout_ms * 3 : 30000;
        int st = rc == CT_OK ? run_cmd((const char *)cmd.data, p->log, bound) : -1;
        ct_buf_cleanup(&cmd);
        if (rc == CT_OK && st != 0)
            rc = ct_diag_set(diag, CT_ERR_IO, "reset-cmd %s (log: %s)",
                             st < 0 ? "timed out" : "failed", p->log);
    }
    if (rc == CT_OK && sut->role == CT_SCN_ROLE_SERVER) {
        struct ct_http_client_config hc = {.timeout_ms = 10000, .max_response = (size_t)16 << 20};
        rc = ct_http_client_new(&p->http, &hc);
        if (rc == CT_OK) {
            if (sut->builtin)
                rc = cfg->in_process ? start_inprocess_server(p, diag) : start_builtin_server(p, diag);
            else
                snprintf(p->url, sizeof(p->url), "%s", sut->url);
        }
    } else if (rc == CT_OK) {
        struct ct_http_server_config hc = {.listen = "127.0.0.1:0", .max_body = (size_t)16 << 20, .timeout_s = 30,
                                           .quiet = true};
        rc = ct_http_server_start(&p->srv, &hc, on_http, &p->rv, diag);
        if (rc == CT_OK)
            snprintf(p->url, sizeof(p->url), "http://127.0.0.1:%u/sync", ct_http_server_port(p->srv));
    }
    if (rc != CT_OK) {
        ct_peer_close(p);
        return rc;
    }
    *out = p;
    return CT_OK;
}

void ct_peer_close(struct ct_peer *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->rv.mu);
    p->rv.shutdown = true;
    pthread_cond_broadcast(&p->rv.cv);
    pthread_mutex_unlock(&p->rv.mu);
    if (!p->session_ended)
        reap(p->session_pid);
    ct_http_server_stop(p->srv);
    reap(p->server_pid);
    ct_serve_stop(p->serve);
    ct_sstore_close(p->store);
    EVP_PKEY_free(p->key);
    ct_enc_chain_free(p->chain);
    free(p->chain_pem);
    if (p->server_out >= 0)
        close(p->server_out);
    ct_http_client_free(p->http);
    ct_buf_cleanup(&p->rv.req);
    ct_buf_cleanup(&p->rv.ans);
    pthread_cond_destroy(&p->rv.cv);
    pthread_mutex_destroy(&p->rv.mu);
    free(p);
}

const char *ct_peer_url(const struct ct_peer *p)
{
    return p->url;
}

const char *ct_peer_log(const struct ct_peer *p)
{
    return p->log;
}

/* ---- server SUT ---- */

int ct_peer_exchange(struct ct_peer *p, const char *url, const uint8_t *body, size_t len,
                     const char *content_type, unsigned timeout_ms, struct ct_outcome *out)
{
    struct ct_http_reply reply;
    struct ct_diag d = {0};
    ct_http_client_set_timeout(p->http, timeout_ms);
    double t0 = now_ms();
    int rc = ct_http_post(p->http, url != NULL ? url : p->url, body, len, content_type, &reply, &d);
    out->ms = now_ms() - t0;
    if (rc == CT_OK) {
        out->kind = CT_OUT_MESSAGE;
        out->http = reply.status;
        snprintf(out->content_type, sizeof(out->content_type), "%s", reply.content_type);
        ct_buf_reset(&out->body);
        rc = ct_buf_append(&out->body, reply.body.data, reply.body.len);
    } else {
        out->kind = reply.failure == CT_HTTP_CLOSED    ? CT_OUT_CLOSED
                    : reply.failure == CT_HTTP_TIMEOUT ? CT_OUT_TIMEOUT
                                                       : CT_OUT_TRANSPORT;
        snprintf(out->text, sizeof(out->text), "%s", d.text);
        rc = CT_OK;
    }
    ct_buf_cleanup(&reply.body);
    return rc;
}

/* ---- client SUT ---- */

static void write_items(const char *dir, unsigned n, char files[][1100])
{
    for (unsigned i = 0; i < n; i++) {
        snprintf(files[i], 1100, "%s/client-item-%u.vcf", dir, i + 1);
        FILE *f = fopen(files[i], "w");
        if (f == NULL)
            continue;
        fprintf(f, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Client Item %u\r\nN:Item;Client %u;;;\r\n"
                   "EMAIL:client%u@example.org\r\nEND:VCARD\r\n", i + 1, i + 1, i + 1);
        fclose(f);
    }
}

int ct_peer_session_start(struct ct_peer *p, const struct ct_peer_session *s, struct ct_diag *diag)
{
    const struct ct_peer_config *c = &p->cfg;
    const struct ct_sut_config *sut = c->sut;
    if (p->session_pid > 0 && !p->session_ended)
        return ct_diag_set(diag, CT_ERR_USAGE, "the previous session of the client is still running");
    p->session_ended = false;
    p->sessions++;
    char data[1100];
    snprintf(data, sizeof(data), "%s/client", c->workdir);
    unsigned n_items = s->items > 16 ? 16 : s->items;
    char files[16][1100];
    write_items(c->workdir, n_items, files);
    const char *password = s->password != NULL ? s->password : sut->password;
    const char *mode = s->mode != NULL ? s->mode : "two-way";
    if (sut->builtin) {
        char *argv[96];
        size_t n = 0;
        char timeout[16];
        snprintf(timeout, sizeof(timeout), "%u", (c->timeout_ms ? c->timeout_ms : 10000) / 1000 + 1);
        argv[n++] = (char *)c->ref_exe;
        argv[n++] = "sync";
        argv[n++] = p->url;
        argv[n++] = "--data";
        argv[n++] = data;
        argv[n++] = "--device-id";
        argv[n++] = "conftest-ref-client";
        argv[n++] = "--user";
        argv[n++] = sut->user;
        argv[n++] = "--password";
        argv[n++] = (char *)password;
        argv[n++] = "--mode";
        argv[n++] = (char *)mode;
        argv[n++] = "--timeout";
        argv[n++] = timeout;
        if (s->auth != NULL) {
            argv[n++] = "--auth";
            argv[n++] = (char *)s->auth;
        }
        if (s->wbxml)
            argv[n++] = "--wbxml";
        if (s->profile != NULL && strcmp(s->profile, "pre-configured") == 0 && s->server_cert != NULL) {
            argv[n++] = "--server-cert";
            argv[n++] = (char *)s->server_cert;
        } else if (s->profile != NULL && strcmp(s->profile, "download") == 0 && s->ca != NULL) {
            argv[n++] = "--ca";
            argv[n++] = (char *)s->ca;
        }
        for (unsigned i = 0; i < n_items; i++) {
            argv[n++] = "--add";
            argv[n++] = files[i];
        }
        char algs[256];
        snprintf(algs, sizeof(algs), "%s", s->algs != NULL ? s->algs : "");
        for (char *save = NULL, *a = strtok_r(algs, ",", &save); a != NULL && n < 80; a = strtok_r(NULL, ",", &save)) {
            argv[n++] = "--alg";
            argv[n++] = a;
        }
        if (s->kt != NULL) {
            argv[n++] = "--kt";
            argv[n++] = (char *)s->kt;
        }
        n = add_bugs(argv, n, sizeof(argv) / sizeof(argv[0]) - 1, c, "client");
        argv[n] = NULL;
        p->session_pid = spawn(argv, NULL, p->log, NULL);
    } else {
        char items[8];
        snprintf(items, sizeof(items), "%u", n_items);
        const char *names[] = {"url", "user", "password", "db", "mode", "auth", "profile", "data", "items",
                               "algs", "kt", "encoding"};
        const char *values[] = {p->url, sut->user, password, sut->db, mode,
                                s->auth != NULL ? s->auth : "md5", s->profile != NULL ? s->profile : "off",
                                data, items, s->algs != NULL ? s->algs : "", s->kt != NULL ? s->kt : "",
                                s->wbxml ? "wbxml" : "xml"};
        struct ct_buf cmd;
        ct_buf_init(&cmd, 8192);
        int rc = expand_cmd(&cmd, sut->sync_cmd, names, values, sizeof(names) / sizeof(names[0]), diag);
        if (rc != CT_OK) {
            ct_buf_cleanup(&cmd);
            return rc;
        }
        p->session_pid = spawn(NULL, (const char *)cmd.data, p->log, NULL);
        ct_buf_cleanup(&cmd);
    }
    if (p->session_pid < 0)
        return ct_diag_set(diag, CT_ERR_IO, "cannot start the client: %s", strerror(errno));
    return CT_OK;
}

bool ct_peer_session_running(const struct ct_peer *p)
{
    return p->session_pid > 0 && !p->session_ended;
}

int ct_peer_wait(struct ct_peer *p, unsigned timeout_ms, struct ct_outcome *out)
{
    double t0 = now_ms(), end = t0 + timeout_ms;
    pthread_mutex_lock(&p->rv.mu);
    for (;;) {
        if (p->rv.has_req) {
            p->rv.has_req = false;
            p->taken_seq = p->rv.seq;
            out->kind = CT_OUT_MESSAGE;
            out->http = 0;
            snprintf(out->content_type, sizeof(out->content_type), "%s", p->rv.req_type);
            ct_buf_reset(&out->body);
            int rc = ct_buf_append(&out->body, p->rv.req.data, p->rv.req.len);
            pthread_mutex_unlock(&p->rv.mu);
            out->ms = now_ms() - t0;
            return rc;
        }
        int st = 0;
        if (p->session_pid > 0 && !p->session_ended && waitpid(p->session_pid, &st, WNOHANG) == p->session_pid) {
            p->session_ended = true;
            p->session_status = status_of(st);
            kill(-p->session_pid, SIGKILL); /* anything it left running */
        }
        if (p->session_pid <= 0 || p->session_ended) {
            pthread_mutex_unlock(&p->rv.mu);
            out->kind = CT_OUT_END;
            out->exit_status = p->session_pid > 0 ? p->session_status : -1;
            out->ms = now_ms() - t0;
            return CT_OK;
        }
        double left = end - now_ms();
        if (left <= 0) {
            pthread_mutex_unlock(&p->rv.mu);
            out->kind = CT_OUT_TIMEOUT;
            out->ms = now_ms() - t0;
            return CT_OK;
        }
        /* Wake up often enough to notice the process ending. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long step_ns = (long)((left < 20 ? left : 20) * 1e6);
        ts.tv_nsec += step_ns;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->rv.cv, &p->rv.mu, &ts);
    }
}

int ct_peer_answer(struct ct_peer *p, const uint8_t *body, size_t len, const char *content_type)
{
    pthread_mutex_lock(&p->rv.mu);
    /* Only the request the engine took: if it timed out and the client sent another, this
     * answer is not for that one. */
    if (!p->rv.waiting || p->rv.seq != p->taken_seq) {
        pthread_mutex_unlock(&p->rv.mu);
        return CT_ERR_USAGE;
    }
    ct_buf_reset(&p->rv.ans);
    int rc = CT_OK;
    p->rv.ans_close = body == NULL;
    if (body != NULL) {
        rc = ct_buf_append(&p->rv.ans, body, len);
        snprintf(p->rv.ans_type, sizeof(p->rv.ans_type), "%s", content_type);
    }
    p->rv.has_ans = true;
    pthread_cond_broadcast(&p->rv.cv);
    pthread_mutex_unlock(&p->rv.mu);
    return rc;
}
