/*
 * conftest serve: the reference server over HTTP (libmicrohttpd).
 */
#include "cli/cli.h"

#include "crypto/ct_enc_cert.h"
#include "crypto/ct_enc_kt.h"
#include "serve/ct_serve.h"
#include "sut/ct_server.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char serve_usage[] =
    "usage: conftest serve [options]\n"
    "\n"
    "Run the reference SyncML DS 1.2 server (with the encryption profile when given a key and\n"
    "certificate) over HTTP until interrupted. Clients post to http://ADDR/sync; the profile's\n"
    "certificate chain is at http://ADDR/sync?syncml-enc=cert.\n"
    "\n"
    "Options:\n"
    "  --listen ADDR          IPv4 address and port (default 127.0.0.1:8080; port 0: any)\n"
    "  --data DIR             where the SQLite database lives (default ./conftest-data/server)\n"
    "  --user U, --password P the account (default test/test)\n"
    "  --auth basic|md5       the authentication it asks for (default md5)\n"
    "  --db NAME              a database (repeatable; default contacts, calendar, notes)\n"
    "  --max-msg-size BYTES   the MaxMsgSize it announces (default 65536)\n"
    "  --add FILE             store the file's content as a new item of the first database\n"
    "                         before serving (repeatable)\n"
    "  --profile-key FILE     the profile: the server's RSA private key (PEM)\n"
    "  --profile-cert FILE    the profile: its certificate chain (PEM, server first)\n"
    "  --require-profile      refuse sessions without the profile (406)\n"
    "  --kt NAME              a key transport it accepts (repeatable; default rsa-oaep-sha256)\n"
    "  --alg NAME             an algorithm it accepts (repeatable, preferred first; default\n"
    "                         aes256-gcm, aes128-gcm and the CBC-HS256 modes)\n"
    "  --tls-cert FILE, --tls-key FILE  serve HTTPS with this certificate and key\n"
    "  --bug NAME             switch a seeded bug on (repeatable; see --list-bugs)\n"
    "  --list-bugs            print the seeded bugs, one per line, and exit\n"
    "  --log                  print a summary of every message on standard error\n"
    "  --dump DIR             write every message as received and sent to DIR (NNN-c2s.xml, ...)\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit codes: 0 stopped by a signal, 2 usage error, 3 cannot listen or open the data.\n";

