/*
 * ct_server: the reference SyncML DS 1.2 server, without I/O: feed it a request, get the reply.
 *
 * It implements the server side of DS 1.2 (sessions with RespURI, basic and md5 authentication
 * with challenges, DevInf Put/Get/Results, two-way, slow, one-way and refresh syncs with anchors
 * and 508, Add/Replace/Delete, Map, packages over several messages under MaxMsgSize, large
 * objects) and the whole encryption profile (docs/PROFILE.md), in XML and WBXML, on a
 * ct_sstore. Seeded bugs (ct_bugs.h) switch individual defects on.
 *
 * The HTTP front end (ct_http) and the scenario engine's in-process target both drive it
 * through ct_server_handle.
 */
#ifndef CT_SERVER_H
#define CT_SERVER_H

#include "base/ct_buf.h"
#include "base/ct_err.h"
#include "crypto/ct_enc_nego.h"
#include "syncml/ct_auth.h"
#include "syncml/ct_msg.h"
#include "sut/ct_bugs.h"
#include "sut/ct_store.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdio.h>

#define CT_SERVER_MAX_DBS 8

struct ct_server_config {
    const char *url;              /* where clients post; RespURI is url?sessionid=N */
    const char *user;             /* the account */
    const char *password;
    enum ct_auth_type auth;       /* the challenge type: CT_AUTH_BASIC or CT_AUTH_MD5 */
    const char *dbs[CT_SERVER_MAX_DBS]; /* database names, e.g. "contacts" */
    size_t n_dbs;
    unsigned long max_msg_size;   /* the MaxMsgSize it announces (and accepts) */
    unsigned long max_obj_size;   /* the MaxObjSize it announces (and accepts) */
    struct ct_limits limits;      /* parse bounds for requests */

    /* The encryption profile: off when key is NULL. */
    EVP_PKEY *key;                /* the private key of cert (borrowed) */
    STACK_OF(X509) *chain;        /* server certificate first (borrowed) */
    struct ct_enc_policy policy;
    uint64_t window;              /* key blob window W in seconds (0: the default) */

    struct ct_bugs bugs;
    uint64_t (*now)(void *ctx);   /* seconds since the epoch; NULL: the real clock */
    void *now_ctx;
    FILE *log;                    /* messages in and out, when not NULL (secrets never) */
};

/* ct_server_config_default fills the defaults: user test/test, md5, contacts/calendar/notes,
 * MaxMsgSize 64 KiB, MaxObjSize 4 MiB, policy ct_enc_policy_default, no profile key. */
void ct_server_config_default(struct ct_server_config *cfg);

struct ct_server;

/* ct_server_new makes a server on a store (borrowed). Returns 0 or an error with diag. */
int ct_server_new(struct ct_server **out, const struct ct_server_config *cfg,
                  struct ct_sstore *store, struct ct_diag *diag);
void ct_server_free(struct ct_server *srv);

/* One HTTP request as the front end saw it. */
struct ct_request {
    const uint8_t *body;
    size_t len;
    const char *content_type; /* may be NULL: the encoding is detected */
    const char *query;        /* the URL query ("sessionid=3"), or NULL */
};

/* What to answer. http_status is 200 with a SyncML body, or 4xx/5xx with a text body. */
struct ct_response {
    int http_status;
    const char *content_type;
    struct ct_buf body;       /* initialised by ct_server_handle; ct_buf_cleanup it */
};

/*
 * ct_server_handle processes one request. A message that does not parse is answered 400 with
 * the diagnostic as text; everything else with a SyncML reply in the request's encoding.
 * Returns 0, or CT_ERR_NOMEM/CT_ERR_IO/CT_ERR_INTERNAL (the front end answers 500).
 */
int ct_server_handle(struct ct_server *srv, const struct ct_request *req, struct ct_response *resp);

/* ct_server_cert_pem appends the certificate chain in PEM (download mode, ENC-CERT-2);
 * CT_ERR_UNSUPPORTED when the profile is off. */
int ct_server_cert_pem(struct ct_server *srv, struct ct_buf *out);

#endif
