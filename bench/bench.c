/*
 * conftest's benchmarks (make bench): each figure beside the physical limit of the same work,
 * measured in the same run on the same machine, and their ratio. Printed as a table and
 * written to reports/bench.json. Never part of make test: timing belongs here. docs/BENCH.md
 * says what each row means and what the last run on the project's machine gave.
 *
 *   build/bench/bench [--quick] [--only fields|unwrap|parse|sessions|http] [--conftest EXE]
 *                     [--json FILE] [--row 'NAME|FIGURE|LIMIT|UNIT|TARGET|NOTE']...
 *
 * 1. field decryption (base64 + AES-GCM, AES-CBC+HMAC, 3DES) against raw EVP of the cipher,
 *    and against OpenSSL's base64 decoding of the text plus the raw cipher;
 * 2. key unwrap (RSA-2048 OAEP-SHA256 with the profile's checks) against raw EVP_PKEY_decrypt;
 * 3. parsing SyncML XML and WBXML into the model against libxml2's xmlReadMemory and
 *    libwbxml's own decoder; WBXML encoding and decoding at 128 KiB and 1 MiB (linear?);
 * 4. whole encrypted Pkg#1-6 sessions in process, against the floor of one RSA-2048 private
 *    key operation plus libxml2 parsing the session's own messages; and over loopback HTTP
 *    (the engine against `conftest serve`), with the CPU split between harness and SUT.
 * The suite's wall time and the fuzz targets' exec/s are measured by bench/run.sh around this
 * and handed in as --row lines (TARGET "<=N" is a ceiling).
 */
#define _POSIX_C_SOURCE 200809L
#include "base/ct_b64.h"
#include "base/ct_buf.h"
#include "base/ct_fs.h"
#include "crypto/ct_enc.h"
#include "crypto/ct_enc_cert.h"
#include "crypto/ct_enc_kt.h"
#include "engine/ct_eng.h"
#include "engine/ct_sut.h"
#include "scn/ct_scn.h"
#include "sut/ct_loop.h"
#include "sut/ct_store.h"
#include "syncml/ct_msg.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <wbxml/wbxml.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double budget = 0.5; /* seconds per measurement (--quick: 0.1) */

/*
 * Run fn(ctx) repeatedly for the budget; returns calls per second. The budget is cut into five
 * slices and the best slice counts: on a shared machine noise only ever slows a slice down, so
 * the best one is the closest to what the code can do, for the figure and its limit alike.
 */
static double rate(int (*fn)(void *), void *ctx)
{
    double best = 0;
    for (int slice = 0; slice < 5; slice++) {
        unsigned long n = 0;
        double t0 = now(), t;
        do {
            if (fn(ctx) != 0) {
                fprintf(stderr, "bench: a measured call failed\n");
                exit(3);
            }
            n++;
            t = now() - t0;
        } while (t < budget / 5);
        if ((double)n / t > best)
            best = (double)n / t;
    }
    return best;
}

/* ---- results: a table and JSON ---- */

struct row {
    char name[80];
    double figure, limit;
    char unit[16];
    double target;    /* the ratio asked for (0: none) */
    bool at_most;     /* the target is a ceiling: ratio <= target (a time, a share of CPU) */
    char note[160];
};
static struct row rows[64];
static size_t n_rows;

static void add_row(const char *name, double figure, double limit, const char *unit, double target, bool at_most,
                    const char *note)
{
    if (n_rows == sizeof(rows) / sizeof(rows[0]))
        return;
    struct row *r = &rows[n_rows++];
    snprintf(r->name, sizeof(r->name), "%s", name);
    r->figure = figure;
    r->limit = limit;
    snprintf(r->unit, sizeof(r->unit), "%s", unit);
    r->target = target;
    r->at_most = at_most;
    snprintf(r->note, sizeof(r->note), "%s", note != NULL ? note : "");
    double ratio = limit > 0 ? figure / limit : 0;
    const char *verdict = "";
    if (target > 0 && at_most)
        verdict = ratio <= target ? "  ok" : "  ABOVE TARGET";
    else if (target > 0)
        verdict = ratio >= target ? "  ok" : "  BELOW TARGET";
    printf("%-44s %12.1f %12.1f %-8s %6.2f%s\n", name, figure, limit, unit, ratio, verdict);
    fflush(stdout);
}

/* A figure that should reach target x its limit (0: no target). */
static void add(const char *name, double figure, double limit, const char *unit, double target, const char *note)
{
    add_row(name, figure, limit, unit, target, false, note);
}