enum {
    OPT_LISTEN = OPT_FIRST_PRIVATE, OPT_DATA, OPT_USER, OPT_PASSWORD, OPT_AUTH, OPT_DB, OPT_MSGSIZE,
    OPT_PKEY, OPT_PCERT, OPT_REQUIRE, OPT_TLS_CERT, OPT_TLS_KEY, OPT_BUG, OPT_LIST_BUGS, OPT_LOG,
    OPT_DUMP, OPT_ADD, OPT_ALG, OPT_KT,
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* --dump: every message, through the server's tap. */
static void tap_dump(void *ctx, bool c2s, const void *data, size_t len, const char *content_type)
{
    cli_dump_write(ctx, "serve", c2s ? "c2s" : "s2c", data, len, content_type);
}

static char *read_text(const char *path)
{
    struct ct_buf b;
    ct_buf_init(&b, 1 << 20);
    if (ct_buf_read_file(&b, path) != CT_OK) {
        ct_buf_cleanup(&b);
        return NULL;
    }
    return (char *)ct_buf_steal(&b, NULL);
}

int cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"data", required_argument, NULL, OPT_DATA},
        {"user", required_argument, NULL, OPT_USER},
        {"password", required_argument, NULL, OPT_PASSWORD},
        {"auth", required_argument, NULL, OPT_AUTH},
        {"db", required_argument, NULL, OPT_DB},
        {"max-msg-size", required_argument, NULL, OPT_MSGSIZE},
        {"profile-key", required_argument, NULL, OPT_PKEY},
        {"profile-cert", required_argument, NULL, OPT_PCERT},
        {"require-profile", no_argument, NULL, OPT_REQUIRE},
        {"tls-cert", required_argument, NULL, OPT_TLS_CERT},
        {"tls-key", required_argument, NULL, OPT_TLS_KEY},
        {"bug", required_argument, NULL, OPT_BUG},
        {"list-bugs", no_argument, NULL, OPT_LIST_BUGS},
        {"log", no_argument, NULL, OPT_LOG},
        {"dump", required_argument, NULL, OPT_DUMP},
        {"add", required_argument, NULL, OPT_ADD},
        {"alg", required_argument, NULL, OPT_ALG},
        {"kt", required_argument, NULL, OPT_KT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct ct_server_config cfg;
    ct_server_config_default(&cfg);
    const char *listen = "127.0.0.1:8080", *data = "conftest-data/server";
    const char *pkey = NULL, *pcert = NULL, *tls_cert = NULL, *tls_key = NULL, *dump_dir = NULL;
    bool dbs_given = false, algs_given = false, kts_given = false;
    const char *adds[256];
    size_t n_adds = 0;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case OPT_LISTEN: listen = optarg; break;
        case OPT_DATA: data = optarg; break;
        case OPT_USER: cfg.user = optarg; break;
        case OPT_PASSWORD: cfg.password = optarg; break;
        case OPT_AUTH:
            cfg.auth = ct_auth_type_of(strcmp(optarg, "md5") == 0 ? CT_AUTH_URI_MD5
                                       : strcmp(optarg, "basic") == 0 ? CT_AUTH_URI_BASIC : "");
            if (cfg.auth != CT_AUTH_MD5 && cfg.auth != CT_AUTH_BASIC) {
                cli_error("serve", "--auth: '%s' is not basic or md5", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_DB:
            if (!dbs_given)
                cfg.n_dbs = 0;
            dbs_given = true;
            if (cfg.n_dbs == CT_SERVER_MAX_DBS) {
                cli_error("serve", "at most %d databases", CT_SERVER_MAX_DBS);
                return CLI_EXIT_USAGE;
            }
            cfg.dbs[cfg.n_dbs++] = optarg;
            break;
        case OPT_MSGSIZE: {
            char *end = NULL;
            unsigned long v = strtoul(optarg, &end, 10);
            if (end == optarg || *end != '\0' || v < 1024) {
                cli_error("serve", "--max-msg-size: '%s' is not a size of at least 1024", optarg);
                return CLI_EXIT_USAGE;
            }
            cfg.max_msg_size = v;
            break;
        }
        case OPT_PKEY: pkey = optarg; break;
        case OPT_PCERT: pcert = optarg; break;
        case OPT_REQUIRE: cfg.policy.required = true; break;
        case OPT_KT: {
            enum ct_enc_kt kt = ct_enc_kt_by_name(optarg, strlen(optarg));
            if (kt == CT_ENC_KT_UNKNOWN) {
                cli_error("serve", "--kt: '%s' is not a key transport of the profile", optarg);
                return CLI_EXIT_USAGE;
            }
            if (!kts_given)
                cfg.policy.kts = 0;
            kts_given = true;
            cfg.policy.kts |= 1u << kt;
            break;
        }
        case OPT_ALG: {
            const struct ct_enc_alg *a = ct_enc_alg_by_name(optarg, strlen(optarg));
            if (a == NULL || a->grade == CT_ENC_INSECURE) {
                cli_error("serve", "--alg: '%s' is not an algorithm of the profile it may accept", optarg);
                return CLI_EXIT_USAGE;
            }
            if (!algs_given)
                cfg.policy.n_algs = 0;
            algs_given = true;
            if (cfg.policy.n_algs < CT_ENC_MAX_ALGS)
                cfg.policy.algs[cfg.policy.n_algs++] = a->id;
            break;
        }
        case OPT_TLS_CERT: tls_cert = optarg; break;
        case OPT_TLS_KEY: tls_key = optarg; break;
        case OPT_BUG: {
            const struct ct_bug_info *b = ct_bug_by_name(optarg);
            if (b == NULL || strcmp(b->role, "server") != 0) {
                cli_error("serve", "--bug: '%s' is not a server bug (see --list-bugs)", optarg);
                return CLI_EXIT_USAGE;
            }
            ct_bug_set(&cfg.bugs, b->bug);
            break;
        }
        case OPT_LIST_BUGS: {
            unsigned n;
            const struct ct_bug_info *t = ct_bug_table(&n);
            for (unsigned i = 0; i < n; i++)
                printf("%-20s %-6s %s -- %s\n", t[i].name, t[i].role, t[i].rule, t[i].what);
            return CLI_EXIT_OK;
        }
        case OPT_LOG: cfg.log = stderr; break;
        case OPT_DUMP: dump_dir = optarg; break;
        case OPT_ADD:
            if (n_adds == sizeof(adds) / sizeof(adds[0])) {
                cli_error("serve", "--add: at most %zu files", n_adds);
                return CLI_EXIT_USAGE;
            }
            adds[n_adds++] = optarg;
            break;
        case 'h': fputs(serve_usage, stdout); return CLI_EXIT_OK;
        default: fputs(serve_usage, stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("serve", "unexpected argument '%s'", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if ((pkey == NULL) != (pcert == NULL) || (tls_cert == NULL) != (tls_key == NULL)) {
        cli_error("serve", "give --profile-key with --profile-cert, and --tls-cert with --tls-key");
        return CLI_EXIT_USAGE;
    }
    if (cfg.policy.required && pkey == NULL) {
        cli_error("serve", "--require-profile needs --profile-key and --profile-cert");
        return CLI_EXIT_USAGE;
    }

    int status = CLI_EXIT_ERROR;
    struct ct_diag diag = {0};
    EVP_PKEY *key = NULL;
    STACK_OF(X509) *chain = NULL;
    struct ct_sstore *store = NULL;
    struct cli_dump dumps = {0};
    struct ct_serve *serve = NULL;
    char *tls_cert_pem = NULL, *tls_key_pem = NULL;
    if (pkey != NULL) {
        key = ct_enc_key_load(pkey, &diag);
        if (key == NULL || ct_enc_chain_load(&chain, pcert, &diag) != CT_OK) {
            cli_error("serve", "%s", diag.text);
            goto out;
        }
        cfg.key = key;
        cfg.chain = chain;
    }
    if (tls_cert != NULL) {
        tls_cert_pem = read_text(tls_cert);
        tls_key_pem = read_text(tls_key);
        if (tls_cert_pem == NULL || tls_key_pem == NULL) {
            cli_error("serve", "cannot read %s or %s", tls_cert, tls_key);
            goto out;
        }
    }
    char path[1024];
    const char *dirs[] = {data, dump_dir};
    for (size_t i = 0; i < 2; i++) {
        if (dirs[i] != NULL && cli_mkdirs(dirs[i]) != 0) {
            cli_error("serve", "%s: %s", dirs[i], strerror(errno));
            goto out;
        }
    }
    dumps.dir = dump_dir;
    snprintf(path, sizeof(path), "%s/server.db", data);
    if (ct_sstore_open(&store, path, &diag) != CT_OK) {
        cli_error("serve", "%s", diag.text);
        goto out;
    }
    for (size_t i = 0; i < n_adds; i++) {
        struct ct_buf b;
        ct_buf_init(&b, 16 << 20);
        char guid[32];
        int rc = ct_buf_read_file(&b, adds[i]);
        if (rc == CT_OK)
            rc = ct_sstore_add(store, cfg.dbs[0], "text/vcard", b.data, b.len, guid);
        ct_buf_cleanup(&b);
        if (rc != CT_OK) {
            cli_error("serve", "--add %s: %s", adds[i], rc == CT_ERR_IO ? strerror(errno) : ct_strerror(rc));
            goto out;
        }
    }
    struct ct_serve_config sc = {.listen = listen, .tls_cert_pem = tls_cert_pem, .tls_key_pem = tls_key_pem,
                                 .tap = dump_dir != NULL ? tap_dump : NULL, .tap_ctx = &dumps};
    if (ct_serve_start(&serve, &sc, &cfg, store, &diag) != CT_OK) {
        cli_error("serve", "%s", diag.text);
        goto out;
    }
    const char *url = ct_serve_url(serve);
    printf("conftest serve: listening on %s (data in %s%s)\n", url, data,
           key != NULL ? ", encryption profile on" : "");
    fflush(stdout);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    while (!stop)
        pause();
    status = CLI_EXIT_OK;
out:
    ct_serve_stop(serve);
    ct_sstore_close(store);
    ct_enc_chain_free(chain);
    EVP_PKEY_free(key);
    free(tls_cert_pem);
    free(tls_key_pem);
    return status;
}
