/*
 * conftest sync: the reference client against a server URL over HTTP(S) (libcurl).
 */
#include "cli/cli.h"

#include "crypto/ct_enc_cert.h"
#include "net/ct_http.h"
#include "sut/ct_client.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sync_usage[] =
    "usage: conftest sync URL [options]\n"
    "\n"
    "Run the reference SyncML DS 1.2 client against the server at URL, keeping its local store\n"
    "in --data. Plain by default; with the encryption profile when given the server's\n"
    "certificate (--server-cert) or a CA to validate the downloaded one with (--ca).\n"
    "\n"
    "Options:\n"
    "  --user U, --password P the account (default test/test)\n"
    "  --db NAME[=REMOTE]     a local database and the server's name for it (repeatable;\n"
    "                         default contacts)\n"
    "  --data DIR             where the local SQLite store lives (default ./conftest-data/client)\n"
    "  --device-id ID         SyncHdr Source (default conftest-client)\n"
    "  --auth basic|md5       the credential it sends first (default md5)\n"
    "  --mode MODE            two-way (default), slow, one-way-from-client,\n"
    "                         refresh-from-client, one-way-from-server, refresh-from-server\n"
    "  --wbxml                send WBXML instead of XML\n"
    "  --max-msg-size BYTES   the MaxMsgSize it announces (default 65536)\n"
    "  --server-cert FILE     the profile, pre-configured certificate (PEM)\n"
    "  --ca FILE              the profile, download mode: fetch URL?syncml-enc=cert and validate\n"
    "                         it against this CA\n"
    "  --alg NAME             an algorithm to offer (repeatable; default aes256-gcm, aes128-gcm)\n"
    "  --kt NAME              key transport (default rsa-oaep-sha256)\n"
    "  --optional             the profile is optional: fall back to plain in a new session\n"
    "  --add FILE             add the file's content as a new local item first (repeatable)\n"
    "  --list                 print the local items after the session\n"
    "  --export DIR           after the session, write every local item to DIR/DB/ID\n"
    "  --timeout SEC          per HTTP request (default 30)\n"
    "  --https-ca FILE        HTTPS: trust this CA for the transport\n"
    "  --bug NAME             switch a seeded client bug on (repeatable; conftest serve --list-bugs)\n"
    "  --log                  print a summary of every message on standard error\n"
    "  --dump DIR             write every message as sent and received to DIR (NNN-c2s.xml, ...)\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit codes: 0 the session completed, 1 the server refused or the session failed,\n"
    "2 usage error, 3 transport or local error.\n";

enum {
    OPT_USER = OPT_FIRST_PRIVATE, OPT_PASSWORD, OPT_DB, OPT_DATA, OPT_DEVICE, OPT_AUTH, OPT_MODE,
    OPT_WBXML, OPT_MSGSIZE, OPT_SERVER_CERT, OPT_CA, OPT_ALG, OPT_KT, OPT_OPTIONAL, OPT_ADD,
    OPT_LIST, OPT_EXPORT, OPT_TIMEOUT, OPT_HTTPS_CA, OPT_BUG, OPT_LOG, OPT_DUMP,
};

static const struct {
    const char *name;
    int code;
} modes[] = {
    {"two-way", 200}, {"slow", 201}, {"one-way-from-client", 202}, {"refresh-from-client", 203},
    {"one-way-from-server", 204}, {"refresh-from-server", 205},
};

/* The host of a URL, for certificate name checks. */
static void host_of(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://");
    p = p != NULL ? p + 3 : url;
    size_t n = strcspn(p, ":/?");
    snprintf(out, size, "%.*s", (int)n, p);
}