/* reports/bench.json, through jansson (names and notes are free text). */
static void write_json(const char *path)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n_rows; i++) {
        const struct row *r = &rows[i];
        json_array_append_new(list, json_pack("{s:s, s:f, s:f, s:s, s:f, s:f, s:b, s:s}", "name", r->name, "figure",
                                              r->figure, "limit", r->limit, "unit", r->unit, "ratio",
                                              r->limit > 0 ? r->figure / r->limit : 0.0, "target", r->target,
                                              "target_is_ceiling", r->at_most, "note", r->note));
    }
    json_t *doc = json_pack("{s:f, s:o}", "budget_seconds", budget, "rows", list);
    if (doc == NULL || json_dump_file(doc, path, JSON_INDENT(2)) != 0)
        fprintf(stderr, "bench: cannot write %s\n", path);
    json_decref(doc);
}

/* ---- 1. field decryption ---- */

struct field_ctx {
    struct ct_enc_session s;
    struct ct_enc_aad aad;
    char *b64;
    struct ct_buf out;
};

static int field_open(void *p)
{
    struct field_ctx *c = p;
    ct_buf_reset(&c->out);
    /* The same field again: GCM refuses a nonce it accepted before (ENC-BIND-5) and 3DES counts
     * its budget (ENC-ALG-4), so both counters go back to where a first opening finds them. */
    c->s.dir[CT_ENC_C2S].accepted = 0;
    c->s.dir[CT_ENC_C2S].blocks = 0;
    c->s.dir[CT_ENC_C2S].exhausted = false;
    return ct_enc_open(&c->s, &c->aad, c->b64, &c->out);
}

struct raw_ctx {
    EVP_CIPHER *cipher; /* fetched once, as `openssl speed -evp` does */
    EVP_MAC *hmac;      /* NULL for GCM */
    bool gcm;
    uint8_t key[32], iv[16], tag[16];
    uint8_t *in, *out;
    size_t n;
};

/* The raw work of one field: the cipher over n bytes and, for the CBC+HMAC algorithms, the
 * HMAC-SHA256 over them: the algorithm is the pair, so its raw speed is the pair's. */
static int raw_decrypt(void *p)
{
    struct raw_ctx *c = p;
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int len = 0, ok = x != NULL && EVP_DecryptInit_ex(x, c->cipher, NULL, c->key, c->iv) == 1;
    EVP_CIPHER_CTX_set_padding(x, 0);
    ok = ok && EVP_DecryptUpdate(x, c->out, &len, c->in, (int)c->n) == 1;
    if (c->gcm) /* the tag is not the encryption's: the check runs, its verdict is ignored */
        EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, 16, c->tag), EVP_DecryptFinal_ex(x, c->out + len, &len);
    EVP_CIPHER_CTX_free(x);
    if (c->hmac != NULL) {
        uint8_t mac[32];
        size_t mac_len = 0;
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0), OSSL_PARAM_construct_end()};
        EVP_MAC_CTX *m = EVP_MAC_CTX_new(c->hmac);
        ok = ok && m != NULL && EVP_MAC_init(m, c->key, 32, params) == 1 && EVP_MAC_update(m, c->in, c->n) == 1 &&
             EVP_MAC_final(m, mac, &mac_len, sizeof(mac)) == 1;
        EVP_MAC_CTX_free(m);
    }
    return ok ? 0 : 1;
}

struct b64_ctx {
    const char *text;
    size_t len;
    uint8_t *out;
};

static int b64_raw(void *p)
{
    struct b64_ctx *c = p;
    return EVP_DecodeBlock(c->out, (const unsigned char *)c->text, (int)c->len) < 0;
}

