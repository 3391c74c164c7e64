/*
 * Private to the reference server (ct_server.c: sessions, authentication, the profile, replies;
 * ct_server_sync.c: alerts, sync commands, maps, Pkg#4).
 */
#ifndef CT_SERVER_INT_H
#define CT_SERVER_INT_H

#include "crypto/ct_enc.h"
#include "crypto/ct_enc_kt.h"
#include "crypto/ct_enc_msg.h"
#include "sut/ct_pack.h"
#include "sut/ct_server.h"
#include "syncml/ct_view.h"

#define MAX_SESSIONS 64

enum phase {
    PH_INIT, /* Pkg#1 expected */
    PH_SYNC, /* Pkg#3 (client modifications) expected */
    PH_SEND, /* sending Pkg#4 over several messages */
    PH_MAP,  /* Pkg#5 expected */
    PH_DONE,
};

struct db_state {
    char name[64];          /* the database, e.g. "contacts" */
    char addr[256];         /* its address as the client wrote it (Alert Target) */
    char client_uri[256];   /* the client's database (Alert Source) */
    int code;               /* the sync type in force: 200..205 */
    char client_next[64];   /* the client's Next anchor */
    char server_next[64];   /* the Next anchor the server sent */
    bool wiped;             /* refresh from client: the store was emptied */
    bool announced;         /* Pkg#4 has carried a Sync for it (an empty one says "no changes") */
    struct ct_outq out;     /* what the server sends in Pkg#4 */
    char (*touched)[32];    /* GUIDs the client changed in this session */
    size_t n_touched;
};

struct session {
    bool used;
    unsigned token;
    char session_id[64];
    char device[256];
    unsigned last_out;      /* the last MsgID sent */
    enum phase phase;
    bool authed;
    enum ct_enc encoding;
    unsigned long peer_msg; /* the client's MaxMsgSize (0: none given) */
    unsigned long peer_obj;
    bool enc;               /* the profile is in force */
    struct ct_enc_session keys;
    char *offer;
    char parts[32];
    struct db_state dbs[CT_SERVER_MAX_DBS];
    size_t n_dbs;
    struct ct_lo lo;
    uint64_t last_used;
};

struct ct_server {
    struct ct_server_config cfg;
    struct ct_sstore *store;
    struct ct_enc_replay replay;
    uint8_t kids[1][CT_ENC_KID_LEN];
    size_t n_kids;
    struct session sessions[MAX_SESSIONS];
    unsigned next_token;
};

/* The context of handling one message. */
struct turn {
    struct ct_server *srv;
    struct session *s;
    struct ct_msg *req;
    struct ct_msg *rep;
    const char *msg_ref;        /* the request's MsgID */
    struct ct_enc_outcome *fields; /* what opening the request's fields gave */
    size_t n_fields;
    xmlNode *unsent;            /* Statuses of NoResp commands: built, then left out of the reply */
};

/* ct_server_sync.c */
int srv_body(struct turn *t);
int srv_pkg4(struct turn *t, bool *final);
int srv_finish_session(struct turn *t);
void srv_db_cleanup(struct db_state *d);

/* Shared helpers (ct_server.c). */
uint64_t srv_now(const struct ct_server *srv);
xmlNode *srv_status(struct turn *t, const struct ct_cmd *c, const char *target_ref,
                    const char *source_ref, unsigned code);
int srv_field_status(const struct turn *t, const xmlNode *cmd, const xmlNode *holder);
const char *srv_db_name(const struct ct_server *srv, const char *uri);

#endif