/* Download mode (ENC-CERT-2): GET URL?syncml-enc=cert. */
static int download_chain(struct ct_http_client *http, const char *url, STACK_OF(X509) **chain,
                          struct ct_diag *diag)
{
    char get[1200];
    snprintf(get, sizeof(get), "%s%ssyncml-enc=cert", url, strchr(url, '?') != NULL ? "&" : "?");
    struct ct_http_reply reply;
    int rc = ct_http_get(http, get, &reply, diag);
    if (rc == CT_OK && reply.status != 200)
        rc = ct_diag_set(diag, CT_ERR_PROTO, "%s: HTTP %ld, no certificate chain", get, reply.status);
    if (rc == CT_OK)
        rc = ct_enc_chain_from_pem(chain, reply.body.data, reply.body.len, diag);
    ct_buf_cleanup(&reply.body);
    return rc;
}

static struct cli_dump dumps;

/* One session over HTTP; returns an exit code. */
static int run_session(struct ct_client *cli, struct ct_http_client *http)
{
    struct ct_buf msg;
    ct_buf_init(&msg, 0);
    const char *type = NULL;
    struct ct_diag diag = {0};
    int rc = ct_client_start(cli, &msg, &type);
    bool done = false;
    int status = CLI_EXIT_OK;
    for (unsigned round = 0; rc == CT_OK && !done; round++) {
        if (round == 200) {
            cli_error("sync", "no end after 200 messages");
            status = CLI_EXIT_REJECTED;
            break;
        }
        struct ct_http_reply reply;
        cli_dump_write(&dumps, "sync", "c2s", msg.data, msg.len, type);
        rc = ct_http_post(http, ct_client_url(cli), msg.data, msg.len, type, &reply, &diag);
        if (rc == CT_OK)
            cli_dump_write(&dumps, "sync", "s2c", reply.body.data, reply.body.len, reply.content_type);
        if (rc != CT_OK) {
            cli_error("sync", "%s", diag.text);
            status = CLI_EXIT_ERROR;
            ct_buf_cleanup(&reply.body);
            break;
        }
        if (reply.status != 200) {
            cli_error("sync", "%s answered HTTP %ld: %.200s", ct_client_url(cli), reply.status,
                      reply.body.data != NULL ? (const char *)reply.body.data : "");
            status = CLI_EXIT_REJECTED;
            ct_buf_cleanup(&reply.body);
            break;
        }
        ct_buf_reset(&msg);
        rc = ct_client_receive(cli, reply.body.data, reply.body.len, reply.content_type, &msg, &done);
        ct_buf_cleanup(&reply.body);
    }
    ct_buf_cleanup(&msg);
    if (rc != CT_OK) {
        cli_error("sync", "%s", ct_strerror(rc));
        return CLI_EXIT_ERROR;
    }
    return status;
}

static int add_files(struct ct_cstore *store, const char *db, char **files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct ct_buf b;
        ct_buf_init(&b, 16 << 20);
        int rc = ct_buf_read_file(&b, files[i]);
        char luid[32];
        if (rc == CT_OK)
            rc = ct_cstore_add(store, db, NULL, b.data, b.len, luid);
        ct_buf_cleanup(&b);
        if (rc != CT_OK) {
            cli_error("sync", "--add %s: %s", files[i], rc == CT_ERR_IO ? strerror(errno) : ct_strerror(rc));
            return CLI_EXIT_ERROR;
        }
    }
    return CLI_EXIT_OK;
}

static void list_items(struct ct_cstore *store, const struct ct_client_config *cfg)
{
    for (size_t i = 0; i < cfg->n_dbs; i++) {
        struct ct_record *v = NULL;
        size_t n = 0;
        if (ct_cstore_live(store, cfg->dbs[i], &v, &n) != CT_OK)
            continue;
        for (size_t k = 0; k < n; k++) {
            printf("%s/%s: ", cfg->dbs[i], v[k].id);
            for (size_t j = 0; j < v[k].len && j < 70; j++)
                putchar(v[k].data[j] == '\r' || v[k].data[j] == '\n' ? ' ' : v[k].data[j]);
            printf("%s\n", v[k].len > 70 ? "..." : "");
        }
        ct_records_free(v, n);
    }
}