static void bench_fields(void)
{
    static const struct {
        const char *alg;
        const char *evp;
        bool gcm;
    } algs[] = {
        {"aes256-gcm", "aes-256-gcm", true},
        {"aes128-cbc-hs256", "aes-128-cbc", false},
        {"3des-cbc-hs256", "des-ede3-cbc", false},
    };
    /* The sealed field is base64 text inside the XML: decoding it is part of opening a field
     * and no cipher speed includes it. OpenSSL's decoder is the bound on that part. */
    static const size_t sizes[] = {64, 1024, 16384};
    for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
        for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
            size_t n = sizes[z];
            struct field_ctx c;
            memset(&c, 0, sizeof(c));
            uint8_t k[CT_ENC_KEY_LEN];
            memset(k, 0x5a, sizeof(k));
            struct ct_enc_binding b = {"syncml-enc/1 alg=aes256-gcm", "1", "bench-device"};
            const struct ct_enc_alg *alg = ct_enc_alg_by_name(algs[a].alg, strlen(algs[a].alg));
            if (alg == NULL || ct_enc_session_init(&c.s, alg, CT_ENC_PART_DATA, k, &b, NULL) != CT_OK) {
                fprintf(stderr, "bench: %s: no session\n", algs[a].alg);
                exit(3);
            }
            c.aad = (struct ct_enc_aad){CT_ENC_C2S, CT_ENC_PART_DATA, "1", "2", "3", "contacts", "luid-1"};
            uint8_t *pt = malloc(n);
            memset(pt, 'v', n);
            struct ct_buf sealed;
            ct_buf_init(&sealed, 1 << 20);
            ct_buf_init(&c.out, 1 << 20);
            if (ct_enc_seal(&c.s, &c.aad, pt, n, &sealed) != CT_OK || ct_buf_append(&sealed, "", 1) != CT_OK) {
                fprintf(stderr, "bench: seal failed\n");
                exit(3);
            }
            c.b64 = (char *)sealed.data;
            double ours = rate(field_open, &c) * (double)n / 1e6;

            struct raw_ctx r = {.cipher = EVP_CIPHER_fetch(NULL, algs[a].evp, NULL),
                                .hmac = algs[a].gcm ? NULL : EVP_MAC_fetch(NULL, "HMAC", NULL),
                                .gcm = algs[a].gcm,
                                .n = n};
            if (r.cipher == NULL || (!algs[a].gcm && r.hmac == NULL)) {
                fprintf(stderr, "bench: %s: OpenSSL has no such cipher\n", algs[a].evp);
                exit(3);
            }
            r.in = malloc(n + 32);
            r.out = malloc(n + 32);
            memset(r.in, 0x11, n + 32);
            double raw = rate(raw_decrypt, &r) * (double)n / 1e6;
            char name[80];
            snprintf(name, sizeof(name), "field open %s %zu B", algs[a].alg, n);
            bool aes = strncmp(algs[a].alg, "aes", 3) == 0;
            add(name, ours, raw, "MB/s", aes && n == 16384 ? 0.7 : 0,
                algs[a].gcm ? "limit: raw EVP decrypt, same cipher and size" : "limit: raw EVP decrypt + HMAC-SHA256, same size");
            if (n == 16384) {
                /* The same field against everything that must be done to open it: OpenSSL's
                 * base64 decode of its text, then the raw cipher. */
                struct b64_ctx bc = {c.b64, strlen(c.b64), malloc(strlen(c.b64))};
                double b64 = rate(b64_raw, &bc) * (double)n / 1e6;
                double floor_rate = 1.0 / (1.0 / b64 + 1.0 / raw);
                snprintf(name, sizeof(name), "  same, vs base64 decode + raw cipher");
                add(name, ours, floor_rate, "MB/s", 0, "limit: EVP_DecodeBlock of the text, then the raw work above");
                free(bc.out);
            }
            EVP_CIPHER_free(r.cipher);
            EVP_MAC_free(r.hmac);
            free(r.in);
            free(r.out);
            free(pt);
            ct_buf_cleanup(&sealed);
            ct_buf_cleanup(&c.out);
            ct_enc_session_wipe(&c.s);
        }
    }
}

/* ---- 2. key unwrap ---- */

struct unwrap_ctx {
    EVP_PKEY *key;
    struct ct_buf wrapped;
    uint64_t t;
};

static int unwrap(void *p)
{
    struct unwrap_ctx *c = p;
    uint8_t k[CT_ENC_KEY_LEN];
    return ct_enc_unwrap(k, c->key, CT_ENC_KT_OAEP_SHA256, c->wrapped.data, c->wrapped.len, c->t, NULL);
}

