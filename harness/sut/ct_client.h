/*
 * ct_client: the reference SyncML DS 1.2 client, without I/O: it produces the message to send
 * and consumes the reply, until the session is over.
 *
 * It syncs a local ct_cstore against any server: basic or md5 authentication with challenges,
 * DevInf, two-way, slow, one-way and refresh syncs with anchors, Add/Replace/Delete both ways
 * (a change the server does not acknowledge with 2xx stays pending for the next sync), Map,
 * packages over several messages under the server's MaxMsgSize, large objects; and the
 * encryption profile from the client side (checking the server certificate, the offer, key
 * wrapping, sealing, opening, checking the selection). Seeded client bugs switch defects on.
 *
 *   ct_client_start(c, &msg)                 the first message (Pkg#1)
 *   while (!done) {
 *       post msg to ct_client_url(c), read the reply
 *       ct_client_receive(c, reply, &msg, &done)
 *   }
 *   ct_client_outcome(c)                     how it ended
 */
#ifndef CT_CLIENT_H
#define CT_CLIENT_H

#include "base/ct_buf.h"
#include "crypto/ct_enc_kt.h"
#include "syncml/ct_auth.h"
#include "syncml/ct_msg.h"
#include "sut/ct_bugs.h"
#include "sut/ct_store.h"

#include <openssl/x509.h>
#include <stdio.h>

#define CT_CLIENT_MAX_DBS 8

struct ct_client_config {
    const char *url;               /* the server's URL */
    const char *user;
    const char *password;
    enum ct_auth_type auth;        /* what to send first: CT_AUTH_BASIC or CT_AUTH_MD5 */
    const char *device_id;
    const char *dbs[CT_CLIENT_MAX_DBS];        /* local database names */
    const char *remote_dbs[CT_CLIENT_MAX_DBS]; /* the server's names (NULL: the same) */
    size_t n_dbs;
    int mode;                      /* the sync type asked for: 200 (two-way) .. 205 */
    enum ct_enc encoding;          /* CT_ENC_XML or CT_ENC_WBXML */
    unsigned long max_msg_size;
    unsigned long max_obj_size;
    struct ct_limits limits;

    /* The encryption profile: on when server_chain is set. */
    STACK_OF(X509) *server_chain;  /* the server certificate first (borrowed) */
    X509 *ca;                      /* download mode: validate the chain against it (NULL:
                                      pre-configured certificate) */
    const char *host;              /* download mode: the name the certificate must carry */
    uint8_t algs[16];              /* offered algorithms (ids), most preferred first */
    size_t n_algs;
    enum ct_enc_kt kt;
    unsigned parts;
    bool required;                 /* policy: no session without the profile */

    struct ct_bugs bugs;
    uint64_t (*now)(void *ctx);
    void *now_ctx;
    FILE *log;
    /* For fuzz targets and tests only: the session key K to use instead of a random one, so
     * that a harness can seal the server's side of a session (NULL in every real use). */
    const uint8_t *test_key;
};

/* ct_client_config_default: test/test, md5, contacts, two-way, XML, MaxMsgSize 64 KiB,
 * MaxObjSize 4 MiB; profile off; when on: aes256-gcm then aes128-gcm, rsa-oaep-sha256, all
 * parts, policy required. */
void ct_client_config_default(struct ct_client_config *cfg);

struct ct_client;

enum ct_client_state {
    CT_CLIENT_RUNNING,
    CT_CLIENT_DONE,     /* the session completed: local and server data are in step */
    CT_CLIENT_REFUSED,  /* the server refused the offer (406) or does not know the profile */
    CT_CLIENT_FAILED,   /* anything else: ct_client_error says what */
};

/*
 * ct_client_new makes a client on a store (borrowed). In the profile, the certificate is
 * checked here (ENC-CERT-1/2). Fails with diag for a refused certificate, or for a server this
 * client has been pinned to (ENC-POL-3) when the profile is off.
 */
int ct_client_new(struct ct_client **out, const struct ct_client_config *cfg,
                  struct ct_cstore *store, struct ct_diag *diag);
void ct_client_free(struct ct_client *c);

/* ct_client_start writes Pkg#1 to out and its content type to *type. */
int ct_client_start(struct ct_client *c, struct ct_buf *out, const char **type);

/*
 * ct_client_receive consumes a reply and writes the next message to out (nothing when the
 * session is over: *done). A reply the client cannot accept ends the session as FAILED or
 * REFUSED; that is not an error return. Returns 0 or CT_ERR_NOMEM/CT_ERR_IO.
 */
int ct_client_receive(struct ct_client *c, const uint8_t *body, size_t len, const char *type,
                      struct ct_buf *out, bool *done);

/* Where to post the next message: the last RespURI, else the configured URL. */
const char *ct_client_url(const struct ct_client *c);

enum ct_client_state ct_client_state(const struct ct_client *c);
const char *ct_client_error(const struct ct_client *c);

/* What the session moved: changes sent to and received from the server. */
struct ct_client_counts {
    unsigned sent;
    unsigned received;
};
void ct_client_counts(const struct ct_client *c, struct ct_client_counts *out);

/* The Last and Next anchors the server sent in its Alert for local database db ("" when it
 * sent none; valid until ct_client_free). CT_ERR_MISSING when db is not synced. */
int ct_client_server_anchors(const struct ct_client *c, const char *db, const char **last,
                             const char **next);

#endif