/* --export: the local items byte for byte, one file each, so scripts can compare the data a
 * session moved (the local IDs are ours, digits only, so they are safe file names). */
static int export_items(struct ct_cstore *store, const struct ct_client_config *cfg, const char *dir)
{
    char path[1200];
    for (size_t i = 0; i < cfg->n_dbs; i++) {
        struct ct_record *v = NULL;
        size_t n = 0;
        snprintf(path, sizeof(path), "%s/%s", dir, cfg->dbs[i]);
        if (cfg->dbs[i][0] == '.' || strchr(cfg->dbs[i], '/') != NULL || cli_mkdirs(path) != 0) {
            cli_error("sync", "--export: %s: cannot create", path);
            return -1;
        }
        if (ct_cstore_live(store, cfg->dbs[i], &v, &n) != CT_OK)
            return -1;
        for (size_t k = 0; k < n; k++) {
            snprintf(path, sizeof(path), "%s/%s/%s", dir, cfg->dbs[i], v[k].id);
            FILE *f = fopen(path, "wb");
            if (f == NULL || fwrite(v[k].data, 1, v[k].len, f) != v[k].len) {
                cli_error("sync", "--export: %s: %s", path, strerror(errno));
                if (f != NULL)
                    fclose(f);
                ct_records_free(v, n);
                return -1;
            }
            fclose(f);
        }
        ct_records_free(v, n);
    }
    return 0;
}