static int raw_rsa(void *p)
{
    struct unwrap_ctx *c = p;
    EVP_PKEY_CTX *x = EVP_PKEY_CTX_new(c->key, NULL);
    uint8_t out[512];
    size_t n = sizeof(out);
    int ok = x != NULL && EVP_PKEY_decrypt_init(x) == 1 && EVP_PKEY_CTX_set_rsa_padding(x, RSA_PKCS1_OAEP_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(x, EVP_sha256()) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(x, EVP_sha256()) == 1 &&
             EVP_PKEY_decrypt(x, out, &n, c->wrapped.data, c->wrapped.len) == 1;
    EVP_PKEY_CTX_free(x);
    return ok ? 0 : 1;
}

static double bench_unwrap(EVP_PKEY *key)
{
    struct unwrap_ctx c = {.key = key, .t = (uint64_t)time(NULL)};
    ct_buf_init(&c.wrapped, 4096);
    uint8_t k[CT_ENC_KEY_LEN];
    memset(k, 7, sizeof(k));
    if (ct_enc_wrap(&c.wrapped, key, CT_ENC_KT_OAEP_SHA256, k, c.t) != CT_OK) {
        fprintf(stderr, "bench: wrap failed\n");
        exit(3);
    }
    double ours = rate(unwrap, &c), raw = rate(raw_rsa, &c);
    add("key unwrap RSA-2048 OAEP-SHA256", ours, raw, "ops/s", 0.9, "limit: raw EVP_PKEY_decrypt, same key");
    ct_buf_cleanup(&c.wrapped);
    return raw;
}

/* ---- 3. parsing and encoding ---- */

/* A big Pkg#3: one Sync with n Adds of a 1 KiB vCard each. */
static void big_message(struct ct_buf *b, size_t n)
{
    ct_buf_append_str(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr>"
                         "<VerDTD>1.2</VerDTD><VerProto>SyncML/1.2</VerProto><SessionID>1</SessionID><MsgID>2</MsgID>"
                         "<Target><LocURI>http://127.0.0.1/sync</LocURI></Target><Source><LocURI>bench</LocURI></Source>"
                         "</SyncHdr><SyncBody><Sync><CmdID>1</CmdID><Target><LocURI>contacts</LocURI></Target>"
                         "<Source><LocURI>./contacts</LocURI></Source>");
    char note[900];
    memset(note, 'n', sizeof(note) - 1);
    note[sizeof(note) - 1] = '\0';
    for (size_t i = 0; i < n; i++)
        ct_buf_printf(b, "<Add><CmdID>%zu</CmdID><Meta><Type xmlns=\"syncml:metinf\">text/vcard</Type></Meta><Item>"
                         "<Source><LocURI>luid-%zu</LocURI></Source><Data>BEGIN:VCARD&#13;\nVERSION:3.0&#13;\n"
                         "FN:Bench %zu&#13;\nNOTE:%s&#13;\nEND:VCARD&#13;\n</Data></Item></Add>",
                      i + 2, i, i, note);
    ct_buf_append_str(b, "</Sync><Final/></SyncBody></SyncML>\n");
}

struct parse_ctx {
    const uint8_t *data;
    size_t len;
    enum ct_enc enc;
    struct ct_limits lim;
};

static int parse_ours(void *p)
{
    struct parse_ctx *c = p;
    struct ct_msg *m = NULL;
    int rc = ct_msg_parse(&m, c->data, c->len, c->enc, &c->lim, NULL);
    ct_msg_free(m);
    return rc;
}

static int parse_libxml2(void *p)
{
    struct parse_ctx *c = p;
    xmlDoc *d = xmlReadMemory((const char *)c->data, (int)c->len, NULL, NULL, XML_PARSE_NONET);
    xmlFreeDoc(d);
    return d != NULL ? 0 : 1;
}

static int decode_libwbxml(void *p)
{
    struct parse_ctx *c = p;
    WBXMLConvWBXML2XML *conv = NULL;
    WB_UTINY *xml = NULL;
    WB_ULONG len = 0;
    if (wbxml_conv_wbxml2xml_create(&conv) != WBXML_OK)
        return 1;
    WBXMLError e = wbxml_conv_wbxml2xml_run(conv, (WB_UTINY *)c->data, (WB_ULONG)c->len, &xml, &len);
    wbxml_conv_wbxml2xml_destroy(conv);
    free(xml);
    return e == WBXML_OK ? 0 : 1;
}

static void bench_parse(void)
{
    struct ct_buf xml, wb;
    ct_buf_init(&xml, 64u << 20);
    ct_buf_init(&wb, 64u << 20);
    big_message(&xml, 1000); /* about 1 MiB */
    struct parse_ctx c = {xml.data, xml.len, CT_ENC_XML, {.max_bytes = 64u << 20, .max_depth = 64}};
    double mb = (double)xml.len / 1e6;
    add("parse SyncML XML (1 MiB) into the model", rate(parse_ours, &c) * mb, rate(parse_libxml2, &c) * mb, "MB/s", 0.7,
        "limit: libxml2 xmlReadMemory of the same bytes");

    struct ct_msg *m = NULL;
    struct ct_ser_opts so = {.enc = CT_ENC_WBXML};
    if (ct_msg_parse(&m, xml.data, xml.len, CT_ENC_XML, &c.lim, NULL) != CT_OK ||
        ct_msg_serialize(m, &so, &wb, NULL) != CT_OK) {
        fprintf(stderr, "bench: no WBXML\n");
        exit(3);
    }
    struct parse_ctx w = {wb.data, wb.len, CT_ENC_WBXML, c.lim};
    double wmb = (double)wb.len / 1e6;
    add("parse SyncML WBXML into the model", rate(parse_ours, &w) * wmb, rate(decode_libwbxml, &w) * wmb, "MB/s", 0,
        "limit: libwbxml's WBXML to XML alone; ours is a bounds gate, that, then libxml2's parse of the XML");

    /* WBXML encoding and decoding at 128 KiB and 1 MiB: linear when the time per byte stays
     * the same (well, within what the caches allow). */
    double enc_per_byte[2], dec_per_byte[2];
    size_t counts[2] = {125, 1000};
    for (int i = 0; i < 2; i++) {
        struct ct_buf x2, o;
        ct_buf_init(&x2, 64u << 20);
        ct_buf_init(&o, 64u << 20);
        big_message(&x2, counts[i]);
        struct ct_msg *mm = NULL;
        ct_msg_parse(&mm, x2.data, x2.len, CT_ENC_XML, &c.lim, NULL);
        double t0 = now();
        int reps = 0;
        do {
            ct_buf_reset(&o);
            ct_msg_serialize(mm, &so, &o, NULL);
            reps++;
        } while (now() - t0 < budget);
        double t = (now() - t0) / reps;
        enc_per_byte[i] = t / (double)x2.len;
        char name[80];
        snprintf(name, sizeof(name), "encode WBXML %zu KiB: ms", x2.len >> 10);
        add_row(name, t * 1e3, 1000.0, "ms", 0.1, true, "limit: 1 s (issue 9: well under a second)");
        struct parse_ctx wc = {o.data, o.len, CT_ENC_WBXML, c.lim};
        t = 1.0 / rate(parse_ours, &wc);
        dec_per_byte[i] = t / (double)x2.len;
        snprintf(name, sizeof(name), "decode WBXML %zu KiB into the model: ms", x2.len >> 10);
        add_row(name, t * 1e3, 1000.0, "ms", 0.1, true, "limit: 1 s (issue 9: well under a second)");
        ct_msg_free(mm);
        ct_buf_cleanup(&x2);
        ct_buf_cleanup(&o);
    }
    add("WBXML encode, time per byte: 1 MiB / 128 KiB", enc_per_byte[1] * 1e9, enc_per_byte[0] * 1e9, "ns/B", 0,
        "1.0 is linear (sizes of the XML form)");
    add("WBXML decode, time per byte: 1 MiB / 128 KiB", dec_per_byte[1] * 1e9, dec_per_byte[0] * 1e9, "ns/B", 0,
        "1.0 is linear (sizes of the XML form)");
    ct_msg_free(m);
    ct_buf_cleanup(&xml);
    ct_buf_cleanup(&wb);
}

/* ---- 4. sessions ---- */

/*
 * A session of the in-process reference: a client and a server through the real encoders,
 * the profile on (RSA-2048 key transport, AES-256-GCM fields). In the standing case the server
 * and the two stores live across sessions, as a deployed server does, and each side adds one
 * item before each session, so every session is a full Pkg#1-6 exchange: offer and
 * credentials, a Sync each way with one Add, the client's Map and its answer. In the fresh
 * case every session makes a new server and opens new stores (what a scenario run does): a
 * slow sync.
 */
struct session_ctx {
    EVP_PKEY *key;
    STACK_OF(X509) *chain;
    struct ct_sstore *ss;  /* standing stores and server, or NULL: fresh ones per session */
    struct ct_cstore *cs;
    struct ct_server *srv;
    struct recording *rec; /* NULL, or where the session's messages are copied */
};

static void session_configs(const struct session_ctx *c, struct ct_server_config *scfg, struct ct_client_config *ccfg)
{
    ct_server_config_default(scfg);
    ct_client_config_default(ccfg);
    ccfg->url = scfg->url;
    scfg->key = c->key;
    scfg->chain = c->chain;
    ccfg->server_chain = c->chain;
}

static const char bench_item[] = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bench\r\nEND:VCARD\r\n";

/* The messages of one session, copied as ct_loop carries them: the floor is measured on
 * these bytes, not on a stand-in. */
#define SESSION_MSGS 16
struct recording {
    struct ct_buf msgs[SESSION_MSGS];
    size_t n;
};

static void record(void *ctx, bool from_client, const uint8_t *data, size_t len)
{
    (void)from_client;
    struct recording *r = ctx;
    if (r->n < SESSION_MSGS) {
        ct_buf_init(&r->msgs[r->n], 0);
        ct_buf_append(&r->msgs[r->n++], data, len);
    }
}

static int one_session(void *p)
{
    struct session_ctx *c = p;
    struct ct_sstore *ss = c->ss;
    struct ct_cstore *cs = c->cs;
    struct ct_server *srv = c->srv;
    struct ct_client *cli = NULL;
    struct ct_server_config scfg;
    struct ct_client_config ccfg;
    session_configs(c, &scfg, &ccfg);
    char id[64];
    int rc = CT_OK;
    if (ss == NULL)
        rc = ct_sstore_open(&ss, ":memory:", NULL);
    if (rc == CT_OK && cs == NULL)
        rc = ct_cstore_open(&cs, ":memory:", NULL);
    if (rc == CT_OK)
        rc = ct_cstore_add(cs, "contacts", "text/vcard", (const uint8_t *)bench_item, sizeof(bench_item) - 1, id);
    if (rc == CT_OK && c->ss != NULL)
        rc = ct_sstore_add(ss, "contacts", "text/vcard", (const uint8_t *)bench_item, sizeof(bench_item) - 1, id);
    if (rc == CT_OK && srv == NULL)
        rc = ct_server_new(&srv, &scfg, ss, NULL);
    if (rc == CT_OK)
        rc = ct_client_new(&cli, &ccfg, cs, NULL);
    if (rc == CT_OK)
        rc = ct_loop_run_observed(srv, cli, c->rec != NULL ? record : NULL, c->rec, NULL);
    if (rc == CT_OK && ct_client_state(cli) != CT_CLIENT_DONE)
        rc = CT_ERR_PROTO;
    ct_client_free(cli);
    if (srv != c->srv)
        ct_server_free(srv);
    if (cs != c->cs)
        ct_cstore_close(cs);
    if (ss != c->ss)
        ct_sstore_close(ss);
    return rc;
}

static int parse_all_libxml2(void *p)
{
    struct recording *c = p;
    for (size_t i = 0; i < c->n; i++) {
        xmlDoc *d = xmlReadMemory((const char *)c->msgs[i].data, (int)c->msgs[i].len, NULL, NULL, XML_PARSE_NONET);
        if (d == NULL)
            return 1;
        xmlFreeDoc(d);
    }
    return 0;
}

static void bench_sessions(EVP_PKEY *key, STACK_OF(X509) *chain, double rsa_per_s)
{
    struct session_ctx c = {.key = key, .chain = chain};
    struct ct_server_config scfg;
    struct ct_client_config ccfg;
    session_configs(&c, &scfg, &ccfg);
    if (ct_sstore_open(&c.ss, ":memory:", NULL) != CT_OK || ct_cstore_open(&c.cs, ":memory:", NULL) != CT_OK ||
        ct_server_new(&c.srv, &scfg, c.ss, NULL) != CT_OK) {
        fprintf(stderr, "bench: no store or server\n");
        exit(3);
    }
    struct recording rec = {.n = 0};
    int rc = one_session(&c); /* the first is a slow sync */
    c.rec = &rec;
    if (rc == CT_OK)
        rc = one_session(&c);
    c.rec = NULL;
    if (rc != CT_OK || rec.n == 0) {
        fprintf(stderr, "bench: the first sessions failed\n");
        exit(3);
    }
    /* The floor: the server's one RSA-2048 private-key operation, and libxml2 parsing each
     * message of the session once (the Pkg#1-6 just recorded). */
    size_t bytes = 0;
    for (size_t i = 0; i < rec.n; i++)
        bytes += rec.msgs[i].len;
    double floor_rate = 1.0 / (1.0 / rsa_per_s + 1.0 / rate(parse_all_libxml2, &rec));
    char note[160];
    snprintf(note, sizeof(note), "limit: 1 / (one RSA-2048 decrypt + libxml2 parsing its %zu messages, %zu B); standing stores",
             rec.n, bytes);
    for (size_t i = 0; i < rec.n; i++)
        ct_buf_cleanup(&rec.msgs[i]);
    add("encrypted Pkg#1-6 sessions, in process", rate(one_session, &c), floor_rate, "sess/s", 0.5, note);
    ct_server_free(c.srv);
    ct_cstore_close(c.cs);
    ct_sstore_close(c.ss);
    struct session_ctx fresh = {.key = key, .chain = chain};
    add("  same, new stores for every session", rate(one_session, &fresh), floor_rate, "sess/s", 0,
        "as a scenario run does: two in-memory SQLite databases created per session");
}

/* ---- 4b. sessions over loopback HTTP: the CPU split ---- */

/*
 * conftest's engine, as `conftest run` drives a server SUT, runs bench/http-session.scn (the
 * profile's full Pkg#1-6 exchange, repeatable against a standing server) again and again
 * against `conftest serve` in a process of its own on 127.0.0.1. The harness's CPU is this
 * process's (getrusage), the SUT's is read from /proc/PID/stat (10 ms ticks: the run lasts
 * seconds). The ceiling: the harness at most 25% of a session's CPU.
 */
static double cpu_self(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double)r.ru_utime.tv_sec + (double)r.ru_utime.tv_usec / 1e6 + (double)r.ru_stime.tv_sec +
           (double)r.ru_stime.tv_usec / 1e6;
}

static double cpu_of(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    unsigned long ut = 0, st = 0;
    if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* A free port on 127.0.0.1 (the kernel's pick; released at once for the server to take). */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    unsigned port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static bool port_open(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* The server goes, and the scratch directory with its data. */
static void stop_server(pid_t pid, const char *scratch)
{
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    ct_fs_rmtree(scratch);
}

static void bench_http(const char *conftest, const char *vectors)
{
    char scratch[] = "/tmp/conftest-bench-XXXXXX";
    if (mkdtemp(scratch) == NULL) {
        perror("bench: mkdtemp");
        exit(3);
    }
    char data[600], item[600], conf[600], work[600], kp[1200], cp[1200], listen[32];
    snprintf(data, sizeof(data), "%s/data", scratch);
    snprintf(item, sizeof(item), "%s/item.vcf", scratch);
    snprintf(conf, sizeof(conf), "%s/sut.conf", scratch);
    snprintf(work, sizeof(work), "%s/work", scratch);
    snprintf(kp, sizeof(kp), "%s/pki/server-2048.key", vectors);
    snprintf(cp, sizeof(cp), "%s/pki/server-2048.pem", vectors);
    unsigned port = free_port();
    snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
    char *cwd = getcwd(NULL, 0);
    FILE *f = fopen(item, "w");
    FILE *g = fopen(conf, "w");
    if (f == NULL || g == NULL || cwd == NULL || port == 0) {
        fprintf(stderr, "bench: cannot set up the HTTP session bench in %s\n", scratch);
        stop_server(0, scratch);
        exit(3);
    }
    fputs("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Server Item 1\r\nEND:VCARD\r\n", f);
    fclose(f);
    fprintf(g, "name conftest serve (make bench)\nrole server\nurl http://%s/sync\nuser test\npassword test\n"
               "db contacts\ndevice-id bench-client-1\nclaims ds ds.auth.basic enc enc.aes256-gcm "
               "enc.rsa-oaep-sha256\ntimeout 10s\nserver-cert %s%s%s\n",
            listen, cp[0] == '/' ? "" : cwd, cp[0] == '/' ? "" : "/", cp);
    fclose(g);

    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(conftest, conftest, "serve", "--listen", listen, "--data", data, "--auth", "basic", "--add", item,
              "--profile-key", kp, "--profile-cert", cp, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100 && !port_open(port); i++) /* up to 5 s for the server to listen */
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    struct ct_diag d = {0};
    struct ct_sut_config *sut = NULL;
    struct ct_scn *scn = NULL;
    if (pid < 0 || !port_open(port) || ct_sut_load(&sut, conf, &d) != CT_OK ||
        ct_scn_load(&scn, "bench/http-session.scn", &d) != CT_OK) {
        fprintf(stderr, "bench: the HTTP session bench cannot start: %s\n", d.text[0] ? d.text : "conftest serve did not listen");
        stop_server(pid, scratch);
        exit(3);
    }
    struct ct_eng_config ec = {.sut = sut, .ref_exe = conftest, .vectors = vectors, .workdir = work, .timeout_ms = 10000};
    unsigned long n = 0;
    double t0 = 0, c0 = 0, s0 = 0;
    double span = budget * 6 > 1.5 ? budget * 6 : 1.5; /* the SUT's CPU is read in 10 ms ticks */
    for (;;) {
        if (n == 1) { /* the first session (a slow sync, the server's first DevInf) is not counted */
            t0 = now();
            c0 = cpu_self();
            s0 = cpu_of(pid);
        }
        if (n > 1 && now() - t0 >= span)
            break;
        struct ct_result res = {0};
        if (mkdir(work, 0700) != 0 || ct_eng_run(scn, &ec, &res) != CT_OK || res.verdict != CT_VERDICT_PASS) {
            fprintf(stderr, "bench: an HTTP session did not pass: %s %s\n", res.where ? res.where : "",
                    res.reason ? res.reason : res.actual ? res.actual : "");
            stop_server(pid, scratch);
            exit(3);
        }
        ct_result_cleanup(&res);
        ct_fs_rmtree(work);
        n++;
    }
    double wall = now() - t0, harness = cpu_self() - c0, s1 = cpu_of(pid), server = s1 - s0;
    double sessions = (double)(n - 1) / wall;
    stop_server(pid, scratch);
    if (s0 < 0 || s1 < 0 || server <= 0) {
        fprintf(stderr, "bench: cannot read the CPU time of conftest serve (pid %d) in /proc\n", (int)pid);
        exit(3);
    }
    ct_scn_free(scn);
    ct_sut_free(sut);
    free(cwd);
    char note[160];
    snprintf(note, sizeof(note), "engine + conftest serve on loopback; per session: harness %.2f ms CPU, SUT %.2f ms CPU",
             harness * 1e3 / (double)(n - 1), server * 1e3 / (double)(n - 1));
    add("encrypted Pkg#1-6 sessions, loopback HTTP", sessions, 0, "sess/s", 0, note);
    add_row("  harness share of a session's CPU", 100.0 * harness / (harness + server), 25.0, "%", 1.0, true,
            "limit: 25% (issue 9); ratio at most 1 is within");
}

int main(int argc, char **argv)
{
    const char *json = "reports/bench.json";
    const char *extra[32];
    size_t n_extra = 0;
    const char *only = NULL; /* fields, unwrap, parse, sessions, http: one group (for profiling) */
    const char *conftest = "./conftest";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            budget = 0.1;
        else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
            json = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--conftest") == 0 && i + 1 < argc)
            conftest = argv[++i];
        else if (strcmp(argv[i], "--row") == 0 && i + 1 < argc)
            extra[n_extra < 32 ? n_extra++ : n_extra - 1] = argv[++i];
        else {
            fprintf(stderr, "usage: bench [--quick] [--only GROUP] [--conftest EXE] [--json FILE] [--row 'NAME|FIGURE|LIMIT|UNIT|TARGET|NOTE']...\n");
            return 2;
        }
    }
    static const char *const groups[] = {"fields", "unwrap", "parse", "sessions", "http"};
    bool known = only == NULL;
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]) && !known; i++)
        known = strcmp(only, groups[i]) == 0;
    if (!known) {
        fprintf(stderr, "bench: --only %s: the groups are fields, unwrap, parse, sessions, http\n", only);
        return 2;
    }
    xmlInitParser();
    const char *v = getenv("CONFTEST_VECTORS") != NULL ? getenv("CONFTEST_VECTORS") : "vectors";
    char kp[1024], cp[1024];
    snprintf(kp, sizeof(kp), "%s/pki/server-2048.key", v);
    snprintf(cp, sizeof(cp), "%s/pki/server-2048.pem", v);
    struct ct_diag d = {0};
    EVP_PKEY *key = ct_enc_key_load(kp, &d);
    STACK_OF(X509) *chain = NULL;
    if (key == NULL || ct_enc_chain_load(&chain, cp, &d) != CT_OK) {
        fprintf(stderr, "bench: %s\n", d.text);
        return 3;
    }
    printf("%-44s %12s %12s %-8s %6s\n", "measure", "figure", "limit", "unit", "ratio");