int cmd_sync(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"user", required_argument, NULL, OPT_USER},
        {"password", required_argument, NULL, OPT_PASSWORD},
        {"db", required_argument, NULL, OPT_DB},
        {"data", required_argument, NULL, OPT_DATA},
        {"device-id", required_argument, NULL, OPT_DEVICE},
        {"auth", required_argument, NULL, OPT_AUTH},
        {"mode", required_argument, NULL, OPT_MODE},
        {"wbxml", no_argument, NULL, OPT_WBXML},
        {"max-msg-size", required_argument, NULL, OPT_MSGSIZE},
        {"server-cert", required_argument, NULL, OPT_SERVER_CERT},
        {"ca", required_argument, NULL, OPT_CA},
        {"alg", required_argument, NULL, OPT_ALG},
        {"kt", required_argument, NULL, OPT_KT},
        {"optional", no_argument, NULL, OPT_OPTIONAL},
        {"add", required_argument, NULL, OPT_ADD},
        {"list", no_argument, NULL, OPT_LIST},
        {"export", required_argument, NULL, OPT_EXPORT},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"https-ca", required_argument, NULL, OPT_HTTPS_CA},
        {"bug", required_argument, NULL, OPT_BUG},
        {"log", no_argument, NULL, OPT_LOG},
        {"dump", required_argument, NULL, OPT_DUMP},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct ct_client_config cfg;
    ct_client_config_default(&cfg);
    const char *data = "conftest-data/client", *server_cert = NULL, *ca_file = NULL;
    struct ct_http_client_config hc = {.timeout_ms = 30000};
    const char *export_dir = NULL;
    bool list = false, dbs_given = false, algs_given = false;
    char *adds[64];
    size_t n_adds = 0;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_USER: cfg.user = optarg; break;
        case OPT_PASSWORD: cfg.password = optarg; break;
        case OPT_DB:
            if (!dbs_given)
                cfg.n_dbs = 0;
            dbs_given = true;
            if (cfg.n_dbs == CT_CLIENT_MAX_DBS) {
                cli_error("sync", "at most %d databases", CT_CLIENT_MAX_DBS);
                return CLI_EXIT_USAGE;
            }
            cfg.dbs[cfg.n_dbs] = optarg;
            cfg.remote_dbs[cfg.n_dbs] = NULL;
            if (strchr(optarg, '=') != NULL) {
                *strchr(optarg, '=') = '\0';
                cfg.remote_dbs[cfg.n_dbs] = optarg + strlen(optarg) + 1;
            }
            cfg.n_dbs++;
            break;
        case OPT_DATA: data = optarg; break;
        case OPT_DEVICE: cfg.device_id = optarg; break;
        case OPT_AUTH:
            cfg.auth = strcmp(optarg, "md5") == 0 ? CT_AUTH_MD5 : strcmp(optarg, "basic") == 0 ? CT_AUTH_BASIC : CT_AUTH_NONE;
            if (cfg.auth == CT_AUTH_NONE) {
                cli_error("sync", "--auth: '%s' is not basic or md5", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_MODE: {
            int code = 0;
            for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
                if (strcmp(modes[i].name, optarg) == 0)
                    code = modes[i].code;
            if (code == 0) {
                cli_error("sync", "--mode: '%s' is not a sync type (see --help)", optarg);
                return CLI_EXIT_USAGE;
            }
            cfg.mode = code;
            break;
        }
        case OPT_WBXML: cfg.encoding = CT_ENC_WBXML; break;
        case OPT_MSGSIZE: {
            char *end = NULL;
            unsigned long v = strtoul(optarg, &end, 10);
            if (end == optarg || *end != '\0' || v < 1024) {
                cli_error("sync", "--max-msg-size: '%s' is not a size of at least 1024", optarg);
                return CLI_EXIT_USAGE;
            }
            cfg.max_msg_size = v;
            break;
        }
        case OPT_SERVER_CERT: server_cert = optarg; break;
        case OPT_CA: ca_file = optarg; break;
        case OPT_ALG: {
            const struct ct_enc_alg *a = ct_enc_alg_by_name(optarg, strlen(optarg));
            if (a == NULL || cfg.n_algs == 16 - 1) {
                cli_error("sync", "--alg: '%s' is not an algorithm of the profile", optarg);
                return CLI_EXIT_USAGE;
            }
            if (!algs_given)
                cfg.n_algs = 0;
            algs_given = true;
            cfg.algs[cfg.n_algs++] = a->id;
            break;
        }
        case OPT_KT:
            cfg.kt = ct_enc_kt_by_name(optarg, strlen(optarg));
            if (cfg.kt == CT_ENC_KT_UNKNOWN) {
                cli_error("sync", "--kt: '%s' is not rsa-oaep-sha256, rsa-oaep-sha1 or rsa-pkcs1", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_OPTIONAL: cfg.required = false; break;
        case OPT_ADD:
            if (n_adds == sizeof(adds) / sizeof(adds[0])) {
                cli_error("sync", "at most 64 --add");
                return CLI_EXIT_USAGE;
            }
            adds[n_adds++] = optarg;
            break;
        case OPT_LIST: list = true; break;
        case OPT_EXPORT: export_dir = optarg; break;
        case OPT_TIMEOUT: {
            char *end = NULL;
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || v <= 0 || v > 3600) {
                cli_error("sync", "--timeout: '%s' is not 1 to 3600 seconds", optarg);
                return CLI_EXIT_USAGE;
            }
            hc.timeout_ms = v * 1000;
            break;
        }
        case OPT_HTTPS_CA: hc.ca_file = optarg; break;
        case OPT_BUG: {
            const struct ct_bug_info *b = ct_bug_by_name(optarg);
            if (b == NULL || strcmp(b->role, "client") != 0) {
                cli_error("sync", "--bug: '%s' is not a client bug (see conftest serve --list-bugs)", optarg);
                return CLI_EXIT_USAGE;
            }
            ct_bug_set(&cfg.bugs, b->bug);
            break;
        }
        case OPT_LOG: cfg.log = stderr; break;
        case OPT_DUMP: dumps.dir = optarg; break;
        case 'h': fputs(sync_usage, stdout); return CLI_EXIT_OK;
        default: fputs(sync_usage, stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_error("sync", "expected exactly one server URL");
        fputs(sync_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    if (server_cert != NULL && ca_file != NULL) {
        cli_error("sync", "give --server-cert (pre-configured) or --ca (download), not both");
        return CLI_EXIT_USAGE;
    }
    cfg.url = argv[optind];
    char host[256];
    host_of(cfg.url, host, sizeof(host));
    cfg.host = host;

    int status = CLI_EXIT_ERROR;
    struct ct_diag diag = {0};
    struct ct_cstore *store = NULL;
    struct ct_http_client *http = NULL;
    struct ct_client *cli = NULL;
    STACK_OF(X509) *chain = NULL, *ca = NULL;
    char path[1024];
    if (dumps.dir != NULL && cli_mkdirs(dumps.dir) != 0) {
        cli_error("sync", "%s: %s", dumps.dir, strerror(errno));
        goto out;
    }
    if (cli_mkdirs(data) != 0) {
        cli_error("sync", "%s: %s", data, strerror(errno));
        goto out;
    }
    snprintf(path, sizeof(path), "%s/client.db", data);
    if (ct_cstore_open(&store, path, &diag) != CT_OK || ct_http_client_new(&http, &hc) != CT_OK) {
        cli_error("sync", "%s", diag.code != CT_OK ? diag.text : "cannot start");
        goto out;
    }
    if (add_files(store, cfg.dbs[0], adds, n_adds) != CLI_EXIT_OK)
        goto out;
    if (server_cert != NULL && ct_enc_chain_load(&chain, server_cert, &diag) != CT_OK) {
        cli_error("sync", "%s", diag.text);
        goto out;
    }
    if (ca_file != NULL) {
        if (ct_enc_chain_load(&ca, ca_file, &diag) != CT_OK ||
            download_chain(http, cfg.url, &chain, &diag) != CT_OK) {
            cli_error("sync", "%s", diag.text);
            status = CLI_EXIT_REJECTED;
            goto out;
        }
        cfg.ca = sk_X509_value(ca, 0);
    }
    cfg.server_chain = chain;
    if (ct_client_new(&cli, &cfg, store, &diag) != CT_OK) {
        cli_error("sync", "%s", diag.text);
        status = CLI_EXIT_REJECTED;
        goto out;
    }
    status = run_session(cli, http);
    if (status == CLI_EXIT_OK && ct_client_state(cli) == CT_CLIENT_REFUSED && chain != NULL && !cfg.required) {
        /* ENC-POL-2: an optional client falls back to plain, in a new session. */
        fprintf(stderr, "conftest: sync: %s; trying again without the profile\n", ct_client_error(cli));
        ct_client_free(cli);
        cli = NULL;
        cfg.server_chain = NULL;
        if (ct_client_new(&cli, &cfg, store, &diag) != CT_OK) {
            cli_error("sync", "%s", diag.text);
            status = CLI_EXIT_REJECTED;
            goto out;
        }
        status = run_session(cli, http);
    }
    if (status == CLI_EXIT_OK) {
        if (ct_client_state(cli) == CT_CLIENT_DONE) {
            struct ct_client_counts counts;
            ct_client_counts(cli, &counts);
            printf("conftest sync: done: %u sent, %u received%s\n", counts.sent, counts.received,
                   chain != NULL && cfg.server_chain != NULL ? " (encrypted)" : "");
        } else {
            cli_error("sync", "%s", ct_client_error(cli));
            status = CLI_EXIT_REJECTED;
        }
    }
    if (list)
        list_items(store, &cfg);
    if (export_dir != NULL && export_items(store, &cfg, export_dir) != 0 && status == CLI_EXIT_OK)
        status = CLI_EXIT_ERROR;
out:
    ct_client_free(cli);
    ct_http_client_free(http);
    ct_cstore_close(store);
    ct_enc_chain_free(chain);
    ct_enc_chain_free(ca);
    return status;
}