#define RUN(group) (only == NULL || strcmp(only, group) == 0)
    if (RUN("fields"))
        bench_fields();
    double rsa = RUN("unwrap") || RUN("sessions") ? bench_unwrap(key) : 0;
    if (RUN("parse"))
        bench_parse();
    if (RUN("sessions"))
        bench_sessions(key, chain, rsa);
    if (RUN("http"))
        bench_http(conftest, v);
    /* Figures measured around this program (bench/run.sh): the suite, the fuzz targets. */
    for (size_t i = 0; i < n_extra; i++) {
        char name[80] = "", unit[16] = "", tgt[16] = "", note[160] = "";
        double fig = 0, lim = 0;
        if (sscanf(extra[i], "%79[^|]|%lf|%lf|%15[^|]|%15[^|]|%159[^\n]", name, &fig, &lim, unit, tgt, note) >= 5) {
            bool at_most = strncmp(tgt, "<=", 2) == 0; /* TARGET "<=1": a ceiling */
            add_row(name, fig, lim, unit, strtod(tgt + (at_most ? 2 : 0), NULL), at_most, note);
        } else {
            fprintf(stderr, "bench: --row '%s' is not NAME|FIGURE|LIMIT|UNIT|TARGET|NOTE\n", extra[i]);
        }
    }
    write_json(json);
    EVP_PKEY_free(key);
    ct_enc_chain_free(chain);
    return 0;
}
